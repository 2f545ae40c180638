import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventSummary, recordWatch, startFixture, waitFor, type ClientFixture } from './client-fixture.js';

const CM_PATH = '/api/v1/namespaces/default/configmaps';

function configMap(name: string, labels: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels }, data: { v: '1' } };
}

interface RecordedInformer {
  informer: k8s.Informer<k8s.V1ConfigMap> & k8s.ObjectCache<k8s.V1ConfigMap>;
  log: string[];
  errors: Array<{ statusCode?: number; name?: string }>;
}

/** A started client-node informer on default ConfigMaps that logs `verb name` per callback. */
async function startInformer(f: ClientFixture): Promise<RecordedInformer> {
  const informer = k8s.makeInformer(f.kc, CM_PATH, () => f.core.listNamespacedConfigMap({ namespace: 'default' }));
  const log: string[] = [];
  const errors: RecordedInformer['errors'] = [];
  for (const verb of ['add', 'update', 'delete'] as const) {
    informer.on(verb, (obj) => log.push(`${verb} ${obj.metadata?.name}`));
  }
  informer.on('error', (err) => errors.push(err as { statusCode?: number }));
  await informer.start();
  return { informer, log, errors };
}

describe('list/watch protocol', () => {
  let f: ClientFixture | undefined;
  let informer: RecordedInformer['informer'] | undefined;
  afterEach(async () => {
    await informer?.stop();
    informer = undefined;
    await f?.server.close();
  });

  it('an informer receives add, update and delete for API and direct writes', async () => {
    f = await startFixture();
    f.server.create(configMap('before'));
    const rec = await startInformer(f);
    informer = rec.informer;
    assert.deepEqual(rec.log, ['add before']);
    await f.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after' } } });
    f.server.apply({ ...configMap('before'), data: { v: '2' } });
    await f.core.deleteNamespacedConfigMap({ name: 'after', namespace: 'default' });
    await waitFor('three watch callbacks', () => rec.log.length === 4);
    assert.deepEqual(rec.log, ['add before', 'add after', 'update before', 'delete after']);
    assert.deepEqual(rec.informer.list('default').map((c) => c.data?.v), ['2']);
  });

  it('a Watch resumes from a resourceVersion and sees only later events, in order', async () => {
    f = await startFixture();
    f.server.create(configMap('old'));
    const rv = (await f.core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion;
    f.server.create(configMap('one'));
    f.server.apply({ ...configMap('old'), data: { v: 'changed' } });
    f.server.remove('v1', 'ConfigMap', 'default', 'one');
    const watch = await recordWatch(f.kc, CM_PATH, { resourceVersion: rv });
    try {
      await waitFor('replayed events', () => watch.events.length === 3);
      assert.deepEqual(eventSummary(watch), ['ADDED one', 'MODIFIED old', 'DELETED one']);
      const rvs = watch.events.map((e) => Number(e.object.metadata?.resourceVersion));
      assert.deepEqual(rvs, [Number(rv) + 1, Number(rv) + 2, Number(rv) + 3], 'DELETED carries its own new resourceVersion');
      assert.equal(watch.events[0].object.kind, 'ConfigMap');
    } finally {
      watch.stop();
    }
  });

  it('without a resourceVersion a watch starts with synthetic ADDED events for current objects', async () => {
    f = await startFixture();
    f.server.create(configMap('b'));
    f.server.create(configMap('a'));
    const watch = await recordWatch(f.kc, CM_PATH);
    try {
      await waitFor('initial events', () => watch.events.length === 2);
      f.server.create(configMap('c'));
      await waitFor('live event', () => watch.events.length === 3);
      assert.deepEqual(eventSummary(watch), ['ADDED a', 'ADDED b', 'ADDED c']);
    } finally {
      watch.stop();
    }
  });

  it('sendInitialEvents streams the current state, then a bookmark marking its end', async () => {
    f = await startFixture();
    f.server.create(configMap('a'));
    const watch = await recordWatch(f.kc, CM_PATH, {
      sendInitialEvents: true, allowWatchBookmarks: true, resourceVersionMatch: 'NotOlderThan', resourceVersion: '',
    });
    try {
      await waitFor('initial events and their end', () => watch.events.length === 2);
      assert.deepEqual(watch.events.map((e) => e.type), ['ADDED', 'BOOKMARK']);
      assert.deepEqual(watch.events[1].object.metadata?.annotations, { 'k8s.io/initial-events-end': 'true' });
    } finally {
      watch.stop();
    }
  });

  it('a resourceVersion older than history gets one ERROR with a 410 Expired Status, then the stream ends', async () => {
    f = await startFixture({ historyLimit: 2 });
    const rv = (await f.core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion;
    for (const name of ['x1', 'x2', 'x3']) f.server.create(configMap(name));
    const watch = await recordWatch(f.kc, CM_PATH, { resourceVersion: rv });
    assert.equal(await watch.done, null, 'the server ends the stream cleanly');
    assert.equal(watch.events.length, 1);
    const [error] = watch.events;
    assert.equal(error.type, 'ERROR');
    assert.deepEqual({ ...error.object, message: undefined }, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: undefined, reason: 'Expired', code: 410 });
    assert.match(String(error.object.message), new RegExp(`^too old resource version: ${rv} \\(\\d+\\)$`));
  });

  it('bookmarks carry the current resourceVersion, only when allowed', async () => {
    f = await startFixture({ bookmarkIntervalMs: 40 });
    const rv = (await f.core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion;
    const allowed = await recordWatch(f.kc, CM_PATH, { resourceVersion: rv, allowWatchBookmarks: true });
    const plain = await recordWatch(f.kc, CM_PATH, { resourceVersion: rv });
    try {
      f.server.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'elsewhere', namespace: 'default' } });
      const latest = String(Number(rv) + 1);
      await waitFor('a bookmark after the secret write', () => allowed.events.some((e) => e.type === 'BOOKMARK' && e.object.metadata?.resourceVersion === latest));
      const bookmark = allowed.events.find((e) => e.type === 'BOOKMARK');
      assert.deepEqual(Object.keys(bookmark?.object ?? {}).sort(), ['apiVersion', 'kind', 'metadata']);
      assert.equal(bookmark?.object.kind, 'ConfigMap');
      assert.equal(plain.events.length, 0);
    } finally {
      allowed.stop();
      plain.stop();
    }
  });

  it('selectors on a watch report objects leaving as DELETED and entering as ADDED', async () => {
    f = await startFixture();
    const rv = (await f.core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion;
    const byLabel = await recordWatch(f.kc, CM_PATH, { resourceVersion: rv, labelSelector: 'tier=web' });
    const byName = await recordWatch(f.kc, '/api/v1/configmaps', { resourceVersion: rv, fieldSelector: 'metadata.name=tracked' });
    try {
      f.server.create(configMap('tracked', { tier: 'web' }));
      f.server.create(configMap('other', { tier: 'db' }));
      f.server.apply(configMap('tracked', { tier: 'db' }));
      f.server.apply(configMap('other', { tier: 'web' }));
      f.server.apply(configMap('tracked', { tier: 'web' }));
      await waitFor('selector transitions', () => byLabel.events.length === 4 && byName.events.length === 3);
      assert.deepEqual(eventSummary(byLabel), ['ADDED tracked', 'DELETED tracked', 'ADDED other', 'ADDED tracked']);
      assert.deepEqual(eventSummary(byName), ['ADDED tracked', 'MODIFIED tracked', 'MODIFIED tracked']);
      assert.equal(byLabel.events[1].object.metadata?.labels?.tier, 'web', 'the DELETED object is the last state that matched');
    } finally {
      byLabel.stop();
      byName.stop();
    }
  });

  it('timeoutSeconds ends the stream cleanly', async () => {
    f = await startFixture();
    const started = Date.now();
    const watch = await recordWatch(f.kc, CM_PATH, { timeoutSeconds: 1 });
    assert.equal(await watch.done, null);
    assert.ok(Date.now() - started >= 900, 'not before the timeout');
  });

  it('after compactHistory and closeWatches an informer relists through 410 and reports what changed while away', async () => {
    f = await startFixture();
    f.server.create(configMap('stays'));
    f.server.create(configMap('goes'));
    const rec = await startInformer(f);
    informer = rec.informer;
    f.server.create(configMap('live'));
    await waitFor('the live add', () => rec.log.includes('add live'));
    const seen = f.server.requests.length;

    f.server.closeWatches();
    f.server.remove('v1', 'ConfigMap', 'default', 'goes');
    f.server.apply({ ...configMap('stays'), data: { v: 'new' } });
    f.server.compactHistory();

    await waitFor('relist effects', () => rec.log.includes('delete goes') && rec.log.includes('update stays'));
    f.server.create(configMap('after'));
    await waitFor('convergence on the new watch', () => rec.log.includes('add after'), 5000);
    assert.deepEqual(rec.informer.list('default').map((c) => c.metadata?.name).sort(), ['after', 'live', 'stays']);
    assert.deepEqual(rec.errors, []);

    const sent = f.server.requests.slice(seen).map((r) => `${r.method} ${r.path.replace(/resourceVersion=\d+/, 'resourceVersion=N')}`);
    assert.deepEqual(sent, [
      `GET ${CM_PATH}?watch=true&resourceVersion=N`,
      `GET ${CM_PATH}`,
      `GET ${CM_PATH}?watch=true&resourceVersion=N`,
    ], 'resume attempt (410 event), relist without resourceVersion, new watch');
  });

  it('a failed list makes an informer emit error and not retry by itself', async () => {
    f = await startFixture();
    f.server.failNext({ method: 'GET', pathIncludes: CM_PATH, status: 500 });
    const rec = await startInformer(f);
    informer = rec.informer;
    await waitFor('the error callback', () => rec.errors.length === 1);
    assert.equal(rec.errors[0].statusCode ?? (rec.errors[0] as { code?: number }).code, 500);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(f.server.requests.map((r) => `${r.method} ${r.path} ${r.status}`), [`GET ${CM_PATH} 500`]);
  });

  it('a failed watch reconnect makes an informer emit error', async () => {
    f = await startFixture();
    const rec = await startInformer(f);
    informer = rec.informer;
    f.server.failNext({ pathIncludes: 'watch=true', status: 503 });
    f.server.closeWatches();
    await waitFor('the error callback', () => rec.errors.length === 1);
    assert.equal(rec.errors[0].statusCode, 503);
  });

  it('a watch on a single object path follows only that object', async () => {
    f = await startFixture();
    f.server.create(configMap('one'));
    f.server.create(configMap('two'));
    const watch = await recordWatch(f.kc, `${CM_PATH}/two`);
    try {
      f.server.apply({ ...configMap('one'), data: { v: 'x' } });
      f.server.apply({ ...configMap('two'), data: { v: 'x' } });
      await waitFor('two events', () => watch.events.length === 2);
      assert.deepEqual(eventSummary(watch), ['ADDED two', 'MODIFIED two']);
    } finally {
      watch.stop();
    }
  });

  it('close ends open watches and stops listening', async () => {
    f = await startFixture();
    const watch = await recordWatch(f.kc, CM_PATH);
    await f.server.close();
    assert.equal(await watch.done, null);
    await assert.rejects(fetch(`${f.server.url}/version`));
  });
});
