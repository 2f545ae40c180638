/**
 * The examples' manifests list fixed loopback addresses (127.0.10.1:8080, 127.0.31.1:5678, ...), so
 * two processes running demo backends for them at once collide. Tests that start the demo take this
 * lock, which holds across processes (test files run in parallel) and across checkouts.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive } from './pid.js';

const LOCK = join(tmpdir(), 'portcullis-demo-addresses.lock');

/** Waits for the lock (at most `timeoutMs`) and returns its release. A lock whose owner died is taken over. */
export async function lockDemoAddresses(timeoutMs = 15 * 60_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(LOCK);
      await writeFile(join(LOCK, 'pid'), String(process.pid));
      const onExit = () => rmSync(LOCK, { recursive: true, force: true });
      process.once('exit', onExit);
      return async () => {
        process.off('exit', onExit);
        await rm(LOCK, { recursive: true, force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number(await readFile(join(LOCK, 'pid'), 'utf8').catch(() => '0'));
    // No pid yet: the owner is between mkdir and writeFile; wait like for a live owner.
    if (owner > 0 && !alive(owner)) await rm(LOCK, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`${LOCK} is held by process ${owner}; the demo's addresses are in use`);
    else await new Promise((r) => setTimeout(r, 250));
  }
}
