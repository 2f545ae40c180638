import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as k8s from '@kubernetes/client-node';
import { eventually } from '../../test/support/eventually.js';
import { startKubeApiServer, type KubeApiServer } from '../../test/support/kube-api/index.js';
import { LeaderElector, type LeaderElectorOptions } from './leader-election.js';

const NAMESPACE = 'default';
const LEASE = 'portcullis-leader';
const TIMING = { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 100 };

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Harness {
  server: KubeApiServer;
  kubeConfig: k8s.KubeConfig;
  elector(identity: string, extra?: Partial<LeaderElectorOptions>): LeaderElector;
  lease(): { metadata: { resourceVersion?: string; labels?: Record<string, string> }; spec: LeaseSpec } | undefined;
}

/** A test apiserver plus electors that are all stopped, and the server closed, when the test ends. */
async function harness(t: { after(fn: () => Promise<void>): void }): Promise<Harness> {
  const server = await startKubeApiServer();
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromString(server.kubeConfig());
  const electors: LeaderElector[] = [];
  t.after(async () => {
    await Promise.all(electors.map((e) => e.stop()));
    await server.close();
  });
  return {
    server,
    kubeConfig,
    elector(identity, extra = {}) {
      const e = new LeaderElector({ kubeConfig, namespace: NAMESPACE, name: LEASE, identity, ...TIMING, ...extra });
      electors.push(e);
      return e;
    },
    lease: () => server.get('coordination.k8s.io/v1', 'Lease', NAMESPACE, LEASE) as ReturnType<Harness['lease']>,
  };
}

