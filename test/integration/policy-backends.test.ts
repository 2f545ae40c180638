/**
 * Backend keys through a real HAProxy: how requests are spread (leastconn, hashing, cookies),
 * queued (pod-maxconn, timeout-queue), health-checked, retried and timed out, and how HAProxy
 * talks to the pods (PROXY protocol, TLS with a verified CA and a client certificate, HTTP/2).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { makeTestPki } from '../support/certs.js';
import { eventually } from '../support/eventually.js';
import {
  multiPortService, objects, request, startBackend, startPolicyProxy, startProxyProtocolBackend, type Backend, type PolicyProxy,
} from './policy-support.js';

let proxy: PolicyProxy;
const closers: (() => Promise<void>)[] = [];

async function backend(options: Parameters<typeof startBackend>[0] = {}): Promise<Backend> {
  const started = await startBackend(options);
  closers.push(() => started.close());
  return started;
}

/** A backend that answers after `ms`, counting how many requests it holds at once. */
async function slowBackend(ms: number) {
  const state = { active: 0, peak: 0 };
  const server = await backend({
    handler: (_req, res, seen) => {
      state.active++;
      state.peak = Math.max(state.peak, state.active);
      setTimeout(() => {
        state.active--;
        res.end(JSON.stringify(seen));
      }, ms);
    },
  });
  return { server, state };
}

/** The port of the pod that answered. */
async function answeredBy(host: string, headers: Record<string, string> = {}): Promise<{ port: number; headers: Record<string, unknown> }> {
  const reply = await request(proxy.port, { host, headers });
  assert.equal(reply.status, 200, reply.body);
  return { port: Number(reply.json?.port), headers: reply.headers };
}

let spread: Backend[];
let healthy: Backend;
let sick: Backend;
let slow: Awaited<ReturnType<typeof slowBackend>>;
let flaky: Backend;
let proxied: Awaited<ReturnType<typeof startProxyProtocolBackend>>;
let mtls: Backend;
let h2: Backend;
let https: Backend;
let flakyCalls = 0;

before(async () => {
  // Each pod answers with its own port, so tests see who served them; `/hold` answers late.
  spread = [];
  for (let i = 0; i < 2; i++) {
    const holder: { port?: number } = {};
    const b = await backend({ handler: (req, res) => (req.url === '/hold' ? setTimeout(() => res.end(JSON.stringify({ port: holder.port })), 1500) : res.end(JSON.stringify({ port: holder.port }))) });
    holder.port = b.port;
    spread.push(b);
  }
  healthy = await backend({ handler: (_req, res) => res.end(JSON.stringify({ port: healthy.port })) });
  sick = await backend({ handler: (req, res) => { res.statusCode = req.url === '/healthz' ? 500 : 200; res.end(JSON.stringify({ port: sick.port })); } });
  slow = await slowBackend(400);
  flaky = await backend({ handler: (_req, res) => { flakyCalls++; res.statusCode = flakyCalls % 2 === 1 ? 503 : 200; res.end(`call ${flakyCalls}`); } });
  proxied = await startProxyProtocolBackend();
  closers.push(() => proxied.close());
  const pki = makeTestPki();
  mtls = await backend({ tls: { cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem } });
  h2 = await backend({ h2: true });
  https = await backend({ tls: { cert: pki.server.certPem, key: pki.server.keyPem } });
  proxy = await startPolicyProxy();
  const ports = spread.map((b) => b.port);
  await proxy.apply([
    ...multiPortService('spread', ports),
    objects.ingress('rr', 'rr.example.com', 'spread'),
    objects.ingress('least', 'least.example.com', 'spread', { 'haproxy.org/load-balance': 'leastconn' }),
    objects.ingress('byhdr', 'byhdr.example.com', 'spread', { 'haproxy.org/load-balance': 'hdr(X-User)' }),
    objects.ingress('sticky', 'sticky.example.com', 'spread', { 'haproxy.org/cookie-persistence': 'PCLSRV' }),
    ...multiPortService('checked', [healthy.port, sick.port], { 'haproxy.org/check-http': '/healthz', 'haproxy.org/check-interval': '100ms' }),
    objects.ingress('checked', 'checked.example.com', 'checked'),
    ...multiPortService('slow', [slow.server.port]),
    objects.ingress('queued', 'queued.example.com', 'slow', { 'haproxy.org/pod-maxconn': '1' }),
    objects.ingress('impatient', 'impatient.example.com', 'slow', { 'haproxy.org/pod-maxconn': '1', 'haproxy.org/timeout-queue': '100ms' }),
    objects.ingress('timeout', 'timeout.example.com', 'slow', { 'haproxy.org/timeout-server': '100ms' }),
    ...multiPortService('flaky', [flaky.port]),
    objects.ingress('retry', 'retry.example.com', 'flaky', { 'haproxy.org/retries': '2', 'haproxy.org/retry-on': '503' }),
    objects.ingress('noretry', 'noretry.example.com', 'flaky', { 'haproxy.org/retry-on': 'conn-failure' }),
    ...multiPortService('proxied', [proxied.port], { 'haproxy.org/send-proxy-protocol': 'proxy' }),
    objects.ingress('proxied', 'proxied.example.com', 'proxied'),
    ...multiPortService('mtls', [mtls.port], { 'haproxy.org/server-ca': 'backend-ca', 'haproxy.org/server-crt': 'client-cert' }),
    objects.secret('backend-ca', { 'ca.crt': pki.ca.certPem }),
    objects.secret('client-cert', { 'tls.crt': pki.client.certPem, 'tls.key': pki.client.keyPem }),
    objects.ingress('mtls', 'mtls.example.com', 'mtls'),
    ...multiPortService('grpc', [h2.port], { 'haproxy.org/server-proto': 'h2' }),
    objects.ingress('h2', 'h2.example.com', 'grpc'),
    ...multiPortService('https', [https.port], { 'haproxy.org/server-ssl': 'true' }),
    objects.ingress('https', 'https.example.com', 'https'),
  ]);
});

