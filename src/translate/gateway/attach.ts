import { GATEWAY_API_GROUP, type HTTPRoute, type Snapshot } from '../../store/types.js';
import type { Condition, ParentRef } from '../gateway-report.js';
import { checkHost } from '../hosts.js';
import { condition, selectorMatches } from './conditions.js';
import type { GatewayListener, OurGateway } from './gateways.js';
import { intersect, hostMatches, specificity } from './hostnames.js';

/** One parentRef naming one of our Gateways, and what it attached to. */
export interface ParentAttachment {
  readonly parentRef: ParentRef;
  /** Accepted, or why not. */
  readonly accepted: Condition;
  /** Model listener name -> hosts the route serves on it. */
  readonly hosts: Map<string, Set<string>>;
}

/**
 * Attaches a route to the listeners each of its parentRefs selects (by sectionName and port) that
 * allow its namespace and kind and share a hostname with it. Only parentRefs naming a Gateway of
 * ours are returned: the others belong to other controllers.
 */
export function attachRoute(route: HTTPRoute, gateways: ReadonlyMap<string, OurGateway>, snapshot: Snapshot, count: boolean): ParentAttachment[] {
  const out: ParentAttachment[] = [];
  const routeHosts = route.spec.hostnames.map((h) => checkHost(h, false)).flatMap((c) => (c.ok ? [c.host] : []));
  for (const ref of route.spec.parentRefs) {
    if (ref.group !== GATEWAY_API_GROUP || ref.kind !== 'Gateway') continue;
    const namespace = ref.namespace ?? route.metadata.namespace;
    const gateway = gateways.get(`${namespace}/${ref.name}`);
    if (!gateway) continue;
    const parentRef: ParentRef = {
      group: ref.group, kind: ref.kind, namespace, name: ref.name,
      ...(ref.sectionName !== undefined ? { sectionName: ref.sectionName } : {}),
      ...(ref.port !== undefined ? { port: ref.port } : {}),
    };
    const selected = gateway.listeners.filter((l) => (ref.sectionName === undefined || l.spec.name === ref.sectionName) && (ref.port === undefined || l.spec.port === ref.port));
    const hosts = new Map<string, Set<string>>();
    if (selected.length === 0) {
      out.push({ parentRef, hosts, accepted: condition('Accepted', false, 'NoMatchingParent', 'no listener of the Gateway has that sectionName and port') });
      continue;
    }
    const allowed = selected.filter((l) => l.attachable && allows(l, route, snapshot));
    if (allowed.length === 0) {
      out.push({ parentRef, hosts, accepted: condition('Accepted', false, 'NotAllowedByListeners', 'no listener allows routes of this kind from this namespace') });
      continue;
    }
    let matched = 0;
    for (const listener of allowed) {
      const common = intersect(listener.hostname, routeHosts).filter((h) => !claimedByNarrower(h, listener, gateway));
      if (common.length === 0) continue;
      matched++;
      // A route rejected for its own values is not attached, though its parents match.
      if (count) listener.attachedRoutes++;
      if (!listener.served) continue;
      const set = hosts.get(listener.served) ?? new Set<string>();
      for (const h of common) set.add(h);
      hosts.set(listener.served, set);
    }
    out.push({
      parentRef,
      hosts,
      accepted: matched > 0
        ? condition('Accepted', true, 'Accepted', 'attached')
        : condition('Accepted', false, 'NoMatchingListenerHostname', 'no listener hostname intersects the route hostnames'),
    });
  }
  return out;
}

function allows(listener: GatewayListener, route: HTTPRoute, snapshot: Snapshot): boolean {
  if (!listener.supportedKinds.some((k) => k.kind === 'HTTPRoute')) return false;
  const gwNamespace = listener.gateway.metadata.namespace;
  const { from, selector } = listener.spec.allowedRoutes.namespaces;
  if (from === 'All') return true;
  if (from === 'Same') return route.metadata.namespace === gwNamespace;
  if (from === 'Selector' && selector) {
    const labels = snapshot.namespaces.get(route.metadata.namespace)?.metadata.labels ?? {};
    return selectorMatches(selector, labels);
  }
  return false;
}

/**
 * Listener isolation: a host that a more specific listener on the same port matches belongs to
 * that listener's routes alone.
 */
function claimedByNarrower(host: string, listener: GatewayListener, gateway: OurGateway): boolean {
  if (host === '' || host.startsWith('*.')) return false;
  const own = specificity(listener.hostname);
  return gateway.listeners.some((other) => other !== listener && other.attachable && other.spec.port === listener.spec.port && specificity(other.hostname) > own && hostMatches(other.hostname, host));
}
