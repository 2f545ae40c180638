import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Draft, Model } from '../../model/types.js';
import { makeCertificatePem } from '../../../test/support/certs.js';
import { alive } from '../../../test/support/pid.js';
import { createHarness, type Harness } from '../../../test/support/haproxy/harness.js';
import { eventually } from '../../../test/support/eventually.js';
import { backend, certificate, deepFreeze, globalSettings, model, route, server } from '../../../test/support/haproxy/model.js';
import { get } from '../../../test/support/net.js';
import { startEchoBackend, type EchoBackend } from '../../../test/support/echo-server.js';

/** Looks like PEM, is not a certificate: only `haproxy -c` can tell. */
const BOGUS_PEM = '-----BEGIN CERTIFICATE-----\nQUFBQUFBQUE=\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nQUFBQUFBQUE=\n-----END PRIVATE KEY-----\n';

let fallbackPem: string;
let fast: EchoBackend[];
let slow: EchoBackend;

before(async () => {
  fallbackPem = makeCertificatePem('default.test');
  fast = await Promise.all(['f0', 'f1'].map((n) => startEchoBackend(n, '127.0.0.4')));
  slow = await startEchoBackend('slow', '127.0.0.5', 400);
});

after(async () => {
  await Promise.all([...fast, slow].map((e) => e.close()));
});

function lifecycleModel(h: Harness, patch: (m: Draft<Model>) => void = () => undefined): Model {
  const m = model({
    global: globalSettings({ httpPort: h.httpPort, httpsPort: h.httpsPort }),
    backends: [
      backend('t_fast_80', [server(fast[0].host, fast[0].port), server(fast[1].host, fast[1].port, 'drain')]),
      backend('t_slow_80', [server(slow.host, slow.port)]),
    ],
    routes: [route('fast.test', '/', 'prefix', 't_fast_80'), route('slow.test', '/', 'prefix', 't_slow_80')],
    defaultCertificate: certificate('t_fallback', fallbackPem, []),
  });
  patch(m);
  return deepFreeze(m);
}

async function body(h: Harness, host: string): Promise<string> {
  return (await get(h.httpPort, { host })).body;
}

describe('rejected configurations', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    await h.close();
  });

  test('start refuses what haproxy -c rejects, names the object, and starts nothing', async () => {
    const bad = lifecycleModel(h, (m) => m.certificates.push(certificate('t_bogus', BOGUS_PEM, ['bogus.test'])));
    const result = await h.driver.start(bad);
    assert.equal(result.error?.code, 'PCL_ERR_HAPROXY_VALIDATION');
    assert.deepEqual(result.error?.source, { kind: 'Secret', namespace: 'default', name: 't_bogus' });
    assert.match(result.error?.output ?? '', /certs\/t_bogus\.pem/);
    await assert.rejects(h.proc());
    const good = await h.driver.start(lifecycleModel(h));
    assert.deepEqual([good.action, good.error], ['start', undefined]);
    assert.equal(await body(h, 'fast.test'), 'f0');
  });

  test('a change HAProxy rejects leaves the last good configuration serving', async () => {
    const configBefore = await readFile(join(h.stateDir, 'haproxy.cfg'), 'utf8');
    const bad = lifecycleModel(h, (m) => {
      m.backends.push(backend('t_new_80', []));
      m.certificates.push(certificate('t_bogus', BOGUS_PEM, ['bogus.test']));
    });
    const result = await h.driver.apply(bad);
    assert.equal(result.action, 'reload');
    assert.equal(result.error?.code, 'PCL_ERR_HAPROXY_VALIDATION');
    assert.equal(result.error?.source?.name, 't_bogus');
    assert.equal(await readFile(join(h.stateDir, 'haproxy.cfg'), 'utf8'), configBefore);
    assert.equal(h.driver.counters.reloads, 0);
    assert.equal(await body(h, 'fast.test'), 'f0');
  });

  test('a bad certificate meant for the Runtime API is rejected too, and the old one keeps serving', async () => {
    const result = await h.driver.apply(lifecycleModel(h, (m) => m.certificates.push(certificate('t_bogus', BOGUS_PEM, ['bogus.test']))));
    assert.equal(result.error?.code, 'PCL_ERR_HAPROXY_VALIDATION');
    assert.match(result.reasons.join(), /runtime API failed/);
    const tls = await get(h.httpsPort, { host: 'bogus.test', servername: 'bogus.test' });
    assert.equal(tls.certificateCN, 'default.test');
    assert.equal(await body(h, 'fast.test'), 'f0');
  });

  test('a model that cannot be rendered safely is refused with its source and changes nothing', async () => {
    const result = await h.driver.apply(lifecycleModel(h, (m) => { m.routes[0].host = 'fast.test\n    bind :1'; }));
    assert.equal(result.action, 'none');
    assert.equal(result.error?.code, 'PCL_ERR_HAPROXY_VALIDATION');
    assert.equal(result.error?.source?.name, 'ing-fast.test/');
    assert.equal(await body(h, 'fast.test'), 'f0');
  });
});

