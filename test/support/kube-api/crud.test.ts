import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { apiFailure, startFixture, type ClientFixture } from './client-fixture.js';

const ns = 'default';

describe('test apiserver CRUD through @kubernetes/client-node', () => {
  let f: ClientFixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.server.close());

  it('creates, reads, lists, replaces and deletes objects in every API group', async () => {
    await f.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cfg' }, data: { a: '1' } } });
    await f.net.createNamespacedIngress({ namespace: ns, body: { metadata: { name: 'ing' }, spec: { ingressClassName: 'haproxy' } } });
    await f.net.createIngressClass({ body: { metadata: { name: 'haproxy' }, spec: { controller: 'example.com/portcullis' } } });
    await f.discovery.createNamespacedEndpointSlice({ namespace: ns, body: { metadata: { name: 'svc-abc' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }] } });
    await f.coordination.createNamespacedLease({ namespace: ns, body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'a' } } });
    await f.apps.createNamespacedDeployment({ namespace: ns, body: { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } } } } } });

    assert.equal((await f.core.readNamespacedConfigMap({ name: 'cfg', namespace: ns })).data?.a, '1');
    assert.equal((await f.net.readIngressClass({ name: 'haproxy' })).spec?.controller, 'example.com/portcullis');
    assert.deepEqual((await f.discovery.readNamespacedEndpointSlice({ name: 'svc-abc', namespace: ns })).endpoints?.[0]?.addresses, ['10.0.0.1']);
    assert.equal((await f.apps.readNamespacedDeployment({ name: 'web', namespace: ns })).spec?.replicas, 1, 'replicas defaults to 1');
    assert.deepEqual((await f.net.listIngressForAllNamespaces()).items.map((i) => i.metadata?.name), ['ing']);

    const lease = await f.coordination.readNamespacedLease({ name: 'leader', namespace: ns });
    lease.spec = { ...lease.spec, holderIdentity: 'b' };
    const replaced = await f.coordination.replaceNamespacedLease({ name: 'leader', namespace: ns, body: lease });
    assert.equal(replaced.spec?.holderIdentity, 'b');
    assert.ok(Number(replaced.metadata?.resourceVersion) > Number(lease.metadata?.resourceVersion));

    const status = await f.net.deleteNamespacedIngress({ name: 'ing', namespace: ns });
    assert.equal(status.status, 'Success');
    assert.equal((await apiFailure(f.net.readNamespacedIngress({ name: 'ing', namespace: ns }))).code, 404);
  });

  it('create sets uid, creationTimestamp, generation and a globally increasing resourceVersion', async () => {
    const a = await f.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 's1' }, stringData: { k: 'v' } } });
    const b = await f.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'c1' } } });
    assert.match(a.metadata?.uid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(a.metadata?.generation, 1);
    assert.ok(a.metadata?.creationTimestamp instanceof Date);
    assert.equal(Number(b.metadata?.resourceVersion), Number(a.metadata?.resourceVersion) + 1);
    assert.deepEqual(a.data, { k: Buffer.from('v').toString('base64') }, 'stringData is folded into data');
    assert.equal(a.type, 'Opaque');
  });

  it('generateName appends five random characters', async () => {
    const first = await f.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { generateName: 'gen-' } } });
    const second = await f.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { generateName: 'gen-' } } });
    assert.match(first.metadata?.name ?? '', /^gen-[a-z0-9]{5}$/);
    assert.notEqual(first.metadata?.name, second.metadata?.name);
  });

  it('answers 404, 409 AlreadyExists, 422 Invalid, 400, 405 and 415 like kube-apiserver', async () => {
    const missingNs = await apiFailure(f.core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }));
    assert.deepEqual([missingNs.code, missingNs.reason, missingNs.message], [404, 'NotFound', 'namespaces "nowhere" not found']);
    await f.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'dup' } } });
    const dup = await apiFailure(f.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'dup' } } }));
    assert.deepEqual([dup.code, dup.reason, dup.message], [409, 'AlreadyExists', 'configmaps "dup" already exists']);
    const bad = await apiFailure(f.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'Bad_Name' } } }));
    assert.deepEqual([bad.code, bad.reason], [422, 'Invalid']);
    assert.match(bad.message ?? '', /^ConfigMap "Bad_Name" is invalid: metadata.name/);
    const noName = await apiFailure(f.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: {} } }));
    assert.equal(noName.code, 422);
    const renamed = await apiFailure(f.core.replaceNamespacedConfigMap({ name: 'dup', namespace: ns, body: { metadata: { name: 'other' } } }));
    assert.deepEqual([renamed.code, renamed.reason], [400, 'BadRequest']);
    const missingPut = await apiFailure(f.core.replaceNamespacedConfigMap({ name: 'absent', namespace: ns, body: { metadata: { name: 'absent' } } }));
    assert.equal(missingPut.code, 404, 'configmaps do not create on update');

    const raw = async (method: string, path: string, body?: string, contentType = 'application/json') => {
      const res = await fetch(f.server.url + path, { method, body, headers: { 'content-type': contentType } });
      return { status: res.status, body: (await res.json()) as { reason?: string; kind?: string } };
    };
    const unknown = await raw('GET', '/api/v1/nothings');
    assert.deepEqual([unknown.status, unknown.body.kind, unknown.body.reason], [404, 'Status', 'NotFound']);
    assert.equal((await raw('POST', '/api/v1/namespaces/default/configmaps/dup', '{}')).status, 405);
    assert.equal((await raw('POST', '/api/v1/configmaps', '{"metadata":{"name":"z"}}')).status, 405);
    assert.equal((await raw('POST', '/api/v1/namespaces/default/configmaps', '{not json')).body.reason, 'BadRequest');
    assert.equal((await raw('PATCH', '/api/v1/namespaces/default/configmaps/dup', '{}', 'text/plain')).status, 415);
    assert.equal((await raw('GET', '/api/v1/namespaces/default/configmaps/dup/status')).status, 404, 'configmaps have no status');
  });

  it('replace with a stale resourceVersion is 409 Conflict; without one it is unconditional', async () => {
    const created = await f.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cas' }, data: { v: '1' } } });
    await f.core.replaceNamespacedConfigMap({ name: 'cas', namespace: ns, body: { ...created, data: { v: '2' } } });
    const stale = await apiFailure(f.core.replaceNamespacedConfigMap({ name: 'cas', namespace: ns, body: { ...created, data: { v: '3' } } }));
    assert.deepEqual([stale.code, stale.reason], [409, 'Conflict']);
    assert.match(stale.message ?? '', /the object has been modified; please apply your changes to the latest version/);
    const blind = await f.core.replaceNamespacedConfigMap({ name: 'cas', namespace: ns, body: { metadata: { name: 'cas' }, data: { v: '4' } } });
    assert.equal(blind.data?.v, '4');
    assert.equal(blind.metadata?.uid, created.metadata?.uid, 'server-owned metadata survives a replace');
  });

  it('spec changes bump generation, metadata changes do not, and a no-op replace writes nothing', async () => {
    const ing = await f.net.createNamespacedIngress({ namespace: ns, body: { metadata: { name: 'gen' }, spec: { ingressClassName: 'a' } } });
    const relabelled = await f.net.replaceNamespacedIngress({ name: 'gen', namespace: ns, body: { ...ing, metadata: { ...ing.metadata, labels: { x: 'y' } } } });
    assert.equal(relabelled.metadata?.generation, 1);
    const respecced = await f.net.replaceNamespacedIngress({ name: 'gen', namespace: ns, body: { ...relabelled, spec: { ingressClassName: 'b' } } });
    assert.equal(respecced.metadata?.generation, 2);
    const same = await f.net.replaceNamespacedIngress({ name: 'gen', namespace: ns, body: respecced });
    assert.equal(same.metadata?.resourceVersion, respecced.metadata?.resourceVersion);
  });

  it('patches with JSON patch (client default), merge patch and strategic merge patch', async () => {
    await f.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'svc', labels: { a: '1' } }, spec: { ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } } });
    const jsonPatched = await f.core.patchNamespacedService({ name: 'svc', namespace: ns, body: [{ op: 'add', path: '/metadata/labels/b', value: '2' }] });
    assert.deepEqual(jsonPatched.metadata?.labels, { a: '1', b: '2' });
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    const merged = await f.core.patchNamespacedService({ name: 'svc', namespace: ns, body: { metadata: { labels: { a: null } } } }, merge);
    assert.deepEqual(merged.metadata?.labels, { b: '2' });
    const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
    const smp = await f.core.patchNamespacedService({ name: 'svc', namespace: ns, body: { spec: { ports: [{ port: 443, name: 'tls' }] } } }, strategic);
    assert.deepEqual(smp.spec?.ports?.map((p) => `${p.name}:${p.port}->${p.targetPort}`), ['http:80->80', 'tls:443->443']);
    assert.equal(smp.spec?.type, 'ClusterIP');
    assert.match(smp.spec?.clusterIP ?? '', /^10\.96\.\d+\.\d+$/);
    const failedTest = await apiFailure(f.core.patchNamespacedService({ name: 'svc', namespace: ns, body: [{ op: 'test', path: '/metadata/labels/b', value: 'nope' }] }));
    assert.equal(failedTest.code, 422);
    const stale = await apiFailure(f.core.patchNamespacedService({ name: 'svc', namespace: ns, body: { metadata: { resourceVersion: '1' } } }, merge));
    assert.equal(stale.code, 409, 'a resourceVersion in a patch is a precondition');
  });

  it('delete answers a Status for most kinds and the object for services; finalizers delay removal', async () => {
    await f.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'gone' } } });
    const deletedSvc = await f.core.deleteNamespacedService({ name: 'gone', namespace: ns, propagationPolicy: 'Foreground', gracePeriodSeconds: 0 });
    assert.equal(deletedSvc.metadata?.name, 'gone');
    await f.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
    await f.core.deleteNamespacedConfigMap({ name: 'held', namespace: ns });
    const stillThere = await f.core.readNamespacedConfigMap({ name: 'held', namespace: ns });
    assert.ok(stillThere.metadata?.deletionTimestamp, 'marked for deletion, not removed');
    const sneaky = await apiFailure(f.core.replaceNamespacedConfigMap({ name: 'held', namespace: ns, body: { ...stillThere, metadata: { ...stillThere.metadata, finalizers: ['example.com/hold', 'more'] } } }));
    assert.equal(sneaky.code, 422, 'no new finalizers while deleting');
    await f.core.replaceNamespacedConfigMap({ name: 'held', namespace: ns, body: { ...stillThere, metadata: { ...stillThere.metadata, finalizers: [] } } });
    assert.equal((await apiFailure(f.core.readNamespacedConfigMap({ name: 'held', namespace: ns }))).code, 404);
    const precondition = await apiFailure(f.core.deleteNamespacedConfigMap({ name: 'dup', namespace: ns, body: { preconditions: { uid: 'not-the-uid' } } }));
    assert.equal(precondition.code, 409);
  });

  it('lists honour label and field selectors', async () => {
    for (const [name, tier] of [['sel-a', 'front'], ['sel-b', 'back'], ['sel-c', 'front']]) {
      await f.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels: { suite: 'sel', tier } } } });
    }
    const names = (list: k8s.V1ConfigMapList) => list.items.map((i) => i.metadata?.name);
    assert.deepEqual(names(await f.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'suite=sel,tier=front' })), ['sel-a', 'sel-c']);
    assert.deepEqual(names(await f.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'suite,tier notin (front)' })), ['sel-b']);
    assert.deepEqual(names(await f.core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.name=sel-b' })), ['sel-b']);
    assert.deepEqual(names(await f.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'suite=sel', fieldSelector: 'metadata.name!=sel-a' })), ['sel-b', 'sel-c']);
    assert.equal((await apiFailure(f.core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'data.x=1' }))).code, 400);
  });

  it('pages with limit and continue over a consistent snapshot, and expires old continue tokens', async () => {
    for (const name of ['page-1', 'page-2', 'page-3', 'page-4', 'page-5']) {
      await f.core.createNamespacedEndpoints({ namespace: 'kube-system', body: { metadata: { name } } });
    }
    const first = await f.core.listNamespacedEndpoints({ namespace: 'kube-system', limit: 2 });
    assert.deepEqual(first.items.map((i) => i.metadata?.name), ['page-1', 'page-2']);
    assert.equal(first.metadata?.remainingItemCount, 3);
    await f.core.deleteNamespacedEndpoints({ name: 'page-3', namespace: 'kube-system' });
    await f.core.createNamespacedEndpoints({ namespace: 'kube-system', body: { metadata: { name: 'page-6' } } });
    const second = await f.core.listNamespacedEndpoints({ namespace: 'kube-system', limit: 10, _continue: first.metadata?._continue });
    assert.deepEqual(second.items.map((i) => i.metadata?.name), ['page-3', 'page-4', 'page-5'], 'pages show the first page\'s snapshot');
    assert.equal(second.metadata?.resourceVersion, first.metadata?.resourceVersion);
    assert.equal(second.metadata?._continue, undefined);
    const again = await f.core.listNamespacedEndpoints({ namespace: 'kube-system', limit: 2 });
    await f.core.createNamespacedEndpoints({ namespace: 'kube-system', body: { metadata: { name: 'page-7' } } });
    f.server.compactHistory();
    const expired = await apiFailure(f.core.listNamespacedEndpoints({ namespace: 'kube-system', _continue: again.metadata?._continue }));
    assert.deepEqual([expired.code, expired.reason], [410, 'Expired']);
  });
});
