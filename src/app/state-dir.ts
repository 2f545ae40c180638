import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The controller's state folder (configuration, maps, certificates with their private keys,
 * sockets). A folder the user chose with --state-dir is theirs and stays. Without one, the folder
 * is temporary: made by mkdtemp (a name nobody can plant beforehand, mode 0700) and removed when
 * the process ends by any path that still runs JavaScript: a graceful stop, a fatal error,
 * process.exit. Only SIGKILL (or Node itself crashing) leaves it behind.
 */
export interface StateDir {
  path: string;
  temporary: boolean;
  /** Removes a temporary folder (a chosen one stays); call once HAProxy no longer uses it. */
  remove(): void;
}

export function openStateDir(chosen: string | undefined): StateDir {
  if (chosen) {
    mkdirSync(chosen, { recursive: true, mode: 0o700 });
    return { path: chosen, temporary: false, remove: () => undefined };
  }
  const path = mkdtempSync(join(tmpdir(), 'portcullis-'));
  // Synchronous: 'exit' listeners cannot wait for promises.
  const remove = () => {
    process.off('exit', remove);
    rmSync(path, { recursive: true, force: true });
  };
  process.on('exit', remove);
  return { path, temporary: true, remove };
}
