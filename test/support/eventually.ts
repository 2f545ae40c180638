/** Polling for a condition that becomes true on its own time (a reload, a log line, a worker leaving). */
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `check` until it returns a truthy value or the time runs out (then throws with the last value). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (last) return last as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'condition'}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await sleep(options.intervalMs ?? 25);
  }
}
