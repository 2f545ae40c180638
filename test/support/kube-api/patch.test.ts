import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from './errors.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';

describe('JSON merge patch (RFC 7386)', () => {
  it('merges objects recursively, deletes on null and replaces arrays whole', () => {
    const target = { metadata: { labels: { a: '1', b: '2' } }, spec: { rules: [{ host: 'x' }, { host: 'y' }] } };
    const result = applyMergePatch(target, { metadata: { labels: { b: null, c: '3' } }, spec: { rules: [{ host: 'z' }] } });
    assert.deepEqual(result, { metadata: { labels: { a: '1', c: '3' } }, spec: { rules: [{ host: 'z' }] } });
  });

  it('leaves the target untouched', () => {
    const target = { spec: { replicas: 1 } };
    applyMergePatch(target, { spec: { replicas: 5 } });
    assert.deepEqual(target, { spec: { replicas: 1 } });
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { metadata: { labels: { 'app.kubernetes.io/name': 'web' } }, spec: { ports: [80, 443] } };

  it('add, replace and remove, with ~1 escaping and - for append', () => {
    const result = applyJsonPatch(doc, [
      { op: 'add', path: '/spec/ports/-', value: 8080 },
      { op: 'replace', path: '/spec/ports/0', value: 81 },
      { op: 'remove', path: '/metadata/labels/app.kubernetes.io~1name' },
      { op: 'add', path: '/metadata/annotations', value: { note: 'x' } },
    ]);
    assert.deepEqual(result, { metadata: { labels: {}, annotations: { note: 'x' } }, spec: { ports: [81, 443, 8080] } });
  });

  it('add inserts before an index rather than overwriting', () => {
    assert.deepEqual(applyJsonPatch({ a: [1, 3] }, [{ op: 'add', path: '/a/1', value: 2 }]), { a: [1, 2, 3] });
  });

  it('a passing test lets the patch through; a failing test rejects it with 422 and changes nothing', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 1 }, { op: 'replace', path: '/a', value: 2 }]), { a: 2 });
    const original = { a: 1 };
    assert.throws(
      () => applyJsonPatch(original, [{ op: 'replace', path: '/a', value: 9 }, { op: 'test', path: '/a', value: 1 }]),
      (err: unknown) => err instanceof ApiError && err.code === 422,
    );
    assert.deepEqual(original, { a: 1 });
  });

  it('move and copy', () => {
    assert.deepEqual(applyJsonPatch({ a: { x: 1 } }, [{ op: 'copy', from: '/a', path: '/b' }, { op: 'move', from: '/a/x', path: '/c' }]), { a: {}, b: { x: 1 }, c: 1 });
  });

  it('replace or remove of a missing path is 422; a patch that is not an array is 400', () => {
    assert.throws(() => applyJsonPatch({}, [{ op: 'replace', path: '/nope', value: 1 }]), (e: unknown) => e instanceof ApiError && e.code === 422);
    assert.throws(() => applyJsonPatch({}, [{ op: 'remove', path: '/nope' }]), (e: unknown) => e instanceof ApiError && e.code === 422);
    assert.throws(() => applyJsonPatch({}, { op: 'add' }), (e: unknown) => e instanceof ApiError && e.code === 400);
  });
});

describe('strategic merge patch', () => {
  it('merges containers by name instead of replacing the list', () => {
    const target = { spec: { template: { spec: { containers: [{ name: 'app', image: 'v1' }, { name: 'side', image: 's1' }] } } } };
    const result = applyStrategicMergePatch(target, { spec: { template: { spec: { containers: [{ name: 'app', image: 'v2' }] } } } });
    assert.deepEqual(result, { spec: { template: { spec: { containers: [{ name: 'app', image: 'v2' }, { name: 'side', image: 's1' }] } } } });
  });

  it('unions finalizers and deletes list elements marked $patch: delete', () => {
    const target = { metadata: { finalizers: ['a'] }, spec: { ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] } };
    const result = applyStrategicMergePatch(target, { metadata: { finalizers: ['b', 'a'] }, spec: { ports: [{ port: 80, $patch: 'delete' }] } });
    assert.deepEqual(result, { metadata: { finalizers: ['a', 'b'] }, spec: { ports: [{ port: 443, name: 'https' }] } });
  });

  it('lists without a merge key are replaced, as merge patch does', () => {
    const result = applyStrategicMergePatch({ status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } } }, { status: { loadBalancer: { ingress: [{ ip: '2.2.2.2' }] } } });
    assert.deepEqual(result, { status: { loadBalancer: { ingress: [{ ip: '2.2.2.2' }] } } });
  });

  it('$patch: replace on a map replaces it instead of merging', () => {
    const result = applyStrategicMergePatch({ metadata: { labels: { a: '1' } } }, { metadata: { labels: { $patch: 'replace', b: '2' } } });
    assert.deepEqual(result, { metadata: { labels: { b: '2' } } });
  });
});
