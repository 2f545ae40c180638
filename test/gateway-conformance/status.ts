/**
 * The suite's status checks (README §4.4 of the upstream description) as pure functions over the
 * objects read back: each returns what is wrong, an empty list when the check holds. The runner
 * polls them with bounded waits.
 */

export interface Condition { type: string; status: string; reason?: string; observedGeneration?: number }
interface ParentRef { group?: string; kind?: string; name: string; namespace?: string; sectionName?: string }
interface RouteParentStatus { parentRef: ParentRef; controllerName: string; conditions?: Condition[] }
interface ListenerStatus { name: string; attachedRoutes?: number; conditions?: Condition[]; supportedKinds?: Array<{ group?: string; kind: string }> }

/** The parts of a Gateway, route or GatewayClass the checks read. */
export interface StatusObject {
  metadata: { name: string; namespace?: string; generation?: number };
  status?: { conditions?: Condition[]; addresses?: Array<{ type?: string; value: string }>; listeners?: ListenerStatus[]; parents?: RouteParentStatus[] };
}

/** An expected condition; `reason` is compared only when given. */
export interface ExpectedCondition { type: string; status: 'True' | 'False' | 'Unknown'; reason?: string }

function describe(c: Condition | undefined): string {
  return c ? `${c.type}=${c.status}${c.reason ? `/${c.reason}` : ''}` : 'absent';
}

export function conditionProblems(conditions: readonly Condition[] | undefined, want: ExpectedCondition, where: string, generation?: number): string[] {
  const got = conditions?.find((c) => c.type === want.type);
  if (!got || got.status !== want.status || (want.reason && got.reason !== want.reason)) {
    return [`${where}: ${want.type} is ${describe(got)}, expected ${want.status}${want.reason ? `/${want.reason}` : ''}`];
  }
  if (generation !== undefined && got.observedGeneration !== undefined && got.observedGeneration !== generation) {
    return [`${where}: ${want.type} observedGeneration ${got.observedGeneration}, expected ${generation}`];
  }
  return [];
}

/** The route's parent entry for the Gateway written by this controller. */
export function parentFor(route: StatusObject, gateway: { name: string; namespace: string }, controllerName: string): RouteParentStatus | undefined {
  return route.status?.parents?.find((p) => p.controllerName === controllerName
    && (p.parentRef.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io'
    && (p.parentRef.kind ?? 'Gateway') === 'Gateway'
    && p.parentRef.name === gateway.name
    && (p.parentRef.namespace ?? route.metadata.namespace) === gateway.namespace);
}

/** The first status address that has a type, as the suite picks it. */
export function gatewayAddress(gw: StatusObject): string | undefined {
  return gw.status?.addresses?.find((a) => a.type)?.value;
}

/** `GatewayAndHTTPRoutesMustBeAccepted`: a typed address, current conditions, accepted routes, healthy listeners. */
export function gatewayAndRoutesAccepted(gw: StatusObject, routes: readonly StatusObject[], controllerName: string): string[] {
  const where = `Gateway ${gw.metadata.namespace}/${gw.metadata.name}`;
  const out: string[] = [];
  if (!gatewayAddress(gw)) out.push(`${where} has no status address with a type`);
  for (const c of gw.status?.conditions ?? []) {
    if (c.observedGeneration !== gw.metadata.generation) out.push(`${where}: ${c.type} observedGeneration ${c.observedGeneration}, generation ${gw.metadata.generation}`);
  }
  if (!gw.status?.conditions?.length) out.push(`${where} has no conditions`);
  const ref = { name: gw.metadata.name, namespace: gw.metadata.namespace ?? 'default' };
  for (const route of routes) {
    const rwhere = `route ${route.metadata.namespace}/${route.metadata.name}`;
    const parent = parentFor(route, ref, controllerName);
    if (!parent) out.push(`${rwhere} has no parent status for ${where} from ${controllerName}`);
    else out.push(...conditionProblems(parent.conditions, { type: 'Accepted', status: 'True', reason: 'Accepted' }, rwhere));
  }
  for (const l of gw.status?.listeners ?? []) {
    for (const type of ['ResolvedRefs', 'Accepted', 'Programmed']) out.push(...conditionProblems(l.conditions, { type, status: 'True' }, `${where} listener ${l.name}`));
  }
  if (!gw.status?.listeners?.length) out.push(`${where} has no listener status`);
  return out;
}

/** `HTTPRouteMustHaveCondition` (and `...ResolvedRefsConditionsTrue` with ResolvedRefs=True/ResolvedRefs). */
export function routeHasCondition(route: StatusObject, gateway: { name: string; namespace: string }, controllerName: string, want: ExpectedCondition): string[] {
  const where = `route ${route.metadata.namespace}/${route.metadata.name}`;
  const parent = parentFor(route, gateway, controllerName);
  if (!parent) return [`${where} has no parent status for Gateway ${gateway.namespace}/${gateway.name}`];
  return conditionProblems(parent.conditions, want, where, route.metadata.generation);
}

/** `HTTPRouteMustHaveNoAcceptedParents` for one poll: no parents, or exactly one with Accepted=False. */
export function noAcceptedParents(route: StatusObject): string[] {
  const parents = route.status?.parents ?? [];
  if (parents.length === 0) return [];
  if (parents.length === 1 && parents[0].conditions?.some((c) => c.type === 'Accepted' && c.status === 'False')) return [];
  return [`route ${route.metadata.namespace}/${route.metadata.name} has ${parents.length} parent(s), not one with Accepted=False`];
}

/** An expected listener status. */
export interface ExpectedListener { name: string; attachedRoutes?: number; conditions?: ExpectedCondition[]; supportedKinds?: string[] }

/** `GatewayStatusMustHaveListeners` (only the listeners named) and `GatewayMustHaveZeroRoutes` when `zeroRoutes`. */
export function gatewayListeners(gw: StatusObject, expected: readonly ExpectedListener[]): string[] {
  const where = `Gateway ${gw.metadata.namespace}/${gw.metadata.name}`;
  const out: string[] = [];
  for (const want of expected) {
    const got = gw.status?.listeners?.find((l) => l.name === want.name);
    if (!got) {
      out.push(`${where} has no status for listener ${want.name}`);
      continue;
    }
    if (want.attachedRoutes !== undefined && got.attachedRoutes !== want.attachedRoutes) out.push(`${where} listener ${want.name}: attachedRoutes ${got.attachedRoutes}, expected ${want.attachedRoutes}`);
    for (const c of want.conditions ?? []) out.push(...conditionProblems(got.conditions, c, `${where} listener ${want.name}`));
    for (const kind of want.supportedKinds ?? []) if (!got.supportedKinds?.some((k) => k.kind === kind)) out.push(`${where} listener ${want.name} does not list ${kind} in supportedKinds`);
  }
  return out;
}

/** `GatewayMustHaveZeroRoutes`: no listener status, or one listener with no attached routes. */
export function gatewayZeroRoutes(gw: StatusObject): string[] {
  const listeners = gw.status?.listeners ?? [];
  if (listeners.length === 0 || (listeners.length === 1 && (listeners[0].attachedRoutes ?? 0) === 0)) return [];
  return [`Gateway ${gw.metadata.namespace}/${gw.metadata.name} has routes attached: ${listeners.map((l) => `${l.name}=${l.attachedRoutes}`).join(', ')}`];
}

/** A condition on the object's own status (Gateway, GatewayClass), with the current observedGeneration. */
export function objectHasCondition(obj: StatusObject, want: ExpectedCondition, what: string): string[] {
  return conditionProblems(obj.status?.conditions, want, what, obj.metadata.generation);
}
