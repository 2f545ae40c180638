import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptySnapshot, type Ingress, type Service, type Snapshot } from '../store/types.js';
import { planStatusUpdates, publishedAddresses } from './status.js';

const meta = (name: string) => ({ namespace: 'n', name, uid: '', resourceVersion: '', generation: 0, creationTimestamp: '', labels: {}, annotations: {} });
const ing = (name: string, ips: string[]): Ingress => ({
  kind: 'Ingress', metadata: meta(name), spec: { tls: [], rules: [] }, status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
});
const snap = (ingresses: Ingress[], services: Service[] = []): Snapshot => ({
  ...emptySnapshot(),
  ingresses: new Map(ingresses.map((i) => [`n/${i.metadata.name}`, i])),
  services: new Map(services.map((s) => [`n/${s.metadata.name}`, s])),
});
const ref = (name: string) => ({ kind: 'Ingress' as const, namespace: 'n', name });

describe('status planning', () => {
  it('writes our address to our Ingresses that lack it, and nothing to those that have it', () => {
    const s = snap([ing('a', []), ing('b', ['1.2.3.4']), ing('c', [])]);
    const updates = planStatusUpdates(s, [ref('a'), ref('b')], [{ ip: '1.2.3.4' }]);
    assert.deepEqual(updates, [{ ref: ref('a'), ingress: [{ ip: '1.2.3.4' }] }]);
  });

  it('clears our address from an Ingress that is no longer ours', () => {
    const s = snap([ing('old', ['1.2.3.4']), ing('foreign', ['9.9.9.9'])]);
    assert.deepEqual(planStatusUpdates(s, [], [{ ip: '1.2.3.4' }]), [{ ref: ref('old'), ingress: [] }]);
  });

  it('publishes a fixed address as ip or hostname, and a Service by load balancer, external IPs, then cluster IP', () => {
    const empty = snap([]);
    assert.deepEqual(publishedAddresses({ kind: 'address', value: '10.0.0.1' }, empty), [{ ip: '10.0.0.1' }]);
    assert.deepEqual(publishedAddresses({ kind: 'address', value: 'lb.example.com' }, empty), [{ hostname: 'lb.example.com' }]);
    const svc = (extra: Partial<Service['spec']>, lb: { ip?: string; hostname?: string }[] = []): Service => ({
      kind: 'Service', metadata: meta('s'), spec: { ports: [], ...extra }, status: { loadBalancer: { ingress: lb } },
    });
    const source = { kind: 'service' as const, namespace: 'n', name: 's' };
    assert.deepEqual(publishedAddresses(source, snap([], [svc({ clusterIP: '10.96.0.5', externalIPs: ['5.6.7.8'] }, [{ hostname: 'elb.example' }])])), [{ hostname: 'elb.example' }]);
    assert.deepEqual(publishedAddresses(source, snap([], [svc({ clusterIP: '10.96.0.5', externalIPs: ['5.6.7.8'] })])), [{ ip: '5.6.7.8' }]);
    assert.deepEqual(publishedAddresses(source, snap([], [svc({ clusterIP: '10.96.0.5' })])), [{ ip: '10.96.0.5' }]);
    assert.deepEqual(publishedAddresses(source, empty), []);
  });
});
