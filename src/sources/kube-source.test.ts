import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { gatewayApiCrd, gatewayApiCrds, startKubeApiServer, type KubeApiServer } from '../../test/support/kube-api/index.js';
import { Store } from '../store/store.js';
import type { GatewayApiCheck } from './gateway-api.js';
import { KubeSource, type KubeSourceOptions } from './kube-source.js';

const G = 'gateway.networking.k8s.io';

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Running {
  server: KubeApiServer;
  store: Store;
  source: KubeSource;
  kc: k8s.KubeConfig;
  reports: Array<{ check: GatewayApiCheck; message?: string }>;
}

const running: Running[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.source.stop();
    await r.server.close();
  }
});

/** A server seeded by `seed`, and a source on it; `start` resolves once the source has started. */
async function startSource(seed: (server: KubeApiServer) => void, options: Partial<KubeSourceOptions> = {}, awaitStart = true): Promise<Running> {
  const server = await startKubeApiServer();
  seed(server);
  const kc = new k8s.KubeConfig();
  kc.loadFromString(server.kubeConfig());
  const store = new Store();
  const source = new KubeSource({ kubeConfig: kc, store, namespaces: [], minBackoffMs: 20, maxBackoffMs: 50, ...options });
  const reports: Running['reports'] = [];
  source.on('gateway-api', (check: GatewayApiCheck, message?: string) => reports.push({ check, message }));
  const r = { server, store, source, kc, reports };
  running.push(r);
  const started = source.start();
  if (awaitStart) await started;
  return r;
}

function ingressObjects(server: KubeApiServer): void {
  server.create({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'portcullis' }, spec: { controller: 'portcullis.dev/ingress-controller' } });
  server.create({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'default' }, spec: { ingressClassName: 'portcullis', rules: [{ host: 'a.example' }] } });
}

function gatewayObjects(server: KubeApiServer): void {
  for (const crd of gatewayApiCrds()) server.create(crd);
  server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a' } } });
  server.create({ apiVersion: `${G}/v1`, kind: 'GatewayClass', metadata: { name: 'portcullis' }, spec: { controllerName: 'portcullis.dev/gateway-controller' } });
  server.create({ apiVersion: `${G}/v1`, kind: 'Gateway', metadata: { name: 'gw', namespace: 'default' }, spec: { gatewayClassName: 'portcullis', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } });
  server.create({ apiVersion: `${G}/v1`, kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'team-a' }, spec: { parentRefs: [{ name: 'gw', namespace: 'default' }], rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] } });
}

