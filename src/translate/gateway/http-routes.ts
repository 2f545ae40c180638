import type { BackendPolicy, Listener as ModelListener, Mutable, Route } from '../../model/types.js';
import { refOf, type HTTPRoute } from '../../store/types.js';
import type { FrontDoorContext } from '../front-door.js';
import type { Condition, RouteReport } from '../gateway-report.js';
import { compareAge } from '../order.js';
import { attachRoute } from './attach.js';
import { resolveRefs, ruleBackend } from './backend-refs.js';
import { condition } from './conditions.js';
import { rulePolicy, ruleProblem, ruleTimeouts } from './filters.js';
import type { OurGateway } from './gateways.js';
import { ANY_PATH, matchShape, type MatchShape } from './matches.js';

/**
 * The HTTPRoutes attached to our Gateways, oldest first (the order the model keeps for routes
 * that tie in precedence), as model routes, and each one's status per parent. A route with a
 * value that cannot be served is rejected alone (`Accepted=False`, `UnsupportedValue`).
 */
export function buildHttpRoutes(
  ctx: FrontDoorContext,
  gateways: readonly OurGateway[],
  models: readonly ModelListener[],
): { routes: Route[]; reports: RouteReport[] } {
  const byKey = new Map(gateways.map((g) => [`${g.ref.namespace}/${g.ref.name}`, g]));
  const listeners = new Map(models.map((l) => [l.name, l]));
  const list = [...ctx.snapshot.httpRoutes.values()].filter((r) => !ctx.options.excluded?.has(`HTTPRoute/${r.metadata.namespace}/${r.metadata.name}`));
  list.sort((a, b) => compareAge(a.metadata, b.metadata));
  const routes: Route[] = [];
  const reports: RouteReport[] = [];
  const seen = new Set<string>();
  for (const route of list) {
    const problem = routeProblem(route);
    const parents = attachRoute(route, byKey, ctx.snapshot, !problem);
    if (parents.length === 0) continue;
    const source = refOf(route);
    let resolved: Condition = condition('ResolvedRefs', true, 'ResolvedRefs', 'all backendRefs are resolved');
    if (problem) ctx.diags.error('PCL_ROUTE_NOT_ACCEPTED', source, problem);
    for (const p of parents) if (p.accepted.status === 'False') ctx.diags.error('PCL_ROUTE_NOT_ACCEPTED', source, `parent Gateway "${p.parentRef.namespace}/${p.parentRef.name}": ${p.accepted.message}`);
    const attached = parents.some((p) => p.accepted.status === 'True');
    if (!problem && attached) {
      route.spec.rules.forEach((rule) => {
        const refs = resolveRefs(ctx, route, rule);
        if (refs.problem && resolved.status === 'True') resolved = refs.problem;
        const timeouts = ruleTimeouts(rule);
        for (const m of rule.matches.length ? rule.matches : [ANY_PATH]) {
          const shape = matchShape(m) as Extract<MatchShape, { ok: true }>;
          for (const parent of parents) {
            for (const [name, hosts] of parent.hosts) {
              const listener = listeners.get(name)!;
              const policy = unbacked(rulePolicy(rule, { path: shape.path, match: shape.match, listener }), refs.split.length);
              const backend = ruleBackend(ctx, route, refs, { policy, timeouts });
              for (const host of hosts) {
                const key = JSON.stringify([name, host, shape.path, shape.match, shape.conditions]);
                // The oldest route keeps a match another route repeats.
                if (seen.has(key)) continue;
                seen.add(key);
                const r: Mutable<Route> = { host, path: shape.path, match: shape.match, backend, listeners: [name], source };
                if (shape.conditions) r.conditions = shape.conditions;
                routes.push(r);
              }
            }
          }
        }
      });
    }
    reports.push({
      ref: source,
      generation: route.metadata.generation,
      parents: parents.map((p) => ({
        parentRef: p.parentRef,
        conditions: [
          problem && p.accepted.status === 'True' ? condition('Accepted', false, 'UnsupportedValue', problem) : p.accepted,
          resolved,
        ],
      })),
    });
  }
  return { routes, reports };
}

/**
 * A rule with no backend left to send to (none given, or none valid) answers 500, as the
 * specification requires, unless a redirect answers first.
 */
function unbacked(policy: BackendPolicy | undefined, backends: number): BackendPolicy | undefined {
  if (backends > 0 || policy?.redirect) return policy;
  return { ...policy, respond: 500 };
}

function routeProblem(route: HTTPRoute): string | undefined {
  for (const rule of route.spec.rules) {
    const problem = ruleProblem(rule);
    if (problem) return problem;
    for (const m of rule.matches) {
      const shape = matchShape(m);
      if (!shape.ok) return shape.reason;
    }
  }
  return undefined;
}
