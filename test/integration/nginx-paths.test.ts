/**
 * ingress-nginx's path and routing keys through a real HAProxy: regex paths of a host, rewrite-target
 * with capture groups, redirects, upstream-vhost, source allow-lists and limit-rps.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { selfSignedCertificate } from '../support/certs.js';
import { objects, request, startBackend, startPolicyProxy, type Backend, type PolicyProxy, type Reply } from './policy-support.js';

const N = 'nginx.ingress.kubernetes.io/';

let proxy: PolicyProxy;
let foo: Backend;
let bar: Backend;

function nginx(name: string, host: string, service: string, annotations: Record<string, string>, path = '/'): unknown {
  return objects.ingress(name, host, service, Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`${N}${k}`, v])), path);
}

function withTls(ingress: unknown, host: string, secret: string): unknown {
  const i = ingress as { spec: Record<string, unknown> };
  return { ...i, spec: { ...i.spec, tls: [{ hosts: [host], secretName: secret }] } };
}

function world(): unknown[] {
  const { certPem, keyPem } = selfSignedCertificate({ hosts: ['tls.example.com'] });
  return [
    objects.service('foo'), objects.endpoints('foo', [foo.port]),
    objects.service('bar'), objects.endpoints('bar', [bar.port]),
    // Two Ingresses of one host: use-regex on the first turns the second's Prefix path into a regex.
    nginx('regex', 'regex.example.com', 'foo', { 'use-regex': 'true' }, '/foo.*'),
    nginx('plain', 'regex.example.com', 'bar', {}, '/bar'),
    nginx('rewrite', 'rewrite.example.com', 'foo', { 'rewrite-target': '/$2' }, '/something(/|$)(.*)'),
    nginx('moved', 'moved.example.com', 'foo', { 'permanent-redirect': 'https://new.example.com/landing' }),
    nginx('moved-code', 'moved-code.example.com', 'foo', { 'permanent-redirect': 'https://new.example.com/', 'permanent-redirect-code': '308' }),
    nginx('temporal', 'temporal.example.com', 'foo', { 'temporal-redirect': 'http://other.example.com/tmp' }),
    nginx('force', 'force.example.com', 'foo', { 'force-ssl-redirect': 'true' }),
    { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'default', name: 'tls' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': certPem, 'tls.key': keyPem } },
    withTls(nginx('tls', 'tls.example.com', 'foo', { 'ssl-redirect': 'true' }), 'tls.example.com', 'tls'),
    withTls(nginx('tls-off', 'tls-off.example.com', 'foo', { 'ssl-redirect': 'false' }), 'tls-off.example.com', 'tls'),
    nginx('vhost', 'vhost.example.com', 'foo', { 'upstream-vhost': 'internal.example.com' }),
    nginx('allow', 'allow.example.com', 'foo', { 'whitelist-source-range': '127.0.0.2, 127.0.0.16/30' }),
    nginx('limit', 'limit.example.com', 'foo', { 'limit-rps': '1', 'limit-burst-multiplier': '3' }),
  ];
}

before(async () => {
  foo = await startBackend();
  bar = await startBackend();
  proxy = await startPolicyProxy();
  // The tls-off host's certificate does not name it; HAProxy still serves it on SNI fallback.
  await proxy.apply(world(), { allowDiagnostics: /tls-off\.example\.com|PCL_TLS/ });
});

after(async () => {
  await proxy?.close();
  await foo?.close();
  await bar?.close();
});

/** The path the backend saw for one request through HAProxy, and which backend it was. */
async function seenBy(host: string, path: string): Promise<{ status: number; backend?: 'foo' | 'bar'; path?: string }> {
  const before = { foo: foo.seen.length, bar: bar.seen.length };
  const reply = await request(proxy.port, { host, path });
  const which = foo.seen.length > before.foo ? 'foo' : bar.seen.length > before.bar ? 'bar' : undefined;
  return { status: reply.status, ...(which ? { backend: which, path: (which === 'foo' ? foo : bar).seen.at(-1)!.path } : {}) };
}