describe('supervision', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
    const result = await h.driver.start(lifecycleModel(h));
    assert.equal(result.error, undefined);
  });
  after(async () => {
    await h.close();
  });

  for (const [victim, pick] of [['worker', (p: { workers: number[] }) => p.workers[0]], ['master', (p: { masterPid: number }) => p.masterPid]] as const) {
    test(`HAProxy is restarted after its ${victim} is killed, with drain states restored`, async () => {
      const restartsBefore = h.driver.counters.restarts;
      const exited = once(h.driver, 'exit');
      const restarted = once(h.driver, 'restarted');
      process.kill(pick(await h.proc()), 'SIGKILL');
      const [code, signal] = await exited;
      assert.ok(code !== 0 || signal !== null, `exit reported as ${code}/${signal}`);
      await restarted;
      assert.equal(h.driver.counters.restarts, restartsBefore + 1);
      for (let i = 0; i < 4; i++) assert.equal(await body(h, 'fast.test'), 'f0');
    });
  }
});

describe('stopping', () => {
  test('stop lets an in-flight request finish, then leaves no HAProxy process', async () => {
    const h = await createHarness();
    try {
      await h.driver.start(lifecycleModel(h));
      const { masterPid, workers } = await h.proc();
      const inFlight = get(h.httpPort, { host: 'slow.test' });
      await eventually(() => slow.hits > 0, { timeoutMs: 2000, what: 'request reached the backend' });
      await h.driver.stop(3000);
      assert.deepEqual([(await inFlight).status, (await inFlight).body], [200, 'slow']);
      assert.ok(!alive(masterPid) && !workers.some(alive), 'no HAProxy process left');
      await assert.rejects(get(h.httpPort, { host: 'fast.test', timeoutMs: 1000 }));
    } finally {
      await h.close();
    }
  });

  test('stop kills HAProxy when requests outlast the grace period', async () => {
    const h = await createHarness({ hardStopAfterMs: 60_000 });
    const sleepy = await startEchoBackend('sleepy', '127.0.0.6', 10_000);
    try {
      await h.driver.start(lifecycleModel(h, (m) => { m.backends[1].servers = [server(sleepy.host, sleepy.port)]; }));
      const { masterPid, workers } = await h.proc();
      const inFlight = get(h.httpPort, { host: 'slow.test', timeoutMs: 15_000 }).then(() => 'answered', () => 'cut');
      await eventually(() => sleepy.hits > 0, { timeoutMs: 2000, what: 'request reached the backend' });
      const t0 = Date.now();
      await h.driver.stop(200);
      assert.ok(Date.now() - t0 < 3000, `stop took ${Date.now() - t0} ms`);
      assert.equal(await inFlight, 'cut');
      assert.ok(!alive(masterPid) && !workers.some(alive), 'no HAProxy process left');
    } finally {
      await h.close();
      await sleepy.close();
    }
  });
});
