/**
 * Faults of the controller process itself: a SIGKILLed controller runs no code, so its HAProxy
 * outlives it; the next controller on the same state folder must not leave it serving the stale
 * configuration beside its own.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startControllerProcess, type ControllerProcess } from '../support/cli-process.js';
import { startEchoServer, type EchoServer } from '../support/echo-server.js';
import { describeLoad, startLoad } from '../support/load.js';
import { freePort } from '../support/net.js';
import { endpointSlice, ingress, ingressClass, service } from '../support/objects.js';

const HOST = 'app.example.com';

/** Manifests routing HOST to the Service `name`, whose one endpoint is `backend`. */
function manifests(name: string, backend: EchoServer): string {
  return [
    ingressClass(), service('faults', name, [{ port: 80, targetPort: backend.port }]),
    endpointSlice('faults', name, [{ address: backend.host }], [{ port: backend.port }]),
    ingress('faults', 'app', [{ host: HOST, paths: [{ service: name, port: 80 }] }]),
  ].map((o) => JSON.stringify(o)).join('\n---\n');
}

/** HAProxy masters (`-W`) whose master socket is in `stateDir`, found through /proc. */
export function mastersOf(stateDir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (argv.includes('-W') && argv.includes(join(stateDir, 'run', 'master.sock'))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  // A master forks its workers with the same command line: keep those whose parent is not one of them.
  return found.filter((pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return !found.includes(ppid);
  });
}

describe('faults: the controller process', () => {
  let dir: string;
  let old: EchoServer;
  let fresh: EchoServer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-faults-'));
    old = await startEchoServer({ host: '127.0.60.1', env: { SERVICE_NAME: 'old' } });
    fresh = await startEchoServer({ host: '127.0.60.2', env: { SERVICE_NAME: 'fresh' } });
  });
  after(async () => {
    await old.close();
    await fresh.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a SIGKILLed controller restarted on the same state folder leaves no stale HAProxy serving', async () => {
    const folder = join(dir, 'manifests');
    const stateDir = join(dir, 'state');
    await mkdir(folder);
    await writeFile(join(folder, 'app.yaml'), manifests('old', old));
    const [http, https] = [await freePort(), await freePort()];
    const ports = ['--http-port', String(http), '--https-port', String(https)];
    const args = ['--manifests', folder, '--state-dir', stateDir, ...ports];
    let second: ControllerProcess | undefined;
    const first = await startControllerProcess(args);
    const load = startLoad({ address: '127.0.0.1', port: http, host: HOST, concurrency: 4, maxDurationMs: 60_000 });
    try {
      await new Promise((r) => setTimeout(r, 300));
      first.child.kill('SIGKILL');
      await first.exited;
      assert.equal(mastersOf(stateDir).length, 1, 'the dead controller left its HAProxy running');
      // What changed while no controller ran: the stale HAProxy still routes to `old`.
      await writeFile(join(folder, 'app.yaml'), manifests('fresh', fresh));
      second = await startControllerProcess(args);
      const atReady = load.result();
      await new Promise((r) => setTimeout(r, 1000));
      const total = await load.stop();
      const staleAfterReady = (total.served.old ?? 0) - (atReady.served.old ?? 0);
      assert.equal(staleAfterReady, 0, `answered by the stale configuration after the restart was ready: ${describeLoad(total)}`);
      assert.ok((total.served.fresh ?? 0) > (atReady.served.fresh ?? 0), `the new configuration serves: ${JSON.stringify(total.served)}`);
      assert.equal(mastersOf(stateDir).length, 1, `one HAProxy master afterwards: ${mastersOf(stateDir).join(', ')}`);
      assert.equal(total.failed, 0, describeLoad(total));
      assert.equal(total.retried, 0, describeLoad(total));
      console.log(`controller SIGKILL + restart: ${describeLoad(total)}`);
    } finally {
      await load.stop();
      await second?.stop();
      for (const pid of mastersOf(stateDir)) process.kill(pid, 'SIGKILL');
    }
  });
});
