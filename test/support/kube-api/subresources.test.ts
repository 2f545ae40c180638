import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { apiFailure, startFixture, type ClientFixture } from './client-fixture.js';
import { ApiError } from './errors.js';

const ns = 'default';

/** client-node returns model class instances; compare their JSON. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function deploymentBody(name: string): k8s.V1Deployment {
  return {
    metadata: { name },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } } } },
  };
}

describe('status and scale subresources', () => {
  let f: ClientFixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.server.close());

  it('create drops a status; main replace keeps the stored status; /status changes only status', async () => {
    const created = await f.net.createNamespacedIngress({
      namespace: ns,
      body: { metadata: { name: 'web' }, spec: { ingressClassName: 'a' }, status: { loadBalancer: { ingress: [{ ip: '9.9.9.9' }] } } },
    });
    assert.deepEqual(plain(created.status), { loadBalancer: {} });

    const withStatus = await f.net.replaceNamespacedIngressStatus({
      name: 'web', namespace: ns,
      body: { ...created, spec: { ingressClassName: 'ignored' }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } },
    });
    assert.equal(withStatus.spec?.ingressClassName, 'a', '/status ignores spec');
    assert.equal(withStatus.status?.loadBalancer?.ingress?.[0]?.ip, '10.0.0.1');
    assert.equal(withStatus.metadata?.generation, 1, 'status writes do not bump generation');

    const main = await f.net.replaceNamespacedIngress({
      name: 'web', namespace: ns,
      body: { ...withStatus, spec: { ingressClassName: 'b' }, status: { loadBalancer: { ingress: [{ ip: '6.6.6.6' }] } } },
    });
    assert.equal(main.spec?.ingressClassName, 'b');
    assert.equal(main.status?.loadBalancer?.ingress?.[0]?.ip, '10.0.0.1', 'main replace ignores status');
    assert.equal(main.metadata?.generation, 2);

    const stale = await apiFailure(f.net.replaceNamespacedIngressStatus({ name: 'web', namespace: ns, body: withStatus }));
    assert.equal(stale.code, 409);

    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    const patched = await f.net.patchNamespacedIngressStatus({
      name: 'web', namespace: ns, body: { spec: { ingressClassName: 'nope' }, status: { loadBalancer: { ingress: [{ hostname: 'lb.example' }] } } },
    }, merge);
    assert.deepEqual(patched.status?.loadBalancer?.ingress?.map((i) => i.hostname), ['lb.example']);
    assert.equal(patched.spec?.ingressClassName, 'b');

    const unchanged = await f.net.patchNamespacedIngressStatus({ name: 'web', namespace: ns, body: { status: { loadBalancer: { ingress: [{ hostname: 'lb.example' }] } } } }, merge);
    assert.equal(unchanged.metadata?.resourceVersion, patched.metadata?.resourceVersion, 'an identical status write is a no-op');
  });

  it('/scale reads and writes spec.replicas only, with optimistic concurrency', async () => {
    await f.apps.createNamespacedDeployment({ namespace: ns, body: deploymentBody('api') });
    const scale = await f.apps.readNamespacedDeploymentScale({ name: 'api', namespace: ns });
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.spec?.replicas, 2);
    assert.equal(scale.status?.selector, 'app=api');

    const scaled = await f.apps.replaceNamespacedDeploymentScale({ name: 'api', namespace: ns, body: { ...scale, spec: { replicas: 5 } } });
    assert.equal(scaled.spec?.replicas, 5);
    const deployment = await f.apps.readNamespacedDeployment({ name: 'api', namespace: ns });
    assert.equal(deployment.spec?.replicas, 5);
    assert.equal(deployment.metadata?.generation, 2);
    assert.deepEqual(plain(deployment.spec?.selector), { matchLabels: { app: 'api' } });

    assert.equal((await apiFailure(f.apps.replaceNamespacedDeploymentScale({ name: 'api', namespace: ns, body: scale }))).code, 409);
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    const patched = await f.apps.patchNamespacedDeploymentScale({ name: 'api', namespace: ns, body: { spec: { replicas: 0 } } }, merge);
    assert.equal(patched.spec?.replicas, 0);
    assert.equal((await apiFailure(f.apps.patchNamespacedDeploymentScale({ name: 'api', namespace: ns, body: { spec: { replicas: -1 } } }, merge))).code, 422);
  });

  it('server-side apply creates, then merges, and requires a field manager', async () => {
    const apply = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { a: '1' } };
    const created = await f.core.patchNamespacedConfigMap({ name: 'applied', namespace: ns, body, fieldManager: 'test' }, apply);
    assert.deepEqual(created.data, { a: '1' });
    const merged = await f.core.patchNamespacedConfigMap({ name: 'applied', namespace: ns, body: { ...body, data: { b: '2' } }, fieldManager: 'test' }, apply);
    assert.deepEqual(merged.data, { a: '1', b: '2' });
    assert.equal((await apiFailure(f.core.patchNamespacedConfigMap({ name: 'applied', namespace: ns, body }, apply))).code, 400);
  });
});

describe('discovery and generic clients', () => {
  let f: ClientFixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.server.close());

  it('serves /version, /api, /apis and resource lists', async () => {
    const version = await f.kc.makeApiClient(k8s.VersionApi).getCode();
    assert.equal(version.major, '1');
    const groups = await f.kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    assert.ok(groups.groups.some((g) => g.name === 'networking.k8s.io' && g.preferredVersion?.version === 'v1'));
    const resources = await f.kc.makeApiClient(k8s.NetworkingV1Api).getAPIResources();
    const names = resources.resources.map((r) => r.name);
    assert.deepEqual(names, ['ingresses', 'ingresses/status', 'ingressclasses']);
    const core = await f.core.getAPIResources();
    assert.ok(core.resources.some((r) => r.name === 'namespaces' && !r.namespaced));
  });

  it('KubernetesObjectApi resolves kinds through discovery and does CRUD', async () => {
    const client = k8s.KubernetesObjectApi.makeApiClient(f.kc);
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'generic', namespace: ns } };
    const created = await client.create<k8s.V1Lease>(lease);
    assert.equal(created.metadata?.name, 'generic');
    const read = await client.read<k8s.V1Lease>(lease);
    assert.equal(read.metadata?.uid, created.metadata?.uid);
    const list = await client.list('coordination.k8s.io/v1', 'Lease', ns);
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['generic']);
  });

  it('writes a kubeconfig file that client-node loads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubeapi-'));
    try {
      const file = join(dir, 'config');
      await f.server.writeKubeConfig(file);
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(file);
      assert.equal(kc.getCurrentCluster()?.server, f.server.url);
      assert.match(await readFile(file, 'utf8'), /insecure-skip-tls-verify: true/);
      const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
      assert.deepEqual(list.items.map((n) => n.metadata?.name), ['default', 'kube-system']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('direct test access', () => {
  let f: ClientFixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.server.close());

  it('create, apply, get, list and remove share storage with the HTTP API', async () => {
    const created = f.server.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'direct', namespace: ns }, spec: { ports: [{ port: 80 }] } }) as k8s.V1Service;
    assert.equal(created.kind, 'Service');
    assert.equal((await f.core.readNamespacedService({ name: 'direct', namespace: ns })).metadata?.uid, created.metadata?.uid);

    const seeded = f.server.apply({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'direct', namespace: ns, resourceVersion: '1' },
      spec: { ports: [{ port: 81 }] }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    }) as k8s.V1Service;
    assert.equal(seeded.spec?.ports?.[0]?.port, 81, 'apply ignores a stale resourceVersion');
    assert.equal(seeded.status?.loadBalancer?.ingress?.[0]?.ip, '1.2.3.4', 'apply writes the given status');

    f.server.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'fresh' }, spec: { controller: 'x' } });
    assert.deepEqual(f.server.list('networking.k8s.io/v1', 'IngressClass').map((o) => (o as k8s.V1IngressClass).metadata?.name), ['fresh']);
    assert.equal(f.server.list('v1', 'Service', 'kube-system').length, 0);

    f.server.remove('v1', 'Service', ns, 'direct');
    assert.equal(f.server.get('v1', 'Service', ns, 'direct'), undefined);
    assert.throws(() => f.server.remove('v1', 'Service', ns, 'direct'), (e: unknown) => e instanceof ApiError && e.code === 404);
    assert.throws(() => f.server.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'nowhere' } }), (e: unknown) => e instanceof ApiError && e.code === 404);
    assert.throws(() => f.server.create({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } }), /does not serve example.com\/v1 Widget/);
  });

  it('failNext injects a Status error for matching requests only, the given number of times', async () => {
    f.server.failNext({ method: 'GET', pathIncludes: '/configmaps', status: 503, times: 2 });
    assert.equal((await apiFailure(f.core.listNamespacedConfigMap({ namespace: ns }))).reason, 'ServiceUnavailable');
    assert.equal((await f.core.listNamespacedSecret({ namespace: ns })).kind, 'SecretList', 'other paths are untouched');
    assert.equal((await apiFailure(f.core.listNamespacedConfigMap({ namespace: ns }))).code, 503);
    assert.equal((await f.core.listNamespacedConfigMap({ namespace: ns })).kind, 'ConfigMapList');
    const logged = f.server.requests.filter((r) => r.path.includes('/configmaps')).map((r) => r.status);
    assert.deepEqual(logged, [503, 503, 200]);
  });
});
