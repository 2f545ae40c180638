import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKubeApiServer } from '../support/kube-api/index.js';
import { AddressAllocator } from './backends.js';
import { apiStatus, Cluster, isRetryable } from './cluster.js';
import { ScenarioWorld } from './world.js';

type Api = Awaited<ReturnType<typeof startKubeApiServer>>;

describe('Cluster and ScenarioWorld against the API test server', () => {
  let api: Api;
  let cluster: Cluster;
  before(async () => {
    api = await startKubeApiServer();
    cluster = Cluster.fromString(api.kubeConfig());
  });
  after(() => api.close());

  const world = () =>
    new ScenarioWorld(cluster, new AddressAllocator('127.0.0.1'), {
      ingressClass: 'conformance', waitForStatusMs: 2000, pollIntervalMs: 50, scaleSettleMs: 0, requestTimeoutMs: 2000,
      ports: { http: 80, https: 443 },
    });

  test('creates labelled namespaces with server-generated names and lists them for the start-up sweep', async () => {
    const a = await cluster.createNamespace();
    const b = await cluster.createNamespace();
    assert.match(a, /^ingress-conformance-\w+$/);
    assert.notEqual(a, b);
    const listed = await cluster.listSuiteNamespaces();
    assert.ok(listed.includes(a) && listed.includes(b));
    await cluster.deleteNamespace(a);
    await cluster.deleteNamespace(b);
  });

  test('an IngressClass that already exists is left alone', async () => {
    const body = { metadata: { name: 'conformance' }, spec: { controller: 'portcullis.dev/ingress-controller' } };
    await cluster.ensureIngressClass(body);
    await cluster.ensureIngressClass(body);
    assert.equal((api.list('networking.k8s.io/v1', 'IngressClass') as object[]).length, 1);
  });

  test('a scenario writes Service, Endpoints, EndpointSlice, Secret and Ingress, sees the status and cleans up', async () => {
    const w = world();
    try {
      await w.newNamespace();
      await w.createTlsSecret('conformance-tls', 'foo.bar.com');
      await w.createIngressFromManifest(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: host-rules}
spec:
  tls: [{hosts: [foo.bar.com], secretName: conformance-tls}]
  rules:
  - host: foo.bar.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: foo-bar-com, port: {name: http}}}}]}
`);
      const ns = w.namespace;
      const svc = api.get('v1', 'Service', ns, 'foo-bar-com') as { spec: { ports: Array<{ name?: string; port: number }> } };
      assert.deepEqual([svc.spec.ports[0].name, svc.spec.ports[0].port], ['http', 8080]);
      const ep = api.get('v1', 'Endpoints', ns, 'foo-bar-com') as { subsets: Array<{ ports: Array<{ name?: string }> }> };
      assert.equal(ep.subsets[0].ports[0].name, 'http');
      assert.equal(api.list('discovery.k8s.io/v1', 'EndpointSlice', ns).length, 1);
      const ingress = api.get('networking.k8s.io/v1', 'Ingress', ns, 'host-rules') as { spec: { ingressClassName?: string } };
      assert.equal(ingress.spec.ingressClassName, 'conformance');

      await w.scale('foo-bar-com', 3);
      const rewritten = api.get('v1', 'Endpoints', ns, 'foo-bar-com') as { subsets: Array<{ addresses: unknown[] }> };
      assert.equal(rewritten.subsets.reduce((n, s) => n + s.addresses.length, 0), 3);
      assert.equal(api.list('discovery.k8s.io/v1', 'EndpointSlice', ns).length, 3, 'one slice per port in fixed-address mode');

      setTimeout(() => {
        const current = api.get('networking.k8s.io/v1', 'Ingress', ns, 'host-rules') as object;
        api.apply({ ...current, status: { loadBalancer: { ingress: [{ hostname: 'lb.test' }, { ip: '127.0.1.1' }] } } });
      }, 100);
      await w.expectAddress();
      assert.equal(w.ipOrFqdn, 'lb.test');
    } finally {
      assert.deepEqual(await w.cleanup(), []);
    }
    assert.equal(api.get('v1', 'Namespace', undefined, w.namespace), undefined);
  });

  test('a missing Ingress fails the status wait at once with a 404 that is not retried', async () => {
    const w = world();
    try {
      await w.newNamespace();
      w.ingressName = 'absent';
      const started = Date.now();
      await assert.rejects(w.expectAddress(), /404/);
      assert.ok(Date.now() - started < 1000);
    } finally {
      await w.cleanup();
    }
  });

  test('server errors are retryable and client errors are not', async () => {
    api.failNext({ pathIncludes: '/namespaces', status: 503 });
    const err = await cluster.createNamespace().then(() => undefined, (e: unknown) => e);
    assert.equal(apiStatus(err), 503);
    assert.equal(isRetryable(err), true);
    const notFound = await cluster.readIngress('default', 'nope').then(() => undefined, (e: unknown) => e);
    assert.equal(apiStatus(notFound), 404);
    assert.equal(isRetryable(notFound), false);
    assert.equal(isRetryable(Object.assign(new Error('x'), { code: 'ECONNRESET' })), true);
  });
});
