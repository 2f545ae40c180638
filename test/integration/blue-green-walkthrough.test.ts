/**
 * The walkthrough of examples/blue-green-walkthrough (the HAProxy blog post "Rolling Updates and
 * Blue-Green Deployments with Kubernetes and HAProxy"), step by step as the post takes it, through
 * the controller CLI on --manifests and a real HAProxy, under continuous load: a rolling update, its
 * rollback, blue-green with test-service on /test (path-rewrite on the Service), flips both ways.
 * No request may fail; endpoint changes may not reload; test-service, a new backend, reloads once.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, cp, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { parseShowProc } from '../../src/haproxy/process/supervisor.js';
import { sendText } from '../../src/haproxy/runtime/client.js';
import { listManifestFiles, parseManifests } from '../../src/sources/manifest-source.js';
import { lockDemoAddresses } from '../support/demo-lock.js';
import { startEchoServer, type EchoServer } from '../support/echo-server.js';
import { startLoad, type Load, type LoadResult } from '../support/load.js';
import { eventually } from '../support/eventually.js';
import { freePort, send } from '../support/net.js';

const example = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'blue-green-walkthrough');
const HOST = 'walkthrough.localhost';

let dir: string;
let stateDir: string;
let port: number;
let controller: ChildProcess;
const pods: EchoServer[] = [];
const output: string[] = [];

/** One echo server per endpoint any file of the example lists, named after its pod. */
async function startPods(): Promise<void> {
  const seen = new Set<string>();
  for (const file of await listManifestFiles(example)) {
    for (const slice of parseManifests(await readFile(file, 'utf8'))) {
      if (slice.kind !== 'EndpointSlice') continue;
      for (const endpoint of slice.endpoints) {
        const key = `${endpoint.addresses[0]}:${slice.ports[0].port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        pods.push(await startEchoServer({ host: endpoint.addresses[0], port: slice.ports[0].port!, env: { POD_NAME: endpoint.targetRef?.name ?? key } }));
      }
    }
  }
}

/** Reloads as HAProxy's master process counts them. */
async function reloads(): Promise<number> {
  const info = parseShowProc(await sendText(join(stateDir, 'run', 'master.sock'), 'show proc\n', 2000));
  assert.ok(info, 'the master CLI lists its processes');
  return info.reloads;
}

/** The pods that answer `path` now (a few fresh-connection requests). */
async function answering(path: string): Promise<string[]> {
  const found = new Set<string>();
  for (let i = 0; i < 15; i++) {
    const reply = await send({ address: '127.0.0.1', port, host: HOST, path });
    found.add(reply.status === 200 ? String(reply.json?.pod) : `status ${reply.status}`);
  }
  return [...found].sort();
}

/**
 * Puts `files` of a step into the folder the controller reads, each whole at once (written aside,
 * then renamed), as `kubectl apply` changes objects: a file caught half-copied would read as
 * objects deleted, and deleting the Ingress for a moment is a real change.
 */
async function apply(name: string, files?: string[]): Promise<void> {
  for (const file of files ?? (await readdir(join(example, 'steps', name)))) {
    await copyFile(join(example, 'steps', name, file), join(dir, `${file}.tmp`));
    await rename(join(dir, `${file}.tmp`), join(dir, file));
  }
}

/** Applies a step and waits until only `prefix` pods answer `path`. */
async function step(name: string, prefix: string, path = '/'): Promise<void> {
  await apply(name);
  await eventually(async () => (await answering(path)).every((p) => p.startsWith(prefix)), { timeoutMs: 20_000, what: `${name}: only ${prefix} pods on ${path}` });
}

function assertClean(result: LoadResult, what: string): void {
  process.stdout.write(`# ${what}: ${result.sent} requests, ${result.failed} failed, served by ${Object.keys(result.served).length} pods\n`);
  assert.equal(result.failed, 0, `${what}: ${JSON.stringify({ statuses: result.statuses, errors: result.errors })}`);
  // The load generator may report retries on reused connections; a client that never retries needs none.
  assert.equal(result.retried, 0, `${what}: requests retried`);
  assert.ok(result.ok > 100, `${what}: the load kept running (${result.ok} ok)`);
}

let releaseAddresses: (() => Promise<void>) | undefined;

before(async () => {
  // The example lists fixed loopback addresses, which the docs test's demo run uses too.
  releaseAddresses = await lockDemoAddresses();
  dir = await mkdtemp(join(tmpdir(), 'walkthrough-'));
  stateDir = await mkdtemp(join(tmpdir(), 'walkthrough-state-'));
  await cp(join(example, 'app'), dir, { recursive: true });
  await startPods();
  port = await freePort();
  const [httpsPort, health] = [await freePort(), await freePort()];
  controller = spawn(process.execPath, [
    join(example, '..', '..', 'dist', 'src', 'cli.js'), 'controller', '--manifests', dir, '--configmap', 'default/haproxy-configmap',
    '--http-port', String(port), '--https-port', String(httpsPort), '--bind-address', '127.0.0.1',
    '--health-port', String(health), '--health-address', '127.0.0.1', '--state-dir', stateDir,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  controller.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  controller.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  await eventually(async () => (await fetch(`http://127.0.0.1:${health}/readyz`)).status === 200, { timeoutMs: 30_000, what: 'controller ready' });
});

after(async () => {
  try {
    if (controller && controller.exitCode === null) {
      const exited = new Promise((r) => controller.once('exit', r));
      controller.kill('SIGTERM');
      await exited;
    }
    await Promise.all(pods.map((p) => p.close()));
    await rm(dir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  } finally {
    await releaseAddresses?.();
  }
});

it('walks the post: rolling update, rollback, blue-green with /test on green, flips; no failed request', async () => {
  assert.deepEqual(await answering('/'), ['app-v001-1', 'app-v001-2', 'app-v001-3', 'app-v001-4', 'app-v001-5']);
  const start = await reloads();
  const load: Load = startLoad({ address: '127.0.0.1', port, host: HOST, concurrency: 6, by: 'pod', maxDurationMs: 600_000, maxRequests: 10_000_000 });

  // Rolling update to 0.0.2 (mid-rollout, then done), and kubectl rollout undo.
  await apply('2-rolling-update');
  await eventually(async () => (await answering('/')).some((p) => p.startsWith('app-v002')), { what: 'new pods serving mid-rollout' });
  await step('3-rolled-out', 'app-v002');
  await step('4-rollback', 'app-v001');
  // Blue-green: blue live, green beside it.
  await step('5-blue-green', 'blue-');
  assert.equal(await reloads(), start, 'endpoint changes do not reload');

  // test-service first (as kubectl apply -f test-service.yaml), then the Ingress that routes /test to it.
  await apply('6-test-service', ['test-service.yaml', 'test-service-endpoints.yaml']);
  // An unreferenced Service changes nothing HAProxy serves, so there is nothing to wait for but the watcher.
  await new Promise((r) => setTimeout(r, 1500));
  await step('6-test-service', 'green-', '/test');
  const test = await send({ address: '127.0.0.1', port, host: HOST, path: '/test' });
  assert.equal(test.json?.path, '/', '/test reaches green as /');
  const deep = await send({ address: '127.0.0.1', port, host: HOST, path: '/test/page?q=1' });
  assert.equal(deep.json?.path, '/?q=1', 'a bare path replaces the whole path and keeps the query');
  assert.deepEqual((await answering('/')).filter((p) => !p.startsWith('blue-')), [], 'users still get blue');
  const afterTestService = await reloads();
  assert.equal(afterTestService, start + 1, 'test-service is one new backend: exactly one reload');

  const testLoad = startLoad({ address: '127.0.0.1', port, host: HOST, path: '/test', concurrency: 2, by: 'pod', maxDurationMs: 600_000, maxRequests: 10_000_000 });
  for (const [name, color] of [['7-green-live', 'green-'], ['8-blue-live', 'blue-'], ['7-green-live', 'green-'], ['8-blue-live', 'blue-']] as const) {
    await step(name, color);
    assert.deepEqual((await answering('/test')).filter((p) => !p.startsWith('green-')), [], `${name}: /test stays on green`);
  }
  assert.equal(await reloads(), afterTestService, 'blue-green flips do not reload');

  const testResult = await testLoad.stop();
  assertClean(testResult, '/test during the flips');
  assert.deepEqual(Object.keys(testResult.served).filter((p) => !p.startsWith('green-')), [], 'only green served /test');
  assertClean(await load.stop(), 'the walkthrough');
});
