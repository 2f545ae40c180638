/**
 * Gateway API status, planned from the objects as they are and what the Gateway API front door
 * reported (pure). GatewayClass and Gateway status belong to us whole once the class is ours; a
 * route's `status.parents` is shared by every controller its parentRefs reach, so only the entries
 * carrying our controllerName are replaced, in place, and the others are kept as they are.
 * A condition whose status did not change keeps its `lastTransitionTime`, and a write is planned
 * only when the status would differ, so passes that change nothing write nothing.
 */
import type {
  Condition as StoredCondition,
  Gateway,
  GatewayClass,
  GRPCRoute,
  HTTPRoute,
  ObjectRef,
  ParentReference,
  RouteParentStatus,
  RouteStatus,
  Snapshot,
} from '../store/types.js';
import type { Condition, GatewayApiReport, GatewayReport, ParentRef, RouteReport } from '../translate/gateway-report.js';

/** One status write; `resourceVersion` is the version planned from, so a write over a newer object fails (409) instead. */
export type GatewayStatusWrite =
  | { readonly ref: ObjectRef & { kind: 'GatewayClass' }; readonly resourceVersion: string; readonly status: GatewayClass['status'] }
  | { readonly ref: ObjectRef & { kind: 'Gateway' }; readonly resourceVersion: string; readonly status: Gateway['status'] }
  | { readonly ref: ObjectRef & { kind: 'HTTPRoute' | 'GRPCRoute' }; readonly resourceVersion: string; readonly status: RouteStatus };

/**
 * The writes that bring the status of the reported objects in line with `report`, and remove our
 * parent entries from routes we no longer report a parent for. `report` may be older than
 * `snapshot` (a retry): an object whose generation has moved on is left for the pass that follows
 * its change. `now` is the `lastTransitionTime` of conditions whose status changed.
 */
export function planGatewayStatus(snapshot: Snapshot, report: GatewayApiReport, now: string): GatewayStatusWrite[] {
  const writes: GatewayStatusWrite[] = [];
  for (const c of report.gatewayClasses) {
    const current = snapshot.gatewayClasses.get(c.name);
    if (!current || current.metadata.generation !== c.generation) continue;
    const status: GatewayClass['status'] = {
      conditions: conditions(c.conditions, current.status.conditions, c.generation, now),
      supportedFeatures: c.supportedFeatures.map((name) => ({ name })),
    };
    if (!sameJson(status, classStatus(current.status))) {
      writes.push({ ref: { kind: 'GatewayClass', namespace: '', name: c.name }, resourceVersion: current.metadata.resourceVersion, status });
    }
  }
  for (const g of report.gateways) {
    const current = snapshot.gateways.get(`${g.ref.namespace}/${g.ref.name}`);
    if (!current || current.metadata.generation !== g.generation) continue;
    const status = gatewayStatus(g, current, now);
    if (!sameJson(status, gatewayStatusOf(current.status))) {
      writes.push({ ref: { kind: 'Gateway', namespace: g.ref.namespace, name: g.ref.name }, resourceVersion: current.metadata.resourceVersion, status });
    }
  }
  const reported = new Map(report.routes.map((r) => [`${r.ref.kind}/${r.ref.namespace}/${r.ref.name}`, r]));
  const routes: [kind: 'HTTPRoute' | 'GRPCRoute', ReadonlyMap<string, HTTPRoute | GRPCRoute>][] = [['HTTPRoute', snapshot.httpRoutes], ['GRPCRoute', snapshot.grpcRoutes]];
  for (const [kind, table] of routes) {
    for (const [key, route] of table) {
      const r = reported.get(`${kind}/${key}`);
      if (r && route.metadata.generation !== r.generation) continue;
      // Not reported: any entry of ours is for a parent that is no longer ours, and goes.
      if (!r && !route.status.parents.some((p) => p.controllerName === report.controllerName)) continue;
      const status: RouteStatus = { parents: routeParents(route, r, report.controllerName, now) };
      if (!sameJson(status, { parents: route.status.parents.map(parentStatusOf) })) {
        writes.push({ ref: { kind, namespace: route.metadata.namespace, name: route.metadata.name }, resourceVersion: route.metadata.resourceVersion, status });
      }
    }
  }
  return writes;
}

