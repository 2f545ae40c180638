import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { lockDemoAddresses } from '../support/demo-lock.js';
import { eventually } from '../support/eventually.js';
import { freePort, send } from '../support/net.js';

const run = promisify(execFile);
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = join(dist, '..');
const examples = join(root, 'examples');

/** Runs the demo on a copy of an example's app/ folder; steps are applied by copying files in. */
async function startWalkthrough(name: string): Promise<{ dir: string; port: number; child: ChildProcess; get(path: string, host: string): ReturnType<typeof send> }> {
  const dir = await mkdtemp(join(tmpdir(), `walkthrough-${name}-`));
  await cp(join(examples, name, 'app'), dir, { recursive: true });
  const [port, httpsPort, health] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [join(dist, 'demo', 'run.js'), '--manifests', dir, '--http-port', String(port), '--https-port', String(httpsPort), '--health-port', String(health)], { stdio: 'ignore' });
  await eventually(async () => (await fetch(`http://127.0.0.1:${health}/readyz`)).status === 200, { timeoutMs: 30_000, what: `${name} ready` });
  return { dir, port, child, get: (path, host) => send({ address: '127.0.0.1', port, host, path }) };
}

async function stop(w: { dir: string; child: ChildProcess }): Promise<void> {
  const exited = new Promise((r) => w.child.once('exit', r));
  w.child.kill('SIGTERM');
  await exited;
  await rm(w.dir, { recursive: true, force: true });
}

describe('examples', () => {
  const cleanup: (() => Promise<void>)[] = [];
  // The walkthroughs' backends listen on the addresses the examples list; one process at a time.
  let release: (() => Promise<void>) | undefined;
  before(async () => {
    release = await lockDemoAddresses();
  });
  after(async () => {
    for (const c of cleanup) await c();
    await release?.();
  });

  for (const folder of ['demo', 'rolling-update/app', 'blue-green/app', 'blue-green-walkthrough/app']) {
    it(`render --manifests examples/${folder} passes haproxy -c`, async () => {
      const out = await mkdtemp(join(tmpdir(), 'render-'));
      cleanup.push(() => rm(out, { recursive: true, force: true }));
      const { stdout, stderr } = await run(process.execPath, [join(dist, 'src', 'cli.js'), 'render', '--manifests', join(examples, folder), '--out', out]);
      assert.match(stderr, /haproxy -c: configuration is valid/);
      assert.match(stdout, /^frontend portcullis$/m);
    });
  }

  it('rolling-update walkthrough: v1, surge with a draining v1 pod, v2, undo', async () => {
    const w = await startWalkthrough('rolling-update');
    cleanup.push(() => stop(w));
    const pods = async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) seen.add(String((await w.get('/', 'versions.localhost')).json?.pod));
      return [...seen].sort().join(',');
    };
    const step = async (file: string, expected: string) => {
      await cp(join(examples, 'rolling-update', 'steps', file), join(w.dir, 'endpoints.yaml'));
      await eventually(async () => (await pods()) === expected, { what: `${file} serving ${expected}` });
    };
    assert.equal(await pods(), 'versions-v1-a,versions-v1-b,versions-v1-c,versions-v1-d');
    await step('2-v2-surge.yaml', 'versions-v1-b,versions-v1-c,versions-v1-d,versions-v2-a');
    await step('3-v2.yaml', 'versions-v2-a,versions-v2-b,versions-v2-c,versions-v2-d');
    await step('4-undo-v1.yaml', 'versions-v1-a,versions-v1-b,versions-v1-c,versions-v1-d');
  });

  it('blue-green walkthrough: green on /test with the prefix rewritten, switch, roll back', async () => {
    const w = await startWalkthrough('blue-green');
    cleanup.push(() => stop(w));
    const color = async (path: string) => String((await w.get(path, 'bluegreen.localhost')).json?.pod).replace(/-\d$/, '');
    assert.equal(await color('/'), 'blue');
    const test = await w.get('/test/x?y=1', 'bluegreen.localhost');
    assert.equal(String(test.json?.pod).replace(/-\d$/, ''), 'green');
    assert.equal(test.json?.path, '/x?y=1', 'the /test prefix is rewritten away');
    await cp(join(examples, 'blue-green', 'steps', '2-green-live.yaml'), join(w.dir, 'endpoints.yaml'));
    await eventually(async () => (await color('/')) === 'green', { what: 'green live' });
    await cp(join(examples, 'blue-green', 'steps', '3-rollback-blue.yaml'), join(w.dir, 'endpoints.yaml'));
    await eventually(async () => (await color('/')) === 'blue', { what: 'rolled back to blue' });
  });
});
