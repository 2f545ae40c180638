/** Whether a process exists, for tests that watch HAProxy workers or a lock's owner come and go. */

/** True while a process with `pid` exists, ours or not (EPERM: it exists but belongs to someone else). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
