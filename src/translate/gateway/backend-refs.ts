import type { Backend, BackendPolicy, BackendTimeouts } from '../../model/types.js';
import { backendName, backendVariantName } from '../../model/names.js';
import { GATEWAY_API_GROUP, refOf, type HTTPRoute, type HTTPRouteRule } from '../../store/types.js';
import type { FrontDoorContext } from '../front-door.js';
import type { Condition } from '../gateway-report.js';
import type { WeightedSource } from '../types.js';
import { condition, referencePermitted } from './conditions.js';

/** A rule's backendRefs resolved: the weight split, and the first problem (ResolvedRefs=False). */
export interface ResolvedRefs {
  readonly split: WeightedSource[];
  /** Service ports by split index, for the base backend's settings. */
  readonly refs: { namespace: string; name: string; port: number }[];
  readonly h2: boolean;
  readonly problem?: Condition;
}

/** Checks each backendRef: a Service (kind), permitted (ReferenceGrant), existing, with the port. */
export function resolveRefs(ctx: FrontDoorContext, route: HTTPRoute, rule: HTTPRouteRule): ResolvedRefs {
  const split: WeightedSource[] = [];
  const refs: ResolvedRefs['refs'] = [];
  let problem: Condition | undefined;
  let h2 = true;
  const fail = (reason: string, message: string) => {
    problem ??= condition('ResolvedRefs', false, reason, message);
    ctx.diags.error('PCL_ROUTE_REF_UNRESOLVED', refOf(route), message);
  };
  for (const ref of rule.backendRefs) {
    const namespace = ref.namespace ?? route.metadata.namespace;
    const named = `${ref.kind} "${namespace}/${ref.name}"`;
    if (ref.group !== '' || ref.kind !== 'Service') {
      fail('InvalidKind', `backendRef ${ref.group ? `${ref.group}/` : ''}${ref.kind} is not a Service`);
      continue;
    }
    const from = { group: GATEWAY_API_GROUP, kind: 'HTTPRoute', namespace: route.metadata.namespace };
    if (!referencePermitted(ctx.snapshot, from, { group: '', kind: 'Service', namespace, name: ref.name })) {
      fail('RefNotPermitted', `${named} is in another namespace and no ReferenceGrant allows it`);
      continue;
    }
    if (ref.port === undefined) {
      fail('UnsupportedValue', `backendRef ${named} has no port`);
      continue;
    }
    const found = ctx.backends.lookup({ namespace, name: ref.name, port: { number: ref.port } });
    if (!found.found || found.portName === undefined) {
      fail('BackendNotFound', found.service ? `${named} has no port ${ref.port}` : `${named} does not exist`);
      continue;
    }
    const port = found.service!.spec.ports.find((p) => p.port === ref.port);
    if (port?.appProtocol !== 'kubernetes.io/h2c') h2 = false;
    split.push({ service: `${namespace}/${ref.name}`, portName: found.portName, weight: ref.weight });
    refs.push({ namespace, name: ref.name, port: ref.port });
  }
  return { split, refs, h2: h2 && split.length > 0, problem };
}

/**
 * The backend a rule's match routes to. One Service port with no filter is the shared backend
 * (so Ingresses and routes naming it share one); anything else is a backend of its own, named
 * after the base backend and a hash of what it adds, so equal rules share it.
 */
export function ruleBackend(
  ctx: FrontDoorContext,
  route: HTTPRoute,
  resolved: ResolvedRefs,
  extra: { policy?: BackendPolicy; timeouts?: BackendTimeouts },
): string {
  const source = refOf(route);
  const { split, refs } = resolved;
  const plain = !extra.policy && !extra.timeouts && !resolved.h2;
  if (plain && split.length === 1 && split[0].weight > 0) {
    return ctx.backends.resolve(source, { namespace: refs[0].namespace, name: refs[0].name, port: { number: refs[0].port } });
  }
  const base: Omit<Backend, 'servers'> = split.length > 0
    ? ctx.backends.lookup({ namespace: refs[0].namespace, name: refs[0].name, port: { number: refs[0].port } }).backend
    : { name: backendName(route.metadata.namespace, route.metadata.name, 'none'), balance: 'roundrobin', source };
  const key = JSON.stringify({ split, policy: extra.policy, timeouts: extra.timeouts, h2: resolved.h2 });
  const { servers: _servers, ...rest } = base as Backend;
  const timeouts = extra.timeouts ? { ...rest.timeouts, ...extra.timeouts } : rest.timeouts;
  const server = resolved.h2 ? { check: false, ...rest.server, proto: 'h2' as const } : rest.server;
  return ctx.backends.addComposite(
    {
      ...rest,
      name: backendVariantName(base.name, key),
      source,
      ...(extra.policy ? { policy: { ...rest.policy, ...extra.policy } } : {}),
      ...(timeouts ? { timeouts } : {}),
      ...(server ? { server } : {}),
    },
    split,
  );
}
