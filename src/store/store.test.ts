import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Store, type StoreChange } from './store.js';
import type { ConfigMap } from './types.js';

const cm = (name: string, data: Record<string, string>, resourceVersion = ''): ConfigMap => ({
  kind: 'ConfigMap',
  metadata: { namespace: 'ns', name, uid: '', resourceVersion, generation: 0, creationTimestamp: '', labels: {}, annotations: {} },
  data,
});

describe('Store', () => {
  it('emits a change for every effective write and none for a repeated one', () => {
    const store = new Store();
    const changes: StoreChange[] = [];
    store.on('change', (c: StoreChange) => changes.push(c));
    store.upsert(cm('a', { k: '1' }, '5'));
    store.upsert(cm('a', { k: '1' }, '5'));
    store.upsert(cm('a', { k: '2' }, '6'));
    store.delete('ConfigMap', 'ns/a');
    store.delete('ConfigMap', 'ns/a');
    assert.deepEqual(changes.map((c) => `${c.type} ${c.key}`), ['upsert ns/a', 'upsert ns/a', 'delete ns/a']);
    assert.equal(store.version, 3);
  });

  it('treats a write without resourceVersion as unchanged when its content is equal', () => {
    const store = new Store();
    store.upsert(cm('a', { k: '1' }));
    const before = store.version;
    store.upsert(cm('a', { k: '1' }));
    assert.equal(store.version, before);
  });

  it('replaceAll removes objects that vanished and adds new ones, emitting only differences', () => {
    const store = new Store();
    store.replaceAll('ConfigMap', [cm('a', {}), cm('b', {})]);
    const changes: string[] = [];
    store.on('change', (c: StoreChange) => changes.push(`${c.type} ${c.key}`));
    store.replaceAll('ConfigMap', [cm('b', {}), cm('c', {})]);
    assert.deepEqual(changes, ['delete ns/a', 'upsert ns/c']);
    assert.deepEqual(store.list('ConfigMap').map((o) => o.metadata.name).sort(), ['b', 'c']);
  });

  it('hands out snapshots that later writes do not change, cached until the next write', () => {
    const store = new Store();
    store.upsert(cm('a', {}));
    const first = store.snapshot();
    assert.equal(store.snapshot(), first);
    store.upsert(cm('b', {}));
    assert.equal(first.configMaps.size, 1);
    assert.equal(store.snapshot().configMaps.size, 2);
  });

  it('is synced only when every requested kind was marked', () => {
    const store = new Store();
    store.markSynced('Ingress');
    assert.equal(store.isSynced(['Ingress']), true);
    assert.equal(store.isSynced(), false);
  });
});
