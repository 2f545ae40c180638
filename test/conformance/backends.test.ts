import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Ingress } from '@kubernetes/client-node';
import type { EchoServer } from '../support/echo-server.js';
import { AddressAllocator, backendRefs, endpointSlicesFor, endpointsFor, randomSuffix, serviceFor } from './backends.js';

const svc = (name: string, port: { number?: number; name?: string }) => ({ service: { name, port } });

describe('backendRefs', () => {
  test('lists the default backend first, then rule paths in order, each service once', () => {
    const ingress: V1Ingress = {
      spec: {
        defaultBackend: svc('default', { number: 81 }),
        rules: [
          { host: 'a', http: { paths: [{ path: '/x', pathType: 'Prefix', backend: svc('foo-prefix', { number: 8080 }) }] } },
          { host: 'b', http: { paths: [
            { path: '/y', pathType: 'Prefix', backend: svc('foo-prefix', { number: 8080 }) },
            { path: '/z', pathType: 'Exact', backend: svc('named', { name: 'http' }) },
            { path: '/r', pathType: 'Exact', backend: { resource: { kind: 'Bucket', name: 'b' } } },
          ] } },
        ],
      },
    };
    assert.deepEqual(backendRefs(ingress), [
      { service: 'default', port: 81 },
      { service: 'foo-prefix', port: 8080 },
      { service: 'named', port: 8080, portName: 'http' },
    ]);
  });
});

describe('Kubernetes objects for a backend', () => {
  const replicas = [
    { host: '127.1.0.1', port: 3000 },
    { host: '127.1.0.2', port: 3000 },
  ] as EchoServer[];

  test('the Service has no selector and one port, named only when referenced by name', () => {
    const named = serviceFor({ service: 'foo-bar-com', port: 8080, portName: 'http' }, 'ns');
    assert.deepEqual(named.spec, { type: 'ClusterIP', ports: [{ port: 8080, targetPort: 3000, protocol: 'TCP', name: 'http' }] });
    assert.equal(serviceFor({ service: 's', port: 8080 }, 'ns').spec?.ports?.[0].name, undefined);
  });

  test('Endpoints list every replica as ready under the Service port name', () => {
    const ep = endpointsFor({ service: 'foo-bar-com', port: 8080, portName: 'http' }, 'ns', replicas);
    assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '127.1.0.1' }, { ip: '127.1.0.2' }], ports: [{ port: 3000, protocol: 'TCP', name: 'http' }] }]);
    assert.equal(endpointsFor({ service: 's', port: 8080 }, 'ns', replicas).subsets?.[0].ports?.[0].name, undefined);
  });

  test('EndpointSlices are labelled with the service, ready and serving, and keep their name on rewrite', () => {
    const names = new Map<number, string>();
    const ref = { service: 'echo-service', port: 8080 };
    const [slice] = endpointSlicesFor(ref, 'ns', replicas.slice(0, 1), names);
    assert.match(slice.metadata?.name ?? '', /^echo-service-[a-z0-9]{5}$/);
    assert.equal(slice.metadata?.labels?.['kubernetes.io/service-name'], 'echo-service');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.endpoints?.[0].conditions, { ready: true, serving: true, terminating: false });
    assert.deepEqual(slice.ports, [{ port: 3000, protocol: 'TCP', name: '' }]);
    const [again] = endpointSlicesFor(ref, 'ns', replicas, names);
    assert.equal(again.metadata?.name, slice.metadata?.name);
    assert.deepEqual(again.endpoints?.map((e) => e.addresses[0]), ['127.1.0.1', '127.1.0.2']);
  });

  test('replicas on different ports get one subset and one slice per port', () => {
    const mixed = [{ host: '127.0.0.9', port: 4001 }, { host: '127.0.0.9', port: 4002 }] as EchoServer[];
    assert.equal(endpointsFor({ service: 's', port: 80 }, 'ns', mixed).subsets?.length, 2);
    assert.equal(endpointSlicesFor({ service: 's', port: 80 }, 'ns', mixed, new Map()).length, 2);
  });
});

describe('AddressAllocator', () => {
  test('hands out distinct loopback addresses on port 3000', () => {
    const alloc = new AddressAllocator();
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const { host, port } = alloc.next();
      assert.equal(port, 3000);
      assert.match(host, /^127\.1\.\d+\.\d+$/);
      assert.ok(!host.endsWith('.0') && !host.endsWith('.255'), host);
      seen.add(host);
    }
    assert.equal(seen.size, 600);
  });

  test('uses one fixed address with free ports in cluster mode', () => {
    assert.deepEqual(new AddressAllocator('10.0.0.1').next(), { host: '10.0.0.1', port: 0 });
  });

  test('random suffixes use the Kubernetes name alphabet', () => {
    assert.match(randomSuffix(), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});
