/**
 * The state folder stops taking writes (a full disk, a read-only volume) while HAProxy serves:
 * the last good configuration keeps serving, and the error is a log line, a metric and the admin
 * API's last apply. The test runs as root, for whom chmod denies nothing, so the folder is made
 * read-only by a read-only bind mount over itself (skipped where mounting is not allowed).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startControllerProcess } from '../support/cli-process.js';
import { startEchoServer, type EchoServer } from '../support/echo-server.js';
import { eventually } from '../support/eventually.js';
import { describeLoad, startLoad } from '../support/load.js';
import { endpointSlice, ingress, ingressClass, service } from '../support/objects.js';

const HOST = 'app.example.com';

function manifests(backend: EchoServer, extraHost?: string): string {
  const rules = [{ host: HOST, paths: [{ service: 'app', port: 80 }] }];
  if (extraHost) rules.push({ host: extraHost, paths: [{ service: 'app', port: 80 }] });
  return [
    ingressClass(), service('faults', 'app', [{ port: 80, targetPort: backend.port }]),
    endpointSlice('faults', 'app', [{ address: backend.host }], [{ port: backend.port }]),
    ingress('faults', 'app', rules),
  ].map((o) => JSON.stringify(o)).join('\n---\n');
}

/** Makes `dir` read-only for everyone, root included; false where this process may not mount. */
function mountReadOnly(dir: string): boolean {
  try {
    execFileSync('mount', ['--bind', dir, dir], { stdio: 'ignore' });
    execFileSync('mount', ['-o', 'remount,ro,bind', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('faults: the state folder', () => {
  let dir: string;
  let backend: EchoServer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-faults-state-'));
    backend = await startEchoServer({ host: '127.0.62.1', env: { SERVICE_NAME: 'app' } });
  });
  after(async () => {
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('read-only: the last good configuration keeps serving and the error is PCL_ERR_STATE_WRITE in the log, a metric and the admin API', async (t) => {
    const folder = join(dir, 'manifests');
    const stateDir = join(dir, 'state');
    await mkdir(folder);
    await writeFile(join(folder, 'app.yaml'), manifests(backend));
    const c = await startControllerProcess(['--manifests', folder, '--state-dir', stateDir]);
    const load = startLoad({ address: '127.0.0.1', port: c.http, host: HOST, concurrency: 4, maxDurationMs: 60_000 });
    let mounted = false;
    try {
      mounted = mountReadOnly(stateDir);
      if (!mounted) return t.skip('mounting is not allowed here');
      // A new host: a new configuration to stage, check and load, none of which can be written now.
      await writeFile(join(folder, 'app.yaml'), manifests(backend, 'new.example.com'));
      await eventually(async () => {
        const state = (await (await fetch(`http://127.0.0.1:${c.health}/admin/state`)).json()) as { lastApply?: { error?: { code: string } } };
        return state.lastApply?.error?.code === 'PCL_ERR_STATE_WRITE';
      }, { timeoutMs: 10_000, what: `the admin API to show PCL_ERR_STATE_WRITE; output: ${c.output()}` });
      const metrics = await (await fetch(`http://127.0.0.1:${c.health}/metrics`)).text();
      assert.match(metrics, /portcullis_apply_errors_total\{code="PCL_ERR_STATE_WRITE"\} [1-9]/);
      assert.match(c.output(), /code=PCL_ERR_STATE_WRITE/);
      await new Promise((r) => setTimeout(r, 500));
      const total = await load.stop();
      assert.equal(total.failed, 0, describeLoad(total));
      assert.equal(total.retried, 0, describeLoad(total));
      assert.ok(total.ok > 0, describeLoad(total));
      assert.equal(c.child.exitCode, null, 'the controller still runs');
      console.log(`read-only state folder: ${describeLoad(total)}`);
    } finally {
      await load.stop();
      if (mounted) execFileSync('umount', [stateDir]);
      await c.stop();
    }
  });
});
