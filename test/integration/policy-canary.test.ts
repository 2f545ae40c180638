/**
 * Canary Ingresses and session affinity (ingress-nginx's keys) through a real HAProxy: header, then
 * cookie, then weight; a weight change applied without a reload (counted by the master CLI); an
 * affinity cookie keeping a client on its pod; `upstream-hash-by` keeping a URI on one pod.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { multiPortService, objects, request, startBackend, startPolicyProxy, type Backend, type PolicyProxy } from './policy-support.js';

const N = 'nginx.ingress.kubernetes.io/';
let proxy: PolicyProxy;
const pods: Backend[] = [];
let main: number[];
let canary: number;

async function pod(): Promise<number> {
  const holder: { port?: number } = {};
  const b = await startBackend({ handler: (_req, res) => res.end(JSON.stringify({ port: holder.port })) });
  holder.port = b.port;
  pods.push(b);
  return b.port;
}

/** The port of the pod that answered. */
async function answeredBy(host: string, headers: Record<string, string> = {}, path = '/'): Promise<{ port: number; headers: Record<string, unknown> }> {
  const reply = await request(proxy.port, { host, headers, path });
  assert.equal(reply.status, 200, reply.body);
  return { port: Number(reply.json?.port), headers: reply.headers };
}

async function canaryShare(host: string, requests: number): Promise<number> {
  let hits = 0;
  for (let i = 0; i < requests; i++) if ((await answeredBy(host)).port === canary) hits++;
  return hits;
}

function canaryPair(name: string, host: string, annotations: Record<string, string>, mainAnnotations: Record<string, string> = {}): unknown[] {
  return [objects.ingress(name, host, 'main', mainAnnotations), objects.ingress(`${name}-canary`, host, 'canary', { [`${N}canary`]: 'true', ...annotations })];
}

function world(weight: string): unknown[] {
  return [
    ...multiPortService('main', main),
    ...multiPortService('canary', [canary]),
    ...canaryPair('weight', 'weight.example.com', { [`${N}canary-weight`]: weight }),
    ...canaryPair('header', 'header.example.com', { [`${N}canary-by-header`]: 'X-Canary', [`${N}canary-weight`]: '100' }),
    ...canaryPair('value', 'value.example.com', { [`${N}canary-by-header`]: 'X-Canary', [`${N}canary-by-header-value`]: 'on' }),
    ...canaryPair('pattern', 'pattern.example.com', { 'haproxy.org/canary-by-header': 'X-Group', 'haproxy.org/canary-by-header-pattern': '^beta-' }),
    ...canaryPair('cookie', 'cookie.example.com', { [`${N}canary-by-header`]: 'X-Canary', [`${N}canary-by-cookie`]: 'use_canary', [`${N}canary-weight`]: '100' }),
    objects.ingress('sticky', 'sticky.example.com', 'main', {
      [`${N}affinity`]: 'cookie', [`${N}affinity-mode`]: 'persistent', [`${N}session-cookie-max-age`]: '600', [`${N}session-cookie-samesite`]: 'Lax',
      [`${N}session-cookie-path`]: '/app',
    }),
    objects.ingress('hash', 'hash.example.com', 'main', { [`${N}upstream-hash-by`]: '$request_uri' }),
    objects.ingress('hash-two', 'hash-two.example.com', 'main', { [`${N}upstream-hash-by`]: '$http_x_user$arg_tenant' }),
  ];
}

before(async () => {
  main = [await pod(), await pod()];
  canary = await pod();
  proxy = await startPolicyProxy();
  await proxy.apply(world('20'));
});

after(async () => {
  await proxy?.close();
  await Promise.all(pods.map((p) => p.close()));
});

