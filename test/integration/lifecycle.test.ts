/**
 * The process lifecycle: a temporary state folder (private keys inside) does not outlive the
 * controller, and Ctrl-C drains like SIGTERM.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startControllerProcess } from '../support/cli-process.js';
import { eventually } from '../support/eventually.js';
import { freePort, send } from '../support/net.js';
import { endpointSlice, ingress, ingressClass, service } from '../support/objects.js';

const SLOW = { address: '127.0.51.1', port: 8080 };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('process lifecycle', () => {
  let dir: string;
  let manifests: string;
  let slow: Server;
  /** The controllers' TMPDIR: whatever they leave in it is what they would leave in /tmp. */
  let temp: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-lifecycle-'));
    manifests = join(dir, 'manifests');
    temp = join(dir, 'tmp');
    env = { ...process.env, TMPDIR: temp };
    await mkdir(manifests);
    await mkdir(temp);
    // A backend that answers after 1.5 s: a request in flight when the controller is told to stop.
    slow = createServer((_req, res) => setTimeout(() => res.end('finished'), 1500));
    await new Promise<void>((r) => slow.listen(SLOW.port, SLOW.address, r));
    const objects = [
      ingressClass(), service('ops', 'slow'),
      endpointSlice('ops', 'slow', [{ address: SLOW.address }], [{ port: SLOW.port }]),
      ingress('ops', 'slow', [{ host: 'slow.example.com', paths: [{ service: 'slow', port: 80 }] }]),
    ];
    await writeFile(join(manifests, 'app.yaml'), objects.map((o) => JSON.stringify(o)).join('\n---\n'));
  });
  after(async () => {
    slow.closeAllConnections();
    await new Promise((r) => slow.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`without --state-dir, the temporary state folder is gone after ${signal}`, async () => {
      const c = await startControllerProcess(['--manifests', manifests], { env });
      try {
        const folders = await readdir(temp);
        assert.equal(folders.length, 1, `one state folder: ${folders.join(', ')}`);
        assert.match(folders[0], /^portcullis-/);
        assert.ok((await readdir(join(temp, folders[0]))).includes('haproxy.cfg'), 'HAProxy runs from it');
        c.child.kill(signal);
        assert.equal(await c.exited, 0, c.output());
        assert.deepEqual(await readdir(temp), [], 'nothing left in the temp folder');
      } finally {
        await c.stop();
        await rm(temp, { recursive: true, force: true });
        await mkdir(temp);
      }
    });
  }

  it('without --state-dir, a fatal start-up error removes the temporary state folder too', async () => {
    // The health port is taken: the controller cannot start and exits with an error.
    const taken = createServer();
    const port = await freePort();
    await new Promise<void>((r) => taken.listen(port, '127.0.0.1', r));
    try {
      const run = await runCli(['controller', '--manifests', manifests, '--health-address', '127.0.0.1', '--health-port', String(port),
        '--bind-address', '127.0.0.1', '--http-port', String(await freePort()), '--https-port', String(await freePort())], { env });
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stderr, /EADDRINUSE/);
      assert.deepEqual(await readdir(temp), [], 'nothing left in the temp folder');
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('Ctrl-C (SIGINT to the whole process group) lets an in-flight request finish, then HAProxy and the controller exit', async () => {
    const stateDir = join(dir, 'state-sigint');
    const c = await startControllerProcess(['--manifests', manifests, '--state-dir', stateDir, '--shutdown-grace', '5'], { env, detached: true });
    const master = Number(readFileSync(join(stateDir, 'run', 'haproxy.pid'), 'utf8').trim());
    try {
      assert.ok(alive(master), 'HAProxy is running');
      const inflight = send({ address: '127.0.0.1', port: c.http, host: 'slow.example.com', path: '/', timeoutMs: 10_000 });
      await new Promise((r) => setTimeout(r, 300));
      // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
      process.kill(-c.child.pid!, 'SIGINT');
      const res = await inflight;
      assert.equal(res.status, 200, c.output());
      assert.equal(res.body, 'finished', 'the request in flight finished normally');
      assert.equal(await c.exited, 0, c.output());
      await eventually(() => !alive(master), { timeoutMs: 2000, what: 'the HAProxy master to be gone' });
      assert.match(c.output(), /received signal signal=SIGINT/);
    } finally {
      await c.stop();
      if (alive(master)) process.kill(master, 'SIGKILL');
    }
  });
});
