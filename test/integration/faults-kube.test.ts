/**
 * The API server unreachable, then back with its watch history gone: HAProxy keeps serving the
 * last view, readiness stays true, the view is reported stale, and what changed meanwhile applies
 * soon after it is back, without a reload. PORTCULLIS_FAULT_OUTAGE_MS sets the outage (5 s here;
 * bench/faults.ts runs 60 s).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startControllerProcess } from '../support/cli-process.js';
import { startEchoServer, type EchoServer } from '../support/echo-server.js';
import { eventually } from '../support/eventually.js';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-api/index.js';
import { describeLoad, startLoad } from '../support/load.js';
import { endpointSlice, ingress, ingressClass, namespace, service } from '../support/objects.js';

const HOST = 'app.example.com';
const OUTAGE_MS = Number(process.env.PORTCULLIS_FAULT_OUTAGE_MS ?? 5000);
/** The goal for a change made right after the outage. */
const APPLY_WITHIN_MS = 5000;

async function metric(health: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${health}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `metric ${name} is exported`);
  return Number(line.split(' ')[1]);
}

describe('faults: the API server', () => {
  let api: KubeApiServer;
  let dir: string;
  let old: EchoServer;
  let fresh: EchoServer;
  before(async () => {
    api = await startKubeApiServer();
    dir = await mkdtemp(join(tmpdir(), 'portcullis-faults-kube-'));
    await api.writeKubeConfig(join(dir, 'kubeconfig'));
    old = await startEchoServer({ host: '127.0.61.1', env: { SERVICE_NAME: 'old' } });
    fresh = await startEchoServer({ host: '127.0.61.2', env: { SERVICE_NAME: 'fresh' } });
    api.create(namespace('faults'));
    api.create(ingressClass());
    for (const backend of [old, fresh]) {
      const name = backend === old ? 'old' : 'fresh';
      api.create(service('faults', name, [{ port: 80, targetPort: backend.port }]));
      api.create(endpointSlice('faults', name, [{ address: backend.host }], [{ port: backend.port }]));
    }
    // Both Services are routed from the start, so moving / between them is a route change between
    // existing backends: a Runtime API change, which is what the no-reload claim is about.
    api.create(ingress('faults', 'app', [{ host: HOST, paths: [{ service: 'old', port: 80 }, { path: '/spare', service: 'fresh', port: 80 }] }]));
  });
  after(async () => {
    await api.close();
    await old.close();
    await fresh.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(`an outage of ${OUTAGE_MS / 1000} s: 0 failed requests, ready throughout, no reload, the change made meanwhile applies within ${APPLY_WITHIN_MS / 1000} s`, async () => {
    const c = await startControllerProcess(['--kubeconfig', join(dir, 'kubeconfig'), '--state-dir', join(dir, 'state')]);
    const load = startLoad({ address: '127.0.0.1', port: c.http, host: HOST, concurrency: 4, maxDurationMs: OUTAGE_MS + 60_000 });
    const notReady: number[] = [];
    let probing = true;
    const probes = (async () => {
      while (probing) {
        const status = await fetch(`http://127.0.0.1:${c.health}/readyz`).then((r) => r.status, () => 0);
        if (status !== 200) notReady.push(status);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      await eventually(() => load.result().ok > 20, { timeoutMs: 5000, what: 'load flowing' });
      const reloads = await metric(c.health, 'portcullis_reloads_total');
      await api.stopListening();
      await eventually(async () => (await metric(c.health, 'portcullis_kube_view_stale')) === 1, { timeoutMs: 5000, what: 'the view reported stale' });
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      // Changed while the controller could not see it; the watch history is gone, so it must list again.
      api.apply(ingress('faults', 'app', [{ host: HOST, paths: [{ service: 'fresh', port: 80 }, { path: '/spare', service: 'old', port: 80 }] }]));
      api.compactHistory();
      await api.listenAgain();
      const back = Date.now();
      await eventually(() => load.result().recent.slice(-8).every((s) => s === 'fresh'), { timeoutMs: 20_000, intervalMs: 20, what: 'the change made meanwhile served' });
      const appliedMs = Date.now() - back;
      await eventually(async () => (await metric(c.health, 'portcullis_kube_view_stale')) === 0, { timeoutMs: 5000, what: 'the view fresh again' });
      const total = await load.stop();
      console.log(`API server outage ${OUTAGE_MS} ms: change applied ${appliedMs} ms after it was back; ${describeLoad(total)}`);
      assert.equal(total.failed, 0, describeLoad(total));
      assert.equal(total.retried, 0, describeLoad(total));
      assert.deepEqual(notReady, [], 'ready throughout');
      assert.equal(await metric(c.health, 'portcullis_reloads_total'), reloads, `no reload: ${c.output().split('\n').filter((l) => l.includes('configuration applied')).join('\n')}`);
      assert.ok(appliedMs < APPLY_WITHIN_MS, `applied ${appliedMs} ms after the API server was back`);
      assert.match(c.output(), /PCL_ERR_KUBE_STALE/);
      assert.match(c.output(), /up to date again/);
    } finally {
      probing = false;
      await probes;
      await load.stop();
      await c.stop();
    }
  });
});
