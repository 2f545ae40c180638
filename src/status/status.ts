import type { LoadBalancerIngress, ObjectRef, Snapshot } from '../store/types.js';

/** Where the controller's address comes from (`--publish-address` or `--publish-service`). */
export type PublishSource = { kind: 'address'; value: string } | { kind: 'service'; namespace: string; name: string } | { kind: 'none' };

export interface StatusUpdate {
  ref: ObjectRef;
  ingress: LoadBalancerIngress[];
}

/**
 * The addresses to publish: a fixed IP or host name, or what the published Service exposes
 * (its load balancer status, else its external IPs, else its cluster IP). Pure.
 */
export function publishedAddresses(source: PublishSource, snapshot: Snapshot): LoadBalancerIngress[] {
  if (source.kind === 'none') return [];
  if (source.kind === 'address') return [addressEntry(source.value)];
  const service = snapshot.services.get(`${source.namespace}/${source.name}`);
  if (!service) return [];
  const lb = service.status?.loadBalancer.ingress ?? [];
  if (lb.length) return lb.map((i) => ({ ...i }));
  if (service.spec.externalIPs?.length) return service.spec.externalIPs.map(addressEntry);
  if (service.spec.clusterIP && service.spec.clusterIP !== 'None') return [addressEntry(service.spec.clusterIP)];
  return [];
}

/**
 * Status writes needed so that exactly our Ingresses show our address: ours get it when they
 * differ; Ingresses that are no longer ours but still show exactly our address are cleared. Pure.
 */
export function planStatusUpdates(snapshot: Snapshot, ours: readonly ObjectRef[], addresses: LoadBalancerIngress[]): StatusUpdate[] {
  const updates: StatusUpdate[] = [];
  const ourKeys = new Set(ours.map((r) => `${r.namespace}/${r.name}`));
  const want = canonical(addresses);
  for (const ref of ours) {
    const ingress = snapshot.ingresses.get(`${ref.namespace}/${ref.name}`);
    if (ingress && canonical(ingress.status.loadBalancer.ingress) !== want) updates.push({ ref, ingress: addresses });
  }
  if (addresses.length) {
    for (const [key, ingress] of snapshot.ingresses) {
      if (ourKeys.has(key) || canonical(ingress.status.loadBalancer.ingress) !== want) continue;
      updates.push({ ref: { kind: 'Ingress', namespace: ingress.metadata.namespace, name: ingress.metadata.name }, ingress: [] });
    }
  }
  return updates;
}

function addressEntry(value: string): LoadBalancerIngress {
  return /^[0-9.]+$|:/.test(value) ? { ip: value } : { hostname: value };
}

function canonical(list: readonly LoadBalancerIngress[]): string {
  return JSON.stringify(list.map((i) => [i.ip ?? '', i.hostname ?? '']).sort());
}
