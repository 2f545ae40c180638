import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { apiFailure, eventSummary, recordWatch, startFixture, waitFor, type ClientFixture } from './client-fixture.js';

describe('namespace lifecycle', () => {
  let f: ClientFixture | undefined;
  afterEach(() => f?.server.close());

  it('a new namespace is Active, carries its name label and the kubernetes finalizer', async () => {
    f = await startFixture();
    const created = await f.core.createNamespace({ body: { metadata: { name: 'shop' } } });
    assert.equal(created.status?.phase, 'Active');
    assert.equal(created.metadata?.labels?.['kubernetes.io/metadata.name'], 'shop');
    assert.deepEqual(created.spec?.finalizers, ['kubernetes']);
    const selected = await f.core.listNamespace({ labelSelector: 'kubernetes.io/metadata.name=shop' });
    assert.deepEqual(selected.items.map((n) => n.metadata?.name), ['shop']);
  });

  it('cascade: deleting a namespace deletes its contents, with watch events, then the namespace', async () => {
    f = await startFixture();
    await f.core.createNamespace({ body: { metadata: { name: 'shop' } } });
    await f.core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'cfg' } } });
    await f.net.createNamespacedIngress({ namespace: 'shop', body: { metadata: { name: 'ing' } } });
    await f.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'keep' } } });
    const rv = (await f.core.listNamespace()).metadata?.resourceVersion;
    const nsWatch = await recordWatch(f.kc, '/api/v1/namespaces', { resourceVersion: rv });
    const cmWatch = await recordWatch(f.kc, '/api/v1/configmaps', { resourceVersion: rv });
    try {
      await f.core.deleteNamespace({ name: 'shop' });
      await waitFor('namespace deletion events', () => nsWatch.events.length >= 2 && cmWatch.events.length >= 1);
      assert.deepEqual(eventSummary(nsWatch), ['MODIFIED shop', 'DELETED shop']);
      assert.equal((nsWatch.events[0].object.status as { phase?: string }).phase, 'Terminating');
      assert.deepEqual(eventSummary(cmWatch), ['DELETED cfg']);
    } finally {
      nsWatch.stop();
      cmWatch.stop();
    }
    assert.equal((await apiFailure(f.core.readNamespace({ name: 'shop' }))).code, 404);
    assert.equal((await f.net.listIngressForAllNamespaces()).items.length, 0);
    assert.deepEqual((await f.core.listConfigMapForAllNamespaces()).items.map((c) => c.metadata?.name), ['keep']);
    const late = await apiFailure(f.core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'late' } } }));
    assert.deepEqual([late.code, late.message], [404, 'namespaces "shop" not found']);
  });

  it('system namespaces cannot be deleted', async () => {
    f = await startFixture();
    const refused = await apiFailure(f.core.deleteNamespace({ name: 'default' }));
    assert.deepEqual([refused.code, refused.reason], [403, 'Forbidden']);
  });

  it('cascade waits for finalizers inside the namespace before removing it', async () => {
    f = await startFixture();
    await f.core.createNamespace({ body: { metadata: { name: 'held' } } });
    await f.core.createNamespacedSecret({ namespace: 'held', body: { metadata: { name: 's', finalizers: ['example.com/wait'] } } });
    await f.core.deleteNamespace({ name: 'held' });
    assert.equal((await f.core.readNamespace({ name: 'held' })).status?.phase, 'Terminating');
    const secret = await f.core.readNamespacedSecret({ name: 's', namespace: 'held' });
    assert.ok(secret.metadata?.deletionTimestamp);
    const refused = await apiFailure(f.core.createNamespacedConfigMap({ namespace: 'held', body: { metadata: { name: 'new' } } }));
    assert.deepEqual([refused.code, refused.reason], [403, 'Forbidden']);
    assert.match(refused.message ?? '', /because it is being terminated/);
    await f.core.replaceNamespacedSecret({ name: 's', namespace: 'held', body: { ...secret, metadata: { ...secret.metadata, finalizers: [] } } });
    assert.equal((await apiFailure(f.core.readNamespace({ name: 'held' }))).code, 404);
  });

  it('terminating mode keeps the namespace Terminating until /finalize empties spec.finalizers', async () => {
    f = await startFixture({ namespaceDeletion: 'terminating' });
    await f.core.createNamespace({ body: { metadata: { name: 'stuck' } } });
    await f.core.createNamespacedService({ namespace: 'stuck', body: { metadata: { name: 'svc' } } });
    await f.core.deleteNamespace({ name: 'stuck' });
    const terminating = await f.core.readNamespace({ name: 'stuck' });
    assert.equal(terminating.status?.phase, 'Terminating');
    assert.ok(terminating.metadata?.deletionTimestamp);
    assert.equal((await f.core.readNamespacedService({ name: 'svc', namespace: 'stuck' })).metadata?.name, 'svc');
    const again = await f.core.deleteNamespace({ name: 'stuck' });
    assert.ok(again, 'deleting a terminating namespace again is accepted');

    await f.core.replaceNamespaceFinalize({ name: 'stuck', body: { ...terminating, spec: { finalizers: [] } } });
    assert.equal((await apiFailure(f.core.readNamespace({ name: 'stuck' }))).code, 404);
    assert.equal((await f.core.listServiceForAllNamespaces()).items.length, 0);
  });
});