after(async () => {
  await proxy?.close();
  await Promise.all(closers.map((close) => close()));
});

describe('load balancing', () => {
  test('roundrobin alternates; leastconn avoids the pod that holds a request', async () => {
    const rr = [await answeredBy('rr.example.com'), await answeredBy('rr.example.com')].map((a) => a.port);
    assert.notEqual(rr[0], rr[1], 'roundrobin alternates');
    const held = request(proxy.port, { host: 'least.example.com', path: '/hold' });
    await sleep(200);
    const busy = spread.find((b) => b.seen.some((s) => s.path === '/hold'))!;
    const next = [];
    for (let i = 0; i < 4; i++) next.push((await answeredBy('least.example.com')).port);
    assert.ok(next.every((p) => p !== busy.port), `leastconn sent ${JSON.stringify(next)} while ${busy.port} was busy`);
    assert.equal((await held).status, 200);
  });

  test('hdr(NAME) keeps each header value on one pod', async () => {
    for (const user of ['alice', 'bob', 'carol']) {
      const ports = new Set<number>();
      for (let i = 0; i < 4; i++) ports.add((await answeredBy('byhdr.example.com', { 'x-user': user })).port);
      assert.equal(ports.size, 1, `${user} went to ${[...ports]}`);
    }
  });

  test('cookie-persistence pins a client to the pod named by its cookie', async () => {
    const first = await answeredBy('sticky.example.com');
    const cookie = String(first.headers['set-cookie']).split(';')[0];
    assert.match(cookie, /^PCLSRV=/);
    for (let i = 0; i < 4; i++) assert.equal((await answeredBy('sticky.example.com', { cookie })).port, first.port);
  });
});

describe('health checks, queues, timeouts and retries', () => {
  test('check-http takes the pod whose health URI fails out of rotation', async () => {
    await eventually(async () => {
      const ports = [];
      for (let i = 0; i < 4; i++) ports.push((await answeredBy('checked.example.com')).port);
      return ports.every((p) => p === healthy.port);
    }, { what: 'only the healthy pod answers', timeoutMs: 5000 });
    assert.ok(sick.seen.some((s) => s.path === '/healthz'), 'HAProxy asked the health URI');
  });

  test('pod-maxconn queues excess requests in HAProxy: the pod never holds two', async () => {
    slow.state.peak = 0;
    const replies = await Promise.all([1, 2, 3].map(() => request(proxy.port, { host: 'queued.example.com' })));
    assert.deepEqual(replies.map((r) => r.status), [200, 200, 200]);
    assert.equal(slow.state.peak, 1);
  });

  test('a request queued longer than timeout-queue gets 503', async () => {
    const replies = await Promise.all([1, 2].map(() => request(proxy.port, { host: 'impatient.example.com' })));
    assert.deepEqual(replies.map((r) => r.status).sort(), [200, 503]);
  });

  test('a pod slower than timeout-server gets 504', async () => {
    assert.equal((await request(proxy.port, { host: 'timeout.example.com' })).status, 504);
  });

  test('retry-on 503 retries a failed request; without it the 503 reaches the client', async () => {
    flakyCalls = 0;
    assert.equal((await request(proxy.port, { host: 'retry.example.com' })).status, 200);
    assert.equal(flakyCalls, 2);
    flakyCalls = 0;
    assert.equal((await request(proxy.port, { host: 'noretry.example.com' })).status, 503);
  });
});

describe('how HAProxy talks to the pods', () => {
  test('send-proxy-protocol sends a PROXY header with the client address', async () => {
    const reply = await request(proxy.port, { host: 'proxied.example.com', localAddress: '127.0.0.8' });
    assert.equal(reply.status, 200);
    assert.match(String(reply.json?.proxy), /^PROXY TCP4 127\.0\.0\.8 127\.0\.0\.1 \d+ \d+$/);
  });

  test('server-ssl: TLS to the pod, its certificate not verified without server-ca', async () => {
    const reply = await request(proxy.port, { host: 'https.example.com' });
    assert.equal(reply.status, 200, reply.body);
    assert.equal(reply.json?.path, '/');
  });

  test('server-ca and server-crt: TLS to a pod that verifies our client certificate', async () => {
    const reply = await request(proxy.port, { host: 'mtls.example.com' });
    assert.equal(reply.status, 200, reply.body);
    assert.equal(reply.json?.clientCertificate, 'portcullis-client');
  });

  test('server-proto h2: the pod receives HTTP/2', async () => {
    const reply = await request(proxy.port, { host: 'h2.example.com' });
    assert.equal(reply.status, 200, reply.body);
    assert.equal(reply.json?.httpVersion, '2.0');
  });
});