/** The next `event`; unlike events.once, an 'error' event in between does not reject it. */
function nextEvent(emitter: LeaderElector, event: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`no '${event}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const onEvent = () => {
      clearTimeout(timer);
      resolve();
    };
    emitter.once(event, onEvent);
  });
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
  await eventually(predicate, { timeoutMs, what });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function leaseWrites(server: KubeApiServer, status: number): number {
  return server.requests.filter((r) => r.method === 'PUT' && r.path.includes(`/leases/${LEASE}`) && r.status === status).length;
}

test('of two candidates exactly one leads, the lease names it and the other learns who leads', async (t) => {
  const h = await harness(t);
  const a = h.elector('pod-a');
  const b = h.elector('pod-b');
  const seenByA: string[] = [];
  const seenByB: string[] = [];
  a.on('new-leader', (id: string) => seenByA.push(id));
  b.on('new-leader', (id: string) => seenByB.push(id));
  a.start();
  b.start();
  await waitFor('a leader', () => a.isLeader() || b.isLeader(), 2000);
  // Several lease durations: a second leader would have appeared by now.
  await sleep(3 * TIMING.leaseDurationMs);
  assert.equal(Number(a.isLeader()) + Number(b.isLeader()), 1);
  const leader = a.isLeader() ? 'pod-a' : 'pod-b';
  const spec = h.lease()?.spec;
  assert.equal(spec?.holderIdentity, leader);
  assert.equal(spec?.leaseDurationSeconds, 1);
  assert.equal(spec?.leaseTransitions, 0);
  assert.match(spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'renewTime is a MicroTime');
  assert.ok(Date.now() - Date.parse(spec?.renewTime ?? '') < TIMING.renewDeadlineMs, 'the leader keeps renewing');
  assert.deepEqual(seenByA, [leader]);
  assert.deepEqual(seenByB, [leader]);
});

test('stopping the leader releases the lease and the other candidate takes over well within the lease duration', async (t) => {
  const h = await harness(t);
  const a = h.elector('pod-a');
  const b = h.elector('pod-b');
  a.start();
  await nextEvent(a, 'started-leading', 2000);
  b.start();
  await sleep(2 * TIMING.retryPeriodMs);
  const stopped = nextEvent(a, 'stopped-leading', 2000);
  const stoppedAt = Date.now();
  await a.stop();
  await stopped;
  assert.equal(a.isLeader(), false);
  await nextEvent(b, 'started-leading', TIMING.leaseDurationMs);
  assert.ok(Date.now() - stoppedAt < TIMING.leaseDurationMs, 'a released lease is taken without waiting for expiry');
  const spec = h.lease()?.spec;
  assert.equal(spec?.holderIdentity, 'pod-b');
  assert.equal(spec?.leaseTransitions, 1);
});

test('a leader that dies without releasing loses the lease to the other candidate once it expires', async (t) => {
  const h = await harness(t);
  const child = spawnElector(h.server, 'pod-crashing', t);
  await waitForLine(child, 'leading', 5000);
  const b = h.elector('pod-b');
  b.start();
  await sleep(3 * TIMING.retryPeriodMs);
  assert.equal(b.isLeader(), false, 'the lease is still renewed');
  const killedAt = Date.now();
  child.kill('SIGKILL');
  await nextEvent(b, 'started-leading', 3000);
  const waited = Date.now() - killedAt;
  // B measures expiry from the last renewal it saw, at most one renew period plus one jittered
  // retry before the kill, and then polls at most 2.2 retry periods apart.
  assert.ok(waited >= TIMING.leaseDurationMs - 4 * TIMING.retryPeriodMs, `took over after ${waited} ms, before the lease expired`);
  assert.ok(waited <= TIMING.leaseDurationMs + 3 * TIMING.retryPeriodMs + 200, `took over after ${waited} ms`);
  const spec = h.lease()?.spec;
  assert.equal(spec?.holderIdentity, 'pod-b');
  assert.equal(spec?.leaseTransitions, 1);
});

test('a write with a stale resourceVersion gets 409, is retried from a fresh read, and leadership is kept', async (t) => {
  const h = await harness(t);
  const a = h.elector('pod-a');
  let stepDowns = 0;
  a.on('stopped-leading', () => stepDowns++);
  a.start();
  await nextEvent(a, 'started-leading', 2000);
  const lease = h.lease();
  assert.ok(lease);
  // Another writer touches the lease: its resourceVersion moves on and the leader's copy is stale.
  h.server.apply({ ...lease, metadata: { ...lease.metadata, labels: { touched: 'yes' } } });
  await waitFor('a conflicting renewal', () => leaseWrites(h.server, 409) > 0, 2000);
  const renewedAfterConflict = leaseWrites(h.server, 200);
  await waitFor('a renewal after the conflict', () => leaseWrites(h.server, 200) > renewedAfterConflict, 2000);
  assert.equal(a.isLeader(), true);
  assert.equal(stepDowns, 0);
  assert.equal(h.lease()?.metadata.labels?.touched, 'yes', 'fields written by others are kept');
});

test('a leader that sees another holder of a valid lease steps down at once, and takes the lease back when it expires', async (t) => {
  const h = await harness(t);
  const a = h.elector('pod-a');
  const leaders: string[] = [];
  a.on('new-leader', (id: string) => leaders.push(id));
  a.start();
  await nextEvent(a, 'started-leading', 2000);
  const lease = h.lease();
  assert.ok(lease);
  const now = new k8s.V1MicroTime(Date.now()).toISOString();
  const stopped = nextEvent(a, 'stopped-leading', 4 * TIMING.retryPeriodMs);
  h.server.apply({ ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', renewTime: now, acquireTime: now, leaseTransitions: 1 } });
  await stopped;
  assert.equal(a.isLeader(), false);
  assert.deepEqual(leaders, ['pod-a', 'intruder']);
  // The intruder never renews, so the lease expires one lease duration after A saw it change.
  await nextEvent(a, 'started-leading', TIMING.leaseDurationMs + 4 * TIMING.retryPeriodMs);
  assert.equal(h.lease()?.spec.leaseTransitions, 2);
  assert.deepEqual(leaders, ['pod-a', 'intruder', 'pod-a']);
});

test('API errors are reported as error events, never crash, and cost leadership only after the renew deadline', async (t) => {
  const h = await harness(t);
  const a = h.elector('pod-a');
  // No 'error' listener on this one: an unwatched elector must not throw from its timers.
  const quiet = h.elector('pod-quiet');
  const errors: unknown[] = [];
  a.on('error', (err) => errors.push(err));
  a.start();
  await nextEvent(a, 'started-leading', 2000);
  quiet.start();
  h.server.failNext({ method: 'PUT', pathIncludes: `/leases/${LEASE}`, status: 500 });
  await waitFor('the failure to be reported', () => errors.length > 0, 2000);
  assert.equal((errors[0] as { code?: number }).code, 500);
  assert.equal(a.isLeader(), true, 'one failed renewal is retried before the deadline');

  const stepDownAt = Date.now();
  const stopped = nextEvent(a, 'stopped-leading', 3000);
  // Every lease request fails for about a second, longer than the renew deadline.
  h.server.failNext({ pathIncludes: `/leases/${LEASE}`, status: 503, times: 25 });
  await stopped;
  // The deadline counts from the last success, up to one retry period (plus a request) before the failures began.
  assert.ok(Date.now() - stepDownAt >= TIMING.renewDeadlineMs - 2 * TIMING.retryPeriodMs, 'not before the renew deadline');
  assert.ok(errors.some((err) => (err as { code?: number }).code === 503));
  // When the API answers again the expired lease goes to whichever candidate writes first.
  await waitFor('a leader once the API answers again', () => a.isLeader() || quiet.isLeader(), 5000);
  await sleep(2 * TIMING.retryPeriodMs);
  assert.equal(Number(a.isLeader()) + Number(quiet.isLeader()), 1);
  assert.equal(h.lease()?.spec.holderIdentity, a.isLeader() ? 'pod-a' : 'pod-quiet');
});

test('a candidate whose clock runs an hour ahead never takes a lease that is being renewed', async (t) => {
  const h = await harness(t);
  const a = h.elector('pod-a');
  const ahead = h.elector('pod-ahead', { now: () => new Date(Date.now() + 3_600_000) });
  a.start();
  await nextEvent(a, 'started-leading', 2000);
  let took = false;
  ahead.on('started-leading', () => (took = true));
  ahead.start();
  await sleep(3 * TIMING.leaseDurationMs);
  assert.equal(took, false);
  assert.equal(a.isLeader(), true);
  assert.equal(h.lease()?.spec.holderIdentity, 'pod-a');
});

test('after stop() an elector sends no more requests, and stop() is idempotent', async (t) => {
  const h = await harness(t);
  const a = h.elector('pod-a');
  const b = h.elector('pod-b');
  a.start();
  b.start();
  await waitFor('a leader', () => a.isLeader() || b.isLeader(), 2000);
  await Promise.all([a.stop(), b.stop(), a.stop()]);
  assert.equal(h.lease()?.spec.holderIdentity, undefined, 'the leader released the lease');
  const count = h.server.requests.length;
  await sleep(4 * TIMING.retryPeriodMs);
  assert.equal(h.server.requests.length, count);
});

test('a stopped elector can start again and lead again', async (t) => {
  const h = await harness(t);
  const a = h.elector('pod-a');
  a.start();
  await nextEvent(a, 'started-leading', 2000);
  await a.stop();
  assert.equal(h.lease()?.spec.holderIdentity, undefined);
  a.start();
  await nextEvent(a, 'started-leading', 2000);
  assert.equal(h.lease()?.spec.holderIdentity, 'pod-a');
  assert.equal(h.lease()?.spec.leaseTransitions, 1, 'taking a released lease is a transition');
});

test('timings that client-go would reject are refused up front', async (t) => {
  const h = await harness(t);
  assert.throws(() => h.elector('x', { leaseDurationMs: 400, renewDeadlineMs: 400 }), /leaseDurationMs must be greater/);
  assert.throws(() => h.elector('x', { renewDeadlineMs: 200, retryPeriodMs: 200 }), /renewDeadlineMs must be greater/);
  assert.throws(() => h.elector(''), /non-empty identity/);
});

/** Runs an elector in a child process, so that killing it is a real crash: no release, no last renewal. */
function spawnElector(server: KubeApiServer, identity: string, t: { after(fn: () => void): void }): ChildProcess {
  const script = `
    const k8s = await import(process.env.CLIENT_URL);
    const { LeaderElector } = await import(process.env.ELECTOR_URL);
    const kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromString(process.env.TEST_KUBECONFIG);
    const elector = new LeaderElector({ ...JSON.parse(process.env.ELECTOR_OPTIONS), kubeConfig });
    elector.on('started-leading', () => process.stdout.write('leading\\n'));
    elector.start();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      CLIENT_URL: import.meta.resolve('@kubernetes/client-node'),
      ELECTOR_URL: new URL('./leader-election.js', import.meta.url).href,
      TEST_KUBECONFIG: server.kubeConfig(),
      ELECTOR_OPTIONS: JSON.stringify({ namespace: NAMESPACE, name: LEASE, identity, ...TIMING }),
    },
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

function waitForLine(child: ChildProcess, line: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      if (output.split('\n').includes(line)) done();
    };
    const onExit = (code: number | null) => done(new Error(`the child elector exited (${code}) before printing "${line}"`));
    const timer = setTimeout(() => done(new Error(`the child elector did not print "${line}" within ${timeoutMs} ms (output: ${JSON.stringify(output)})`)), timeoutMs);
    child.stdout!.on('data', onData);
    child.on('exit', onExit);
  });
}
