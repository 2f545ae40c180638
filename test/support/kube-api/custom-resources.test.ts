import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { apiFailure, startFixture, waitFor, type ClientFixture } from './client-fixture.js';
import { typesFromCrd } from './custom-resources.js';
import { BUNDLE_VERSION_ANNOTATION, GATEWAY_API_KINDS, gatewayApiCrd, gatewayApiCrds, readUpstreamCrds, upstreamCrdDir } from './gateway-api.js';

const group = 'gateway.networking.k8s.io';
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

function route(name: string, extra: Record<string, unknown> = {}) {
  return { apiVersion: `${group}/v1`, kind: 'HTTPRoute', metadata: { name }, spec: { parentRefs: [{ name: 'gw' }] }, ...extra };
}

describe('custom resources', () => {
  let f: ClientFixture;
  let custom: k8s.CustomObjectsApi;
  let ext: k8s.ApiextensionsV1Api;
  const httproutes = { group, version: 'v1', plural: 'httproutes', namespace: 'default' };
  before(async () => {
    f = await startFixture();
    custom = f.kc.makeApiClient(k8s.CustomObjectsApi);
    ext = f.kc.makeApiClient(k8s.ApiextensionsV1Api);
  });
  after(() => f.server.close());

  it('serves a kind only while its CRD exists, established and at its served versions', async () => {
    assert.equal((await apiFailure(custom.listNamespacedCustomObject(httproutes))).code, 404);
    for (const crd of gatewayApiCrds()) await ext.createCustomResourceDefinition({ body: crd as unknown as k8s.V1CustomResourceDefinition });
    const read = await ext.readCustomResourceDefinition({ name: `httproutes.${group}` });
    assert.equal(read.metadata?.annotations?.[BUNDLE_VERSION_ANNOTATION], 'v1.6.1');
    assert.deepEqual(read.spec.versions.filter((v) => v.served).map((v) => v.name), ['v1', 'v1beta1']);
    assert.equal(read.status?.conditions?.find((c) => c.type === 'Established')?.status, 'True');
    const groupDoc = await (await fetch(`${f.server.url}/apis/${group}`)).json() as { versions: { version: string }[]; preferredVersion: { version: string } };
    assert.deepEqual(groupDoc.versions.map((v) => v.version).sort(), ['v1', 'v1beta1']);
    assert.equal(groupDoc.preferredVersion.version, 'v1');
    const resources = await (await fetch(`${f.server.url}/apis/${group}/v1`)).json() as { resources: { name: string; namespaced: boolean }[] };
    assert.ok(resources.resources.some((r) => r.name === 'httproutes/status'));
    assert.ok(!resources.resources.some((r) => r.name === 'referencegrants/status'), 'ReferenceGrant has no status subresource');
    assert.equal(resources.resources.find((r) => r.name === 'gatewayclasses')?.namespaced, false);
    // Served: false versions are not served.
    assert.equal((await fetch(`${f.server.url}/apis/${group}/v1alpha3/backendtlspolicies`)).status, 404);
  });

  it('creates, lists, watches, patches and deletes objects, with status as its own subresource', async () => {
    const events: string[] = [];
    const watch = await new k8s.Watch(f.kc).watch(`/apis/${group}/v1/namespaces/default/httproutes`, {}, (type, obj: { metadata: { name: string; generation: number } }) => {
      events.push(`${type} ${obj.metadata.name} ${obj.metadata.generation}`);
    }, () => {});
    try {
      const created = await custom.createNamespacedCustomObject({ ...httproutes, body: route('r', { status: { parents: ['dropped'] } }) }) as { status?: unknown; metadata: { generation: number } };
      assert.equal(created.status, undefined, 'create drops status');
      assert.equal(created.metadata.generation, 1);
      const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
      const status = { parents: [{ controllerName: 'x', parentRef: { name: 'gw' }, conditions: [] }] };
      const withStatus = await custom.patchNamespacedCustomObjectStatus({ ...httproutes, name: 'r', body: { spec: { hostnames: ['ignored'] }, status } }, merge) as { spec: { hostnames?: string[] }; status: unknown; metadata: { generation: number } };
      assert.deepEqual(withStatus.status, status);
      assert.equal(withStatus.spec.hostnames, undefined, '/status ignores spec');
      assert.equal(withStatus.metadata.generation, 1, 'status writes keep the generation');
      const patched = await custom.patchNamespacedCustomObject({ ...httproutes, name: 'r', body: { spec: { hostnames: ['a.example'] }, status: { parents: [] } } }, merge) as typeof withStatus;
      assert.deepEqual(patched.spec.hostnames, ['a.example']);
      assert.deepEqual(patched.status, status, 'the main resource ignores status');
      assert.equal(patched.metadata.generation, 2);
      const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
      assert.equal((await apiFailure(custom.patchNamespacedCustomObject({ ...httproutes, name: 'r', body: { spec: {} } }, strategic))).code, 415);
      const list = await custom.listNamespacedCustomObject(httproutes) as { items: { metadata: { name: string } }[] };
      assert.deepEqual(list.items.map((i) => i.metadata.name), ['r']);
      await custom.deleteNamespacedCustomObject({ ...httproutes, name: 'r' });
      await waitFor('the watch events', () => events.length >= 4);
      assert.deepEqual(events, ['ADDED r 1', 'MODIFIED r 1', 'MODIFIED r 2', 'DELETED r 2']);
    } finally {
      watch.abort();
    }
  });

  it('serves one object at every served version, and cluster-scoped kinds without a namespace', async () => {
    const grants = { group, plural: 'referencegrants', namespace: 'default' };
    await custom.createNamespacedCustomObject({ ...grants, version: 'v1beta1', body: { apiVersion: `${group}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: 'g' }, spec: { from: [], to: [] } } });
    const asV1 = await custom.getNamespacedCustomObject({ ...grants, version: 'v1', name: 'g' }) as { apiVersion: string };
    assert.equal(asV1.apiVersion, `${group}/v1`);
    const listed = await custom.listNamespacedCustomObject({ ...grants, version: 'v1' }) as { items: { apiVersion: string }[] };
    assert.deepEqual(listed.items.map((i) => i.apiVersion), [`${group}/v1`]);
    const patched = await custom.patchNamespacedCustomObject({ ...grants, version: 'v1', name: 'g', body: { metadata: { labels: { a: 'b' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)) as { apiVersion: string };
    assert.equal(patched.apiVersion, `${group}/v1`);
    await custom.createClusterCustomObject({ group, version: 'v1', plural: 'gatewayclasses', body: { apiVersion: `${group}/v1`, kind: 'GatewayClass', metadata: { name: 'c', namespace: 'ignored' }, spec: { controllerName: 'example.com/c' } } });
    const gc = await custom.getClusterCustomObject({ group, version: 'v1beta1', plural: 'gatewayclasses', name: 'c' }) as { apiVersion: string; metadata: { namespace?: string } };
    assert.equal(gc.apiVersion, `${group}/v1beta1`);
    assert.equal(gc.metadata.namespace, undefined);
  });

  it('deleting a CRD deletes its objects and stops serving the kind', async () => {
    const gateways = { group, version: 'v1', plural: 'gateways', namespace: 'default' };
    await custom.createNamespacedCustomObject({ ...gateways, body: { apiVersion: `${group}/v1`, kind: 'Gateway', metadata: { name: 'gw' }, spec: { gatewayClassName: 'c', listeners: [] } } });
    await ext.deleteCustomResourceDefinition({ name: `gateways.${group}` });
    assert.equal((await apiFailure(custom.listNamespacedCustomObject(gateways))).code, 404);
    await ext.createCustomResourceDefinition({ body: gatewayApiCrd('Gateway') as unknown as k8s.V1CustomResourceDefinition });
    const list = await custom.listNamespacedCustomObject(gateways) as { items: unknown[] };
    assert.deepEqual(list.items, [], 'a new CRD starts empty');
  });
});

describe('the Gateway API table', () => {
  const dir = upstreamCrdDir(repoRoot);
  it('matches the upstream v1.6.1 CRDs when they are beside the repository', { skip: existsSync(dir) ? false : `no upstream CRDs at ${dir}` }, () => {
    const upstream = new Map(readUpstreamCrds(dir).map((crd) => [crd.metadata.name, crd]));
    for (const kind of GATEWAY_API_KINDS) {
      const theirs = upstream.get(`${kind.plural}.${group}`);
      assert.ok(theirs, `upstream has ${kind.kind}`);
      assert.equal(theirs.metadata.annotations?.[BUNDLE_VERSION_ANNOTATION], 'v1.6.1');
      const describe = (crd: typeof theirs) => {
        const spec = crd.spec as { scope: string; versions: { name: string; served: boolean; storage: boolean; subresources?: object }[] };
        return { scope: spec.scope, versions: spec.versions.map((v) => ({ name: v.name, served: v.served, storage: v.storage, status: Boolean(v.subresources && 'status' in v.subresources) })), types: typesFromCrd(crd).map((t) => [t.apiVersion, t.plural, t.kind, t.singular, t.namespaced, t.hasStatus, t.shortNames]) };
      };
      assert.deepEqual(describe(gatewayApiCrd(kind.kind)), describe(theirs), kind.kind);
    }
  });
});