describe('use-regex: every path of the host is a case-insensitive regex anchored at the start', () => {
  const cases: [string, string, { status: number; backend?: 'foo' | 'bar'; path?: string }][] = [
    ['the regex itself', '/foo123', { status: 200, backend: 'foo', path: '/foo123' }],
    ['another case', '/Foo', { status: 200, backend: 'foo', path: '/Foo' }],
    ['anchored at the start only: what follows the match is free', '/FOOD/x', { status: 200, backend: 'foo', path: '/FOOD/x' }],
    ['another Ingress\'s Prefix path of the host is a regex too (no segment boundary)', '/barn', { status: 200, backend: 'bar', path: '/barn' }],
    ['and case-insensitive', '/BAR', { status: 200, backend: 'bar', path: '/BAR' }],
    ['anchored: the path must start with the expression', '/x/foo', { status: 404 }],
  ];
  for (const [name, path, expected] of cases) {
    test(`${name}: ${path}`, async () => {
      assert.deepEqual(await seenBy('regex.example.com', path), expected);
    });
  }
});

describe('rewrite-target /$2 with path /something(/|$)(.*)', () => {
  const cases: [string, string][] = [
    ['/something/new?x=1', '/new?x=1'],
    ['/something', '/'],
    ['/something/', '/'],
    ['/SomeThing/a/b', '/a/b'],
  ];
  for (const [path, expected] of cases) {
    test(`${path} reaches the Service as ${expected}`, async () => {
      assert.deepEqual(await seenBy('rewrite.example.com', path), { status: 200, backend: 'foo', path: expected });
    });
  }
});

function redirect(reply: Reply): [number, string | undefined] {
  return [reply.status, reply.headers.location];
}

describe('redirects', () => {
  test('permanent-redirect answers 301 with the URL, the query kept', async () => {
    assert.deepEqual(redirect(await request(proxy.port, { host: 'moved.example.com', path: '/a?q=1' })), [301, 'https://new.example.com/landing?q=1']);
  });
  test('permanent-redirect-code sets the status', async () => {
    assert.deepEqual(redirect(await request(proxy.port, { host: 'moved-code.example.com', path: '/' })), [308, 'https://new.example.com/']);
  });
  test('temporal-redirect answers 302', async () => {
    assert.deepEqual(redirect(await request(proxy.port, { host: 'temporal.example.com', path: '/' })), [302, 'http://other.example.com/tmp']);
  });
  test('force-ssl-redirect sends a host without TLS to HTTPS with 308', async () => {
    const reply = await request(proxy.port, { host: 'force.example.com', path: '/p?x=1' });
    assert.deepEqual(redirect(reply), [308, `https://force.example.com:${proxy.harness.httpsPort}/p?x=1`]);
  });
  test('ssl-redirect "true" sends a host with TLS to HTTPS with 308', async () => {
    assert.deepEqual(redirect(await request(proxy.port, { host: 'tls.example.com', path: '/p' })), [308, `https://tls.example.com:${proxy.harness.httpsPort}/p`]);
  });
  test('ssl-redirect "false" serves the TLS host over HTTP', async () => {
    assert.equal((await request(proxy.port, { host: 'tls-off.example.com', path: '/p' })).status, 200);
  });
});

test('upstream-vhost sets the Host header the Service sees', async () => {
  const reply = await request(proxy.port, { host: 'vhost.example.com' });
  assert.equal(reply.status, 200);
  assert.equal((reply.json?.headers as Record<string, string>).host, 'internal.example.com');
});

describe('whitelist-source-range', () => {
  const cases: [string, number][] = [['127.0.0.2', 200], ['127.0.0.17', 200], ['127.0.0.3', 403]];
  for (const [from, status] of cases) {
    test(`a client from ${from} gets ${status}`, async () => {
      assert.equal((await request(proxy.port, { host: 'allow.example.com', localAddress: from })).status, status);
    });
  }
});

test('limit-rps answers 503 past rate x limit-burst-multiplier requests in a second; other clients keep theirs', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await request(proxy.port, { host: 'limit.example.com', localAddress: '127.0.0.40' })).status);
  // Requests of a slow machine may straddle a window: what matters is that the limit is reached.
  assert.ok(statuses.filter((s) => s === 200).length >= 3, `statuses ${statuses.join(',')}`);
  assert.ok(statuses.includes(503), `statuses ${statuses.join(',')}`);
  assert.equal((await request(proxy.port, { host: 'limit.example.com', localAddress: '127.0.0.41' })).status, 200);
});
