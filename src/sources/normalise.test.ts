import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalise } from './normalise.js';

describe('normalise', () => {
  it('turns list items (Date fields, no kind) into store objects with ISO timestamps', () => {
    const obj = normalise({ metadata: { name: 'i', namespace: 'n', creationTimestamp: new Date('2026-01-02T03:04:05Z') }, spec: {} }, 'Ingress');
    assert.equal(obj?.kind, 'Ingress');
    assert.equal(obj?.metadata.creationTimestamp, '2026-01-02T03:04:05Z');
    assert.deepEqual(obj?.kind === 'Ingress' && obj.spec.rules, []);
    assert.deepEqual(obj?.kind === 'Ingress' && obj.status.loadBalancer.ingress, []);
  });

  it('keeps watch JSON timestamps as given and defaults the namespace of namespaced kinds', () => {
    const obj = normalise({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', creationTimestamp: '2026-01-02T03:04:05Z' }, data: { a: 'b', n: 5 } });
    assert.equal(obj?.metadata.namespace, 'default');
    assert.deepEqual(obj?.kind === 'ConfigMap' && obj.data, { a: 'b', n: '5' });
  });

  it('folds Secret stringData into base64 data, stringData winning', () => {
    const obj = normalise({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { a: 'y', b: 'z' } });
    assert.deepEqual(obj?.kind === 'Secret' && obj.data, { a: 'eQ==', b: 'eg==' });
  });

  it('reads endpoint conditions, ports and target references of EndpointSlices', () => {
    const obj = normalise({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e', namespace: 'n', labels: { 'kubernetes.io/service-name': 's' } },
      addressType: 'IPv4', ports: [{ name: '', port: 80 }],
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: false, terminating: true }, targetRef: { kind: 'Pod', name: 'p' } }],
    });
    assert.ok(obj?.kind === 'EndpointSlice');
    assert.deepEqual(obj.endpoints[0].conditions, { ready: false, terminating: true });
    assert.equal(obj.endpoints[0].targetRef?.name, 'p');
    assert.deepEqual(obj.ports, [{ name: '', port: 80 }]);
  });

  it('ignores kinds and apiVersions it does not watch', () => {
    assert.equal(normalise({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }), undefined);
    assert.equal(normalise({ apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'p' } }), undefined);
    assert.equal(normalise('not an object'), undefined);
  });
});