function gatewayStatus(g: GatewayReport, current: Gateway, now: string): Gateway['status'] {
  const before = new Map(current.status.listeners.map((l) => [l.name, l]));
  return {
    addresses: g.addresses.map((a) => ({ type: a.type, value: a.value })),
    conditions: conditions(g.conditions, current.status.conditions, g.generation, now),
    listeners: g.listeners.map((l) => ({
      name: l.name,
      supportedKinds: l.supportedKinds.map((k) => ({ group: k.group, kind: k.kind })),
      attachedRoutes: l.attachedRoutes,
      conditions: conditions(l.conditions, before.get(l.name)?.conditions ?? [], g.generation, now),
    })),
  };
}

/**
 * Our entries replaced where they stand (so two controllers never reorder the list back and forth),
 * dropped when no longer reported; others' entries kept; parents reported for the first time appended.
 */
function routeParents(route: HTTPRoute | GRPCRoute, r: RouteReport | undefined, controllerName: string, now: string): RouteParentStatus[] {
  const ns = route.metadata.namespace;
  const wanted = new Map((r?.parents ?? []).map((p) => [parentKey(p.parentRef, ns), p]));
  const out: RouteParentStatus[] = [];
  for (const existing of route.status.parents) {
    if (existing.controllerName !== controllerName) {
      out.push(parentStatusOf(existing));
      continue;
    }
    const key = parentKey(existing.parentRef, ns);
    const want = wanted.get(key);
    if (!want) continue;
    wanted.delete(key);
    out.push(parentStatus(want.parentRef, controllerName, conditions(want.conditions, existing.conditions, r!.generation, now)));
  }
  for (const want of wanted.values()) out.push(parentStatus(want.parentRef, controllerName, conditions(want.conditions, [], r!.generation, now)));
  return out;
}

/** Two parentRefs name the same parent when they agree once the namespace defaults to the route's. */
function parentKey(p: ParentRef | ParentReference, routeNamespace: string): string {
  return JSON.stringify([p.group, p.kind, p.namespace || routeNamespace, p.name, p.sectionName ?? '', p.port ?? 0]);
}

function parentStatus(p: ParentRef | ParentReference, controllerName: string, conds: StoredCondition[]): RouteParentStatus {
  const parentRef: ParentReference = { group: p.group, kind: p.kind, ...(p.namespace ? { namespace: p.namespace } : {}), name: p.name };
  if (p.sectionName !== undefined) parentRef.sectionName = p.sectionName;
  if (p.port !== undefined) parentRef.port = p.port;
  return { parentRef, controllerName, conditions: conds };
}

/** A stored entry in the key order `parentStatus` writes, so that comparing JSON compares content. */
function parentStatusOf(p: RouteParentStatus): RouteParentStatus {
  return parentStatus(p.parentRef, p.controllerName, p.conditions.map(conditionOf));
}

/** The reported conditions, each keeping the transition time of the condition of its type it replaces when the status is the same. */
function conditions(wanted: readonly Condition[], existing: readonly StoredCondition[], generation: number, now: string): StoredCondition[] {
  return wanted.map((c) => {
    const old = existing.find((e) => e.type === c.type);
    const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now;
    return { type: c.type, status: c.status, reason: c.reason, message: c.message, observedGeneration: generation, lastTransitionTime };
  });
}

function conditionOf(c: StoredCondition): StoredCondition {
  return { type: c.type, status: c.status, reason: c.reason, message: c.message, observedGeneration: c.observedGeneration, lastTransitionTime: c.lastTransitionTime };
}

function classStatus(s: GatewayClass['status']): GatewayClass['status'] {
  return { conditions: s.conditions.map(conditionOf), supportedFeatures: s.supportedFeatures.map((f) => ({ name: f.name })) };
}

function gatewayStatusOf(s: Gateway['status']): Gateway['status'] {
  return {
    addresses: s.addresses.map((a) => ({ type: a.type, value: a.value })),
    conditions: s.conditions.map(conditionOf),
    listeners: s.listeners.map((l) => ({
      name: l.name,
      supportedKinds: l.supportedKinds.map((k) => ({ group: k.group, kind: k.kind })),
      attachedRoutes: l.attachedRoutes,
      conditions: l.conditions.map(conditionOf),
    })),
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
