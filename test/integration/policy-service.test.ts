/**
 * Route keys set on a Service, through a real HAProxy: path-rewrite and set-host apply to every
 * route that reaches that Service, over the Ingress's values, and to no route to another Service
 * of the same Ingress.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { objects, request, startBackend, startPolicyProxy, type Backend, type PolicyProxy, type Seen } from './policy-support.js';

let proxy: PolicyProxy;
let a: Backend;
let b: Backend;

/** One Ingress: /a to Service a (which sets both keys), /b to Service b (which sets neither). */
function shop(annotations: Record<string, string>) {
  const path = (p: string, service: string) => ({ path: p, pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } });
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { namespace: 'default', name: 'shop', annotations },
    spec: { ingressClassName: 'portcullis', rules: [{ host: 'shop.example.com', http: { paths: [path('/a', 'a'), path('/b', 'b')] } }] },
  };
}

before(async () => {
  a = await startBackend();
  b = await startBackend();
  proxy = await startPolicyProxy();
  await proxy.apply([
    objects.service('a', { 'haproxy.org/path-rewrite': '/', 'haproxy.org/set-host': 'a.internal' }),
    objects.endpoints('a', [a.port]),
    objects.service('b'),
    objects.endpoints('b', [b.port]),
    shop({ 'haproxy.org/path-rewrite': '^/b/(.*) /ingress/\\1' }),
    objects.ingress('direct', 'a.example.com', 'a'),
  ]);
});

after(async () => {
  await proxy?.close();
  await a?.close();
  await b?.close();
});

async function seenFor(host: string, path: string): Promise<Seen> {
  const reply = await request(proxy.port, { host, path });
  assert.equal(reply.status, 200, reply.body);
  return reply.json as unknown as Seen;
}

test('path-rewrite on a Service applies to its routes, over the Ingress value', async () => {
  assert.equal((await seenFor('shop.example.com', '/a/page?q=1')).path, '/?q=1');
  assert.equal((await seenFor('a.example.com', '/anything')).path, '/', 'a route of another Ingress to the Service');
});

test('set-host on a Service applies to its routes', async () => {
  assert.equal((await seenFor('shop.example.com', '/a')).headers.host, 'a.internal');
  assert.equal((await seenFor('a.example.com', '/')).headers.host, 'a.internal');
});

test('a route of the same Ingress to another Service keeps the Ingress value and its own Host', async () => {
  const seen = await seenFor('shop.example.com', '/b/page');
  assert.equal(seen.path, '/ingress/page');
  assert.equal(seen.headers.host, 'shop.example.com');
  assert.equal(b.seen.length, 1, 'only the /b request reached b');
});

test('removing the annotation from the Service gives its routes the Ingress value again', async () => {
  await proxy.apply([
    objects.service('a'),
    objects.endpoints('a', [a.port]),
    objects.service('b'),
    objects.endpoints('b', [b.port]),
    shop({ 'haproxy.org/path-rewrite': '/from-ingress' }),
    objects.ingress('direct', 'a.example.com', 'a'),
  ]);
  assert.equal((await seenFor('shop.example.com', '/a/page')).path, '/from-ingress');
  assert.equal((await seenFor('a.example.com', '/page')).path, '/page');
  assert.equal((await seenFor('a.example.com', '/')).headers.host, 'a.example.com');
});
