/**
 * Routing, rewriting and header keys through a real HAProxy: what the backend receives (path,
 * Host, headers, X-Forwarded-For) and what the client gets back (redirects, response and CORS
 * headers), with Ingress values over ConfigMap values.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { objects, request, startBackend, startPolicyProxy, type Backend, type PolicyProxy, type Seen } from './policy-support.js';

let proxy: PolicyProxy;
let app: Backend;

before(async () => {
  app = await startBackend();
  proxy = await startPolicyProxy();
  await proxy.apply([
    objects.configMap({ 'request-set-header': 'X-From-ConfigMap yes', 'ssl-redirect-port': '9443' }),
    objects.service('app'),
    objects.endpoints('app', [app.port]),
    objects.ingress('plain', 'plain.example.com', 'app'),
    objects.ingress('regex', 'regex.example.com', 'app', { 'haproxy.org/path-rewrite': '/old/(.*) /new/\\1' }),
    objects.ingress('fixed', 'fixed.example.com', 'app', { 'haproxy.org/path-rewrite': '/fixed%20path' }),
    objects.ingress('host', 'host.example.com', 'app', { 'haproxy.org/set-host': 'internal.example.com:8080' }),
    objects.ingress('headers', 'headers.example.com', 'app', {
      'haproxy.org/request-set-header': "X-Team platform\nX-Literal %[src] 'quoted' \\ $HOME #not-a-comment",
      'haproxy.org/response-set-header': 'Cache-Control "no-store, private"\nX-Frame-Options DENY',
    }),
    objects.ingress('noxff', 'noxff.example.com', 'app', { 'haproxy.org/forwarded-for': 'false' }),
    objects.ingress('moved', 'moved.example.com', 'app', { 'haproxy.org/request-redirect': 'www.example.com:8443', 'haproxy.org/request-redirect-code': '308' }),
    objects.ingress('secure', 'secure.example.com', 'app', { 'haproxy.org/ssl-redirect': 'true', 'haproxy.org/ssl-redirect-code': '301' }),
    objects.ingress('cors', 'cors.example.com', 'app', {
      'haproxy.org/cors-enable': 'true',
      'haproxy.org/cors-allow-origin': 'https://app.example.com, https://admin.example.com',
      'haproxy.org/cors-allow-methods': 'GET, POST',
      'haproxy.org/cors-allow-headers': 'X-Custom',
      'haproxy.org/cors-allow-credentials': 'true',
      'haproxy.org/cors-max-age': '1m',
    }),
  ]);
});

after(async () => {
  await proxy?.close();
  await app?.close();
});

/** What the backend saw of a request to `host` and `path`. */
async function seenFor(host: string, path = '/', headers: Record<string, string> = {}): Promise<Seen> {
  const reply = await request(proxy.port, { host, path, headers });
  assert.equal(reply.status, 200, reply.body);
  return reply.json as unknown as Seen;
}

describe('path-rewrite and set-host', () => {
  const cases: [string, string, string, string][] = [
    ['a regex rewrite applies to path and query', 'regex.example.com', '/old/a/b?q=1', '/new/a/b?q=1'],
    ['a path that does not match the regex is left alone', 'regex.example.com', '/other', '/other'],
    ['a bare path replaces the path and keeps the query ("%" stays literal)', 'fixed.example.com', '/anything?q=2', '/fixed%20path?q=2'],
    ['an Ingress without rewrite passes the path through', 'plain.example.com', '/old/a', '/old/a'],
  ];
  for (const [name, host, path, expected] of cases) {
    test(name, async () => {
      assert.equal((await seenFor(host, path)).path, expected);
    });
  }

  test('set-host replaces the Host header after routing', async () => {
    assert.equal((await seenFor('host.example.com')).headers.host, 'internal.example.com:8080');
  });
});

describe('headers', () => {
  test('request headers arrive literally, even with sample fetches, quotes, "$", "\\" and "#" in them', async () => {
    const seen = await seenFor('headers.example.com');
    assert.equal(seen.headers['x-team'], 'platform');
    assert.equal(seen.headers['x-literal'], "%[src] 'quoted' \\ $HOME #not-a-comment");
  });

  test('response headers reach the client', async () => {
    const reply = await request(proxy.port, { host: 'headers.example.com' });
    assert.equal(reply.headers['cache-control'], 'no-store, private');
    assert.equal(reply.headers['x-frame-options'], 'DENY');
  });

  test('a ConfigMap header applies to Ingresses that set none, and not to those that set their own', async () => {
    assert.equal((await seenFor('plain.example.com')).headers['x-from-configmap'], 'yes');
    assert.equal((await seenFor('headers.example.com')).headers['x-from-configmap'], undefined);
  });

  test('X-Forwarded-For is added by default and left out with forwarded-for "false"', async () => {
    assert.equal((await seenFor('plain.example.com')).headers['x-forwarded-for'], '127.0.0.1');
    assert.equal((await seenFor('noxff.example.com')).headers['x-forwarded-for'], undefined);
  });
});

describe('redirects', () => {
  test('request-redirect sends the client to the other host and port with the configured code', async () => {
    const reply = await request(proxy.port, { host: 'moved.example.com', path: '/a/b?q=1' });
    assert.equal(reply.status, 308);
    assert.equal(reply.headers.location, 'http://www.example.com:8443/a/b?q=1');
  });

  test('ssl-redirect on an Ingress redirects to the ConfigMap port with the Ingress code', async () => {
    const reply = await request(proxy.port, { host: 'secure.example.com', path: '/x?y=1' });
    assert.equal(reply.status, 301);
    assert.equal(reply.headers.location, 'https://secure.example.com:9443/x?y=1');
  });
});

describe('CORS', () => {
  const origin = { origin: 'https://app.example.com' };

  test('a preflight is answered by HAProxy with the CORS headers', async () => {
    const before = app.seen.length;
    const reply = await request(proxy.port, { host: 'cors.example.com', method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'POST' } });
    assert.equal(reply.status, 204);
    assert.equal(reply.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(reply.headers['access-control-allow-methods'], 'GET, POST');
    assert.equal(reply.headers['access-control-allow-headers'], 'X-Custom');
    assert.equal(reply.headers['access-control-allow-credentials'], 'true');
    assert.equal(reply.headers['access-control-max-age'], '60');
    assert.equal(app.seen.length, before, 'the Service never sees the preflight');
  });

  test('an allowed origin is echoed on normal responses', async () => {
    const reply = await request(proxy.port, { host: 'cors.example.com', headers: { origin: 'https://admin.example.com' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['access-control-allow-origin'], 'https://admin.example.com');
    assert.match(String(reply.headers.vary), /Origin/);
  });

  test('another origin gets no Access-Control-Allow-Origin', async () => {
    const reply = await request(proxy.port, { host: 'cors.example.com', headers: { origin: 'https://evil.example.com' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['access-control-allow-origin'], undefined);
  });
});
