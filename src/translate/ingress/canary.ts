/**
 * Canary Ingresses (ingress-nginx's `canary` keys): an Ingress marked canary adds no routes. Each of
 * its paths finds the main route with the same host, path and match, and becomes alternatives of
 * that route: header rules, then cookie rules (route conditions, so the frontend's route group tries
 * them in that order), and the weight as one backend holding both Services' servers with weights,
 * so a weight change is `set server ... weight`, not a reload.
 */
import type { Mutable, Route } from '../../model/types.js';
import { objectKey, refOf, type Ingress } from '../../store/types.js';
import {
  CANARY, CANARY_BY_COOKIE, CANARY_BY_HEADER, CANARY_BY_HEADER_PATTERN, CANARY_BY_HEADER_VALUE, CANARY_WEIGHT, CANARY_WEIGHT_TOTAL, cookieRules, headerRules,
  type CanaryPlan,
} from '../annotations/canary/canary.js';
import type { ObjectSettings, SettingsResolver } from '../annotations/resolve.js';
import type { BackendTable } from '../backends.js';
import type { Diagnostics } from '../diagnostics.js';
import { describeHost } from '../hosts.js';
import { candidateRoutes, routeKey, type ClaimedRoute } from './routes.js';

/** A canary path attached to its main route. */
export interface CanaryClaim {
  route: ClaimedRoute;
  plan: CanaryPlan;
}

/** The Ingresses that route, and the canaries among them (both oldest first). */
export function splitCanaries(ingresses: readonly Ingress[], settings: SettingsResolver): { mains: Ingress[]; canaries: Ingress[] } {
  const isCanary = (ingress: Ingress) => settings.of(ingress).get(CANARY)?.value === true;
  return { mains: ingresses.filter((i) => !isCanary(i)), canaries: ingresses.filter(isCanary) };
}

function planOf(own: ObjectSettings, ingress: Ingress, diags: Diagnostics): CanaryPlan {
  const rules = [
    ...headerRules(own.get(CANARY_BY_HEADER)?.value, own.get(CANARY_BY_HEADER_VALUE)?.value, own.get(CANARY_BY_HEADER_PATTERN)?.value),
    ...cookieRules(own.get(CANARY_BY_COOKIE)?.value),
  ];
  const plan: CanaryPlan = { rules };
  const weight = own.get(CANARY_WEIGHT)?.value;
  if (weight !== undefined) {
    const total = own.get(CANARY_WEIGHT_TOTAL)?.value ?? CANARY_WEIGHT_TOTAL.fallback!;
    if (weight > total) {
      diags.warning('PCL_INVALID_ANNOTATION', refOf(ingress), `canary-weight ${weight} is more than canary-weight-total ${total}; every request the header and cookie leave goes to the canary`);
    }
    plan.weight = { canary: Math.min(weight, total), total };
  }
  return plan;
}

/**
 * Attaches each path of each canary to the main route it shares host, path and match with. A path
 * no main route has, or one another canary already took (the oldest canary wins), is reported.
 */
export function attachCanaries(claims: readonly ClaimedRoute[], canaries: readonly Ingress[], settings: SettingsResolver, diags: Diagnostics): Map<ClaimedRoute, CanaryClaim> {
  const mains = new Map(claims.map((claim) => [routeKey(claim), claim]));
  const attached = new Map<ClaimedRoute, CanaryClaim>();
  for (const ingress of canaries) {
    const plan = planOf(settings.of(ingress), ingress, diags);
    for (const route of candidateRoutes(ingress, diags)) {
      const where = `${describeHost(route.host)}, ${route.match} path ${JSON.stringify(route.path)}`;
      const main = mains.get(routeKey(route));
      if (!main) {
        diags.error('PCL_CANARY_WITHOUT_MAIN', refOf(ingress), `${where}: no Ingress routes this host and path, so there is nothing to be the canary of; the path is ignored`);
        continue;
      }
      const taken = attached.get(main);
      if (taken) {
        diags.warning('PCL_CANARY_CONFLICT', refOf(ingress), `${where} is ignored: Ingress ${objectKey(taken.route.ingress.metadata)} is already its canary (the oldest canary wins)`);
        continue;
      }
      attached.set(main, { route, plan });
    }
  }
  return attached;
}

/**
 * The routes of a main route with a canary: the rules as conditional routes of the same host and
 * path (the group's candidates), and the main route itself, unconditional, to the weight split when
 * a weight is set. Both Services' backends take the main Ingress's settings, as in ingress-nginx.
 */
export function canaryRoutes(main: Route, canary: CanaryClaim, own: ObjectSettings, backends: BackendTable): Route[] {
  const source = refOf(canary.route.ingress);
  const canaryBackend = backends.resolve(source, canary.route.service, own);
  const { weight } = canary.plan;
  const fallback = weight
    ? backends.split(source, [{ backend: main.backend, share: weight.total - weight.canary }, { backend: canaryBackend, share: weight.canary }])
    : main.backend;
  const routes: Route[] = [{ ...main, backend: fallback }];
  for (const rule of canary.plan.rules) {
    const route: Mutable<Route> = { ...main, backend: rule.to === 'canary' ? canaryBackend : main.backend, source };
    route.conditions = { ...(rule.headers ? { headers: rule.headers } : {}), ...(rule.cookies ? { cookies: rule.cookies } : {}) };
    routes.push(route);
  }
  return routes;
}