describe('canary', () => {
  test('by header: always and never decide over the weight; other values fall through to it', async () => {
    assert.equal((await answeredBy('header.example.com', { 'x-canary': 'always' })).port, canary);
    assert.notEqual((await answeredBy('header.example.com', { 'x-canary': 'never' })).port, canary, 'never beats a weight of 100');
    assert.equal((await answeredBy('header.example.com', { 'x-canary': 'perhaps' })).port, canary, 'weight 100');
    assert.equal((await answeredBy('header.example.com')).port, canary, 'weight 100');
  });

  test('by header value and pattern: only the value or a match goes to the canary', async () => {
    assert.equal((await answeredBy('value.example.com', { 'x-canary': 'on' })).port, canary);
    assert.notEqual((await answeredBy('value.example.com', { 'x-canary': 'always' })).port, canary, 'always is not special with a value');
    assert.notEqual((await answeredBy('value.example.com')).port, canary);
    assert.equal((await answeredBy('pattern.example.com', { 'x-group': 'beta-7' })).port, canary);
    assert.notEqual((await answeredBy('pattern.example.com', { 'x-group': 'alpha-beta-7' })).port, canary);
  });

  test('by cookie: always and never, after the header and before the weight', async () => {
    assert.equal((await answeredBy('cookie.example.com', { cookie: 'a=1; use_canary=always' })).port, canary);
    assert.notEqual((await answeredBy('cookie.example.com', { cookie: 'use_canary=never' })).port, canary, 'never beats a weight of 100');
    assert.equal((await answeredBy('cookie.example.com', { cookie: 'use_canary=sometimes' })).port, canary, 'weight 100');
    assert.notEqual((await answeredBy('cookie.example.com', { cookie: 'use_canary=always', 'x-canary': 'never' })).port, canary, 'the header first');
    assert.equal((await answeredBy('cookie.example.com', { cookie: 'use_canary=never', 'x-canary': 'always' })).port, canary, 'the header first');
  });

  test('a weight of 20 sends 20 +- 5 % of requests to the canary; 50 applies without a reload', async () => {
    const hits = await canaryShare('weight.example.com', 400);
    assert.ok(hits >= 60 && hits <= 100, `canary got ${hits} of 400`);
    const reloads = (await proxy.harness.proc()).reloads;
    const applied = await proxy.apply(world('50'));
    assert.equal(applied.action, 'runtime', applied.reasons.join('; '));
    const half = await canaryShare('weight.example.com', 400);
    assert.ok(half >= 180 && half <= 220, `canary got ${half} of 400`);
    assert.equal((await proxy.harness.proc()).reloads, reloads, 'the master counted no reload');
  });
});

describe('session affinity', () => {
  test('affinity: cookie keeps a client on one pod, with the cookie attributes asked for', async () => {
    const first = await answeredBy('sticky.example.com', {}, '/app/x');
    const setCookie = String(first.headers['set-cookie']);
    // HAProxy always writes path=/; the later Path is the one browsers keep (RFC 6265, 5.2).
    assert.match(setCookie, /^INGRESSCOOKIE=[^;]+; path=\/; HttpOnly; Path=\/app; Max-Age=600; SameSite=Lax$/);
    const cookie = setCookie.split(';')[0];
    for (let i = 0; i < 6; i++) assert.equal((await answeredBy('sticky.example.com', { cookie }, '/app/x')).port, first.port);
    const fresh = new Set<number>();
    for (let i = 0; i < 4; i++) fresh.add((await answeredBy('sticky.example.com')).port);
    assert.equal(fresh.size, 2, 'clients without the cookie are still spread');
  });

  test('upstream-hash-by $request_uri maps each URI to one pod', async () => {
    const byUri = new Map<string, number>();
    for (let i = 0; i < 12; i++) {
      const uri = `/item/${i}?v=${i}`;
      const ports = new Set<number>();
      for (let j = 0; j < 3; j++) ports.add((await answeredBy('hash.example.com', {}, uri)).port);
      assert.equal(ports.size, 1, `${uri} went to ${[...ports]}`);
      byUri.set(uri, [...ports][0]);
    }
    assert.equal(new Set(byUri.values()).size, 2, 'different URIs use both pods');
  });

  test('upstream-hash-by with two variables hashes both: one user and tenant stay on one pod', async () => {
    const seen = new Set<number>();
    for (const user of ['ann', 'ben', 'cat', 'dan', 'eve', 'fay']) {
      const ports = new Set<number>();
      for (let j = 0; j < 3; j++) ports.add((await answeredBy('hash-two.example.com', { 'x-user': user }, `/r${j}?tenant=t1`)).port);
      assert.equal(ports.size, 1, `${user} went to ${[...ports]}`);
      seen.add([...ports][0]);
    }
    assert.equal(seen.size, 2, 'different users use both pods');
  });
});
