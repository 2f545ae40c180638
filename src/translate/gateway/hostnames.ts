/**
 * Gateway API hostnames: a listener's `*.example.com` matches any name ending in `.example.com`
 * (one label or more), unlike an Ingress wildcard. A wildcard host reaches the model as written,
 * on listeners whose `wildcardLabels` lets it stand for up to `WILDCARD_LABELS` labels.
 */

/**
 * The most leading labels a Gateway wildcard host is served for. Deeper names (`a.b.c.d.e.example.com`
 * under `*.example.com`) are rare, and each label more costs lookups on requests no route took.
 */
export const WILDCARD_LABELS = 4;

/** True when `host` (exact, lower-case) is matched by the listener hostname `pattern` ('' matches all). */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}

/**
 * The hostnames a route serves on a listener: the intersection of the route's hostnames with the
 * listener's. Empty when they have none in common; `['']` when neither names one.
 */
export function intersect(listener: string, routeHosts: readonly string[]): string[] {
  if (routeHosts.length === 0) return [listener];
  const out = new Set<string>();
  for (const route of routeHosts) {
    if (listener === '' || route === listener) out.add(route);
    else if (!route.startsWith('*.')) {
      if (hostMatches(listener, route)) out.add(route);
    } else if (!listener.startsWith('*.')) {
      if (hostMatches(route, listener)) out.add(listener);
    } else if (hostMatches(listener, route.slice(2))) out.add(route);
    else if (hostMatches(route, listener.slice(2))) out.add(listener);
  }
  return [...out];
}

/**
 * How specific a listener hostname is for the listener isolation rule: an exact name beats any
 * wildcard, a longer wildcard beats a shorter one, and no hostname comes last.
 */
export function specificity(pattern: string): number {
  if (pattern === '') return 0;
  return pattern.startsWith('*.') ? pattern.length : 10_000 + pattern.length;
}