describe('KubeSource with the Gateway API CRDs installed', () => {
  it('lists and watches every Gateway API kind and the Namespaces into the store', async () => {
    const { server, store, kc, reports } = await startSource((s) => {
      ingressObjects(s);
      gatewayObjects(s);
    });
    assert.ok(store.isSynced(), 'every kind synced');
    assert.deepEqual(reports.map((r) => [r.message, r.check.installed.map((i) => `${i.resource.kind}/${i.version}`)]), [[undefined, [
      'GatewayClass/v1', 'Gateway/v1', 'HTTPRoute/v1', 'GRPCRoute/v1', 'ReferenceGrant/v1', 'BackendTLSPolicy/v1',
    ]]]);
    const snapshot = store.snapshot();
    assert.equal(snapshot.gatewayClasses.get('portcullis')?.spec.controllerName, 'portcullis.dev/gateway-controller');
    assert.equal(snapshot.gateways.get('default/gw')?.spec.listeners[0].allowedRoutes.namespaces.from, 'Same');
    assert.deepEqual(snapshot.httpRoutes.get('team-a/r')?.spec.parentRefs, [{ group: G, kind: 'Gateway', name: 'gw', namespace: 'default' }]);
    assert.deepEqual(snapshot.namespaces.get('team-a')?.metadata.labels, { team: 'a', 'kubernetes.io/metadata.name': 'team-a' });
    assert.equal(snapshot.ingresses.size, 1, 'Ingresses are watched beside');

    // Watch updates: a spec change, new kinds (one written at v1beta1), a label change, a deletion.
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    await custom.patchNamespacedCustomObject({ group: G, version: 'v1', namespace: 'team-a', plural: 'httproutes', name: 'r', body: { spec: { hostnames: ['a.example'] } } }, merge);
    server.create({ apiVersion: `${G}/v1`, kind: 'GRPCRoute', metadata: { name: 'g', namespace: 'default' }, spec: { rules: [{ backendRefs: [{ name: 'grpc', port: 9000 }] }] } });
    server.create({ apiVersion: `${G}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: 'allow', namespace: 'default' }, spec: { from: [{ group: G, kind: 'HTTPRoute', namespace: 'team-a' }], to: [{ group: '', kind: 'Service' }] } });
    server.create({ apiVersion: `${G}/v1`, kind: 'BackendTLSPolicy', metadata: { name: 'tls', namespace: 'default' }, spec: { targetRefs: [{ group: '', kind: 'Service', name: 'svc' }], validation: { hostname: 'svc.example' } } });
    server.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'b' } } });
    server.remove(`${G}/v1`, 'Gateway', 'default', 'gw');
    await until('the updates', () => {
      const s = store.snapshot();
      return s.httpRoutes.get('team-a/r')?.spec.hostnames[0] === 'a.example' && s.grpcRoutes.has('default/g') && s.referenceGrants.has('default/allow')
        && s.backendTLSPolicies.has('default/tls') && s.namespaces.get('team-a')?.metadata.labels.team === 'b' && !s.gateways.has('default/gw');
    });
    assert.equal(store.snapshot().referenceGrants.get('default/allow')?.spec.from[0].namespace, 'team-a');

    // The status subresource is writable and its content reaches the store (status planning reads it).
    const parents = [{ parentRef: { name: 'gw', namespace: 'default' }, controllerName: 'portcullis.dev/gateway-controller', conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', observedGeneration: 2, lastTransitionTime: '2026-01-01T00:00:00Z' }] }];
    await custom.patchNamespacedCustomObjectStatus({ group: G, version: 'v1', namespace: 'team-a', plural: 'httproutes', name: 'r', body: { status: { parents } } }, merge);
    await until('the route status', () => store.snapshot().httpRoutes.get('team-a/r')?.status.parents.length === 1);
    const route = store.snapshot().httpRoutes.get('team-a/r')!;
    assert.equal(route.status.parents[0].conditions[0].observedGeneration, 2);
    assert.equal(route.metadata.generation, 2, 'the status write did not bump the generation');
  });

  it('with --namespace, watches Gateway API kinds and Namespaces of those namespaces only', async () => {
    const { store, server } = await startSource(gatewayObjects, { namespaces: ['team-a'] });
    assert.ok(store.isSynced());
    assert.deepEqual([...store.snapshot().namespaces.keys()], ['team-a']);
    assert.deepEqual([...store.snapshot().httpRoutes.keys()], ['team-a/r']);
    assert.equal(store.snapshot().gateways.size, 0, 'the Gateway in default is not watched');
    assert.ok(server.requests.some((r) => r.path.startsWith(`/apis/${G}/v1/namespaces/team-a/httproutes`)));
  });
});

describe('KubeSource without the Gateway API CRDs', () => {
  it('says which CRDs are missing and the bundle found, watches the rest, and keeps serving Ingresses', async () => {
    const { store, server, reports } = await startSource((s) => {
      ingressObjects(s);
      s.create(gatewayApiCrd('GatewayClass', { bundleVersion: 'v1.0.0' }));
      s.create(gatewayApiCrd('Gateway', { bundleVersion: 'v1.0.0' }));
      s.create(gatewayApiCrd('GRPCRoute', { bundleVersion: 'v1.0.0', versions: [{ name: 'v1alpha2', served: true, storage: true, status: true }] }));
    });
    assert.ok(store.isSynced(), 'ready: the missing kinds are synced-empty');
    assert.equal(store.snapshot().ingresses.size, 1);
    assert.equal(reports.length, 1);
    const { message, check } = reports[0];
    assert.deepEqual(check.installed.map((i) => i.resource.kind), ['GatewayClass', 'Gateway']);
    assert.match(message ?? '', /httproutes\.gateway\.networking\.k8s\.io \(not installed\)/);
    assert.match(message ?? '', /grpcroutes\.gateway\.networking\.k8s\.io \(serves v1alpha2, not v1\)/);
    assert.match(message ?? '', /bundle version found: v1\.0\.0/);
    assert.match(message ?? '', /install the Gateway API v1\.6\.1 CRDs/);
    const servedKind = /^\/apis\/gateway\.networking\.k8s\.io\/[^/]+\/(namespaces\/[^/]+\/)?(httproutes|grpcroutes)/;
    assert.ok(!server.requests.some((r) => servedKind.test(r.path)), 'no request for a kind that is not served');
    assert.ok(server.requests.some((r) => r.path.includes(`/apis/${G}/v1/gateways`)), 'the installed kinds are watched');
  });

  it('with no CRD at all, reports bundle none and watches no Gateway API kind nor Namespaces', async () => {
    const { store, server, reports } = await startSource(ingressObjects);
    assert.ok(store.isSynced());
    assert.match(reports[0].message ?? '', /bundle version found: none/);
    assert.ok(!server.requests.some((r) => r.path.includes(`/apis/${G}`) || r.path.startsWith('/api/v1/namespaces?')));
  });

  it('--gateway-api on stays not synced until the CRDs are installed', async () => {
    const { store, server, reports } = await startSource(ingressObjects, { gatewayApi: 'on' }, false);
    await until('the first report', () => reports.length > 0);
    assert.match(reports[0].message ?? '', /not ready until they are installed/);
    await until('the Ingresses, read meanwhile', () => store.isSynced(['Ingress', 'IngressClass', 'Service', 'EndpointSlice', 'Secret']));
    assert.equal(store.isSynced(), false);
    assert.equal(store.snapshot().ingresses.size, 1);
    gatewayObjects(server);
    await until('the Gateway API kinds', () => store.isSynced());
    assert.equal(store.snapshot().httpRoutes.size, 1);
    assert.equal(reports.at(-1)?.message, undefined);
  });

  it('--gateway-api off reads no CRD', async () => {
    const { store, server, reports } = await startSource(gatewayObjects, { gatewayApi: 'off' });
    assert.ok(store.isSynced());
    assert.equal(store.snapshot().httpRoutes.size, 0);
    assert.deepEqual(reports, []);
    assert.ok(!server.requests.some((r) => r.path.includes('customresourcedefinitions')));
  });
});
