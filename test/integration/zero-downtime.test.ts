import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { selfSignedCertificate } from '../support/certs.js';
import { describeLoad, startLoad, type LoadResult } from '../support/load.js';
import { eventually } from '../support/eventually.js';
import { endpointSlice, ingress, ingressClass, namespace, service, tlsSecret, type SliceEndpoint } from '../support/objects.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Zero-downtime changes under continuous load through a real HAProxy: no request of a client that
 * never retries may fail (keep-alive and fresh connections, GET and POST), the right version must
 * serve after each change, and only structural changes may reload.
 */
describe('zero-downtime changes under load', () => {
  let stack: Stack;
  const ns = 'rollout';
  const port = [{ name: 'http', port: 8080 }];
  const addr = (group: number, i: number) => `127.0.${group}.${i}`;
  /** Endpoint slice for the `app` Service from the given echo backends. */
  const setEndpoints = (endpoints: SliceEndpoint[]) => stack.api.apply(endpointSlice(ns, 'app', endpoints, port));
  const reloads = () => stack.running.driver.counters.reloads;
  const assertClean = (r: LoadResult, what: string) => {
    process.stdout.write(`# ${what}: ${describeLoad(r)}, served ${JSON.stringify(r.served)}\n`);
    assert.equal(r.failed, 0, `${what}: failed requests ${JSON.stringify({ failures: r.failures, statuses: r.statuses })}`);
    assert.equal(r.retried, 0, `${what}: nothing may be sent twice`);
    // Half the loops keep connections alive, half open one per request: both kinds must have run.
    for (const kind of ['keep-alive GET', 'keep-alive POST', 'fresh GET', 'fresh POST']) assert.ok((r.sentBy[kind] ?? 0) > 0, `${what}: ${kind} requests ran`);
    assert.ok(r.ok > 50, `${what}: the load kept running (${r.ok} ok)`);
  };
  const servingOnly = async (who: string) =>
    eventually(async () => {
      const seen = new Set<unknown>();
      for (let i = 0; i < 8; i++) seen.add((await stack.request('app.example.com', '/')).json?.service);
      return seen.size === 1 && seen.has(who);
    }, { what: `only ${who} serving` });

  before(async () => {
    stack = await startStack();
    stack.api.create(namespace(ns));
    stack.api.create(ingressClass());
    // v1 and blue on 127.0.41.x, v2 and green on 127.0.42.x; the echo's `service` names the version.
    for (let i = 1; i <= 4; i++) {
      await stack.backend({ address: addr(41, i), port: 8080, service: 'v1', namespace: ns });
      await stack.backend({ address: addr(42, i), port: 8080, service: 'v2', namespace: ns });
    }
    stack.api.create(service(ns, 'app', [{ name: 'http', port: 80, targetPort: 8080 }]));
    setEndpoints([1, 2, 3, 4].map((i) => ({ address: addr(41, i) })));
    stack.api.create(ingress(ns, 'app', [{ host: 'app.example.com', paths: [{ service: 'app', port: 80 }] }]));
    await servingOnly('v1');
  });

  after(async () => {
    await stack?.close();
  });

  it('rolls v1 -> v2 one endpoint at a time, and back, without a failed request or a reload', async () => {
    const before = reloads();
    const load = startLoad({ address: stack.address, port: stack.httpPort, host: 'app.example.com', concurrency: 4 });
    const roll = async (from: number, to: number) => {
      const current = new Map<string, SliceEndpoint>([1, 2, 3, 4].map((i) => [addr(from, i), { address: addr(from, i) }]));
      for (let i = 1; i <= 4; i++) {
        current.set(addr(to, i), { address: addr(to, i) });
        setEndpoints([...current.values()]);
        await new Promise((r) => setTimeout(r, 60));
        current.set(addr(from, i), { address: addr(from, i), ready: false, serving: true, terminating: true });
        setEndpoints([...current.values()]);
        await new Promise((r) => setTimeout(r, 60));
        current.delete(addr(from, i));
        setEndpoints([...current.values()]);
        await new Promise((r) => setTimeout(r, 60));
      }
    };
    await roll(41, 42);
    await servingOnly('v2');
    await roll(42, 41);
    await servingOnly('v1');
    assertClean(await load.stop(), 'rolling update');
    assert.equal(reloads(), before, 'endpoint churn must not reload');
  });

  it('flips blue-green ten times without a failed request or a reload', async () => {
    const before = reloads();
    const load = startLoad({ address: stack.address, port: stack.httpPort, host: 'app.example.com', concurrency: 4 });
    for (let flip = 0; flip < 10; flip++) {
      const [group, color] = flip % 2 === 0 ? [42, 'v2'] : [41, 'v1'];
      setEndpoints([1, 2, 3, 4].map((i) => ({ address: addr(group, i) })));
      await servingOnly(color);
    }
    assertClean(await load.stop(), 'blue-green');
    assert.equal(reloads(), before);
  });

  it('keeps a long-lived response on blue going after traffic moves to green', async () => {
    const stream = await streamingBackend('127.0.43.1', 8080);
    try {
      setEndpoints([{ address: '127.0.43.1' }]);
      await eventually(async () => (await stack.request('app.example.com', '/')).body.startsWith('tick'), { what: 'streaming backend serving' });
      const body = collect(stack.address, stack.httpPort, 'app.example.com');
      await new Promise((r) => setTimeout(r, 300));
      setEndpoints([1, 2, 3, 4].map((i) => ({ address: addr(41, i) })));
      await servingOnly('v1');
      const text = await body;
      assert.equal(text, 'tick\n'.repeat(20), 'the stream ran to its own end');
    } finally {
      stream.close();
    }
  });

  it('survives a forced reload (a new backend) in the middle of load', async () => {
    const before = reloads();
    const load = startLoad({ address: stack.address, port: stack.httpPort, host: 'app.example.com', concurrency: 4 });
    await new Promise((r) => setTimeout(r, 200));
    await stack.backend({ address: '127.0.44.1', port: 8080, service: 'other', namespace: ns });
    stack.api.create(service(ns, 'other', [{ name: 'http', port: 80, targetPort: 8080 }]));
    stack.api.apply(endpointSlice(ns, 'other', [{ address: '127.0.44.1' }], port));
    stack.api.create(ingress(ns, 'other', [{ host: 'other.example.com', paths: [{ service: 'other', port: 80 }] }]));
    await eventually(async () => (await stack.request('other.example.com', '/')).json?.service === 'other', { what: 'the new backend' });
    await new Promise((r) => setTimeout(r, 300));
    assertClean(await load.stop(), 'reload');
    assert.ok(reloads() > before, 'a new backend is a structural change');
  });

  it('scales 1 -> 100 -> 1 without a failed request or a reload', async () => {
    for (let i = 1; i <= 100; i++) await stack.backend({ address: addr(45, i), port: 8080, service: 'v3', namespace: ns, pod: `v3-${i}` });
    setEndpoints([{ address: addr(45, 1) }]);
    await servingOnly('v3');
    await stack.settle();
    const before = reloads();
    const load = startLoad({ address: stack.address, port: stack.httpPort, host: 'app.example.com', concurrency: 4, by: 'pod' });
    const all = Array.from({ length: 100 }, (_, i) => ({ address: addr(45, i + 1) }));
    setEndpoints(all);
    await eventually(async () => {
      const pods = new Set<unknown>();
      for (let i = 0; i < 200; i++) pods.add((await stack.request('app.example.com', '/')).json?.pod);
      return pods.size > 50;
    }, { what: 'traffic spread over the scaled-up endpoints' });
    setEndpoints([all[0]]);
    await eventually(async () => {
      const pods = new Set<unknown>();
      for (let i = 0; i < 10; i++) pods.add((await stack.request('app.example.com', '/')).json?.pod);
      return pods.size === 1 && pods.has('v3-1');
    }, { what: 'back to one endpoint' });
    const result = await load.stop();
    assertClean(result, 'scaling');
    assert.equal(reloads(), before, 'scaling past the pre-allocated slots uses add server, not a reload');
  });

  it('rotates a certificate under HTTPS load without a failed request or a reload', async () => {
    const first = selfSignedCertificate({ hosts: ['app.example.com'], commonName: 'first' });
    stack.api.create(tlsSecret(ns, 'app-tls', first.certPem, first.keyPem));
    stack.api.apply(ingress(ns, 'app', [{ host: 'app.example.com', paths: [{ service: 'app', port: 80 }] }], { tls: [{ hosts: ['app.example.com'], secretName: 'app-tls' }] }));
    await eventually(async () => (await stack.request('app.example.com', '/', { https: true })).certificate?.subject?.CN === 'first', { what: 'first certificate' });
    await stack.settle();
    const before = reloads();
    const load = startLoad({ address: stack.address, port: stack.httpsPort, host: 'app.example.com', https: true, concurrency: 4 });
    await new Promise((r) => setTimeout(r, 200));
    const second = selfSignedCertificate({ hosts: ['app.example.com'], commonName: 'second' });
    stack.api.apply(tlsSecret(ns, 'app-tls', second.certPem, second.keyPem));
    await eventually(async () => (await stack.request('app.example.com', '/', { https: true })).certificate?.subject?.CN === 'second', { what: 'rotated certificate' });
    await new Promise((r) => setTimeout(r, 200));
    assertClean(await load.stop(), 'certificate rotation');
    assert.equal(reloads(), before, 'a rotated certificate applies at runtime');
  });
});

/** A backend whose every response streams 20 lines, one each 50 ms. */
async function streamingBackend(host: string, port: number): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    let n = 0;
    const timer = setInterval(() => {
      res.write('tick\n');
      if (++n === 20) {
        clearInterval(timer);
        res.end();
      }
    }, 50);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(port, host, r));
  return server;
}

function collect(address: string, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path: '/stream', headers: { host }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
