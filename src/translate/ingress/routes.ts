import type { PathMatch } from '../../model/types.js';
import { objectKey, refOf, type Ingress } from '../../store/types.js';
import type { ServiceRef } from '../backends.js';
import type { Diagnostics } from '../diagnostics.js';
import { checkHost, describeHost } from '../hosts.js';
import { serviceRefOf } from './backend-ref.js';
import { nginxRegexPath } from '../annotations/nginx/paths.js';
import { checkPath } from './paths.js';

/** A route that passed every check and won its (host, path, match); its backend is not resolved yet. */
export interface ClaimedRoute {
  host: string;
  path: string;
  match: PathMatch;
  service: ServiceRef;
  ingress: Ingress;
}

/** What two claims on the same route share. */
export function routeKey(route: Pick<ClaimedRoute, 'host' | 'path' | 'match'>): string {
  return `${route.host} ${route.match} ${route.path}`;
}

/**
 * Turns the rules of `ingresses` (oldest first) into routes. A rule with a bad host, or a path with
 * a bad path, pathType or backend, is skipped and reported; the rest of the Ingress still applies.
 * The first claim on a (host, path, match) wins, so the oldest Ingress keeps its routes and later
 * claims are reported on the Ingress that made them.
 */
export function claimRoutes(ingresses: readonly Ingress[], diags: Diagnostics, regexHosts: ReadonlySet<string> = new Set()): ClaimedRoute[] {
  const claimed = new Map<string, ClaimedRoute>();
  for (const ingress of ingresses) {
    for (const candidate of candidateRoutes(ingress, diags, regexHosts)) {
      const key = routeKey(candidate);
      const winner = claimed.get(key);
      if (!winner) {
        claimed.set(key, candidate);
        continue;
      }
      const by = winner.ingress === ingress ? 'an earlier path of this Ingress' : `Ingress ${objectKey(winner.ingress.metadata)} (the oldest Ingress wins)`;
      diags.warning(
        'PCL_ROUTE_CONFLICT',
        refOf(ingress),
        `${describeHost(candidate.host)}, ${candidate.match} path ${JSON.stringify(candidate.path)} is ignored: it is already routed by ${by}`,
      );
    }
  }
  return [...claimed.values()];
}

/**
 * Every usable path of one Ingress, reporting the unusable ones. `regexHosts`: hosts where an
 * Ingress asked for ingress-nginx's regex paths; there every path but an Exact one is a
 * case-insensitive regex anchored at the start, whichever Ingress wrote it.
 */
export function candidateRoutes(ingress: Ingress, diags: Diagnostics, regexHosts: ReadonlySet<string> = new Set()): ClaimedRoute[] {
  const source = refOf(ingress);
  const routes: ClaimedRoute[] = [];
  for (const rule of ingress.spec.rules) {
    const host = checkHost(rule.host, true);
    if (!host.ok) {
      diags.error('PCL_INVALID_HOST', source, `host ${JSON.stringify(rule.host)} is invalid (${host.reason}); its rule is ignored`);
      continue;
    }
    for (const entry of rule.http?.paths ?? []) {
      const regex = regexHosts.has(host.host) && (entry.pathType === 'Prefix' || entry.pathType === 'ImplementationSpecific');
      const path = regex ? nginxRegexPath(entry.path) : checkPath(entry.path, entry.pathType);
      if (!path.ok) {
        diags.error(path.code, source, `${describeHost(host.host)}: ${path.message}; the path is ignored`);
        continue;
      }
      const where = `${describeHost(host.host)}, path ${JSON.stringify(path.path)}`;
      const service = serviceRefOf(entry.backend, source, where, diags);
      if (service) routes.push({ host: host.host, path: path.path, match: path.match, service, ingress });
    }
  }
  return routes;
}
