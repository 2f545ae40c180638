/**
 * Route groups: routes that share host, path and match, at least one of them with conditions
 * (method, headers, query). The maps still find the group by host and path; its key's value is
 * `@gN`, and the frontend's group rules, rendered only when some group exists, try its candidates:
 *
 *   http-request set-var(txn.route) str(gN/1),map_str(maps/groups.map) if { var(txn.route) -m str @gN } <conditions>
 *   ...
 *   http-request set-var(txn.route) str(gN/else),map_str(maps/groups.map) if { var(txn.route) -m str @gN }
 *
 * The first rule that holds replaces `@gN` with a map value, so the later ones no longer match.
 * What a candidate routes to lives in `groups.map` (a map command changes it); its conditions live
 * in the rules (a change is a reload). `gN/else` is the group's unconditional route, or else what the
 * lookups would have found without the group (the next shorter prefix of the host, then the `*.`
 * host, then any host, then the default backend); absent, the request gets 404. Groups are in an
 * order where every fallback to another group points further down: hosts before `*.` hosts before
 * any host, and within a host regex, exact, then prefix paths from the longest.
 */
import type { Route, RouteConditions, SourceRef, ValueCondition } from '../../model/types.js';
import type { MapContents, MapEntry } from './maps.js';
import { configLiteral, headerName, methodToken, regexLiteral, token } from './text.js';

export interface RouteGroup {
  /** `g1`, `g2`... in rule order. */
  readonly id: string;
  /** Key prefix of the listener whose frontend holds the group's rules: `<listener>#`, '' for the default pair. */
  readonly prefix: string;
  readonly host: string;
  /** Prefix paths without their trailing slash ('' for the root). */
  readonly path: string;
  readonly match: Route['match'];
  /** The routes with conditions, in precedence order; candidate `i` is `<id>/<i + 1>` in groups.map. */
  readonly candidates: readonly Route[];
  /** The group's first route without conditions, if any. */
  readonly fallback?: Route;
}

/** Value that marks a key's entry as a route group; backend names never start with `@`. */
export function groupValue(id: string): string {
  return `@${id}`;
}

function conditional(route: Route): boolean {
  const c = route.conditions;
  return c !== undefined && (c.method !== undefined || (c.headers?.length ?? 0) > 0 || (c.query?.length ?? 0) > 0 || (c.cookies?.length ?? 0) > 0);
}

/** Gateway API precedence among matches of one host and path; ties keep model order (sort is stable). */
function precedence(a: Route, b: Route): number {
  const ca = a.conditions ?? {};
  const cb = b.conditions ?? {};
  return Number(cb.method !== undefined) - Number(ca.method !== undefined)
    || (cb.headers?.length ?? 0) - (ca.headers?.length ?? 0)
    || (cb.query?.length ?? 0) - (ca.query?.length ?? 0)
    || (cb.cookies?.length ?? 0) - (ca.cookies?.length ?? 0);
}

const MATCH_RANK: Record<Route['match'], number> = { regex: 0, exact: 1, prefix: 2 };

function hostRank(host: string): number {
  return host === '' ? 2 : host.startsWith('*.') ? 1 : 0;
}

function slotPath(route: Route): string {
  return route.match === 'prefix' ? route.path.replace(/\/+$/, '') : route.path;
}

/** A route on one listener: `prefix` is `<listener>#`, or '' on the default pair. */
export interface Placed {
  readonly route: Route;
  readonly prefix: string;
}

function slotOf(route: Route, prefix: string): string {
  return `${prefix}\u0000${route.match}\u0000${route.host}\u0000${slotPath(route)}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Pure: the groups of the placed routes in rule order, and the map value of each route on a listener
 * (`@gN` inside a group). A route on several listeners is in a group of each one's.
 */
export function buildGroups(placed: readonly Placed[], routeValue: (route: Route) => string): { groups: RouteGroup[]; valueOf: (route: Route, prefix: string) => string } {
  const slots = new Map<string, { prefix: string; routes: Route[] }>();
  for (const { route, prefix } of placed) {
    const key = slotOf(route, prefix);
    const slot = slots.get(key);
    if (slot) slot.routes.push(route);
    else slots.set(key, { prefix, routes: [route] });
  }
  const members = [...slots.values()].filter((slot) => slot.routes.some(conditional));
  members.sort((a, b) => {
    const [x, y] = [a.routes[0], b.routes[0]];
    return cmp(a.prefix, b.prefix) || hostRank(x.host) - hostRank(y.host) || cmp(x.host, y.host)
      || MATCH_RANK[x.match] - MATCH_RANK[y.match] || slotPath(y).length - slotPath(x).length || (slotPath(x) < slotPath(y) ? -1 : 1);
  });
  const bySlot = new Map<string, string>();
  const groups = members.map(({ prefix, routes }, i): RouteGroup => {
    const first = routes[0];
    const id = `g${i + 1}`;
    bySlot.set(slotOf(first, prefix), id);
    const fallback = routes.find((r) => !conditional(r));
    const candidates = routes.filter(conditional).sort(precedence);
    return { id, prefix, host: first.host, path: slotPath(first), match: first.match, candidates, ...(fallback ? { fallback } : {}) };
  });
  const valueOf = (route: Route, prefix: string) => {
    const id = bySlot.get(slotOf(route, prefix));
    return id === undefined ? routeValue(route) : groupValue(id);
  };
  return { groups, valueOf };
}

/** The host lookups the frontend tries after a host's own: its `*.` form, then any host. */
function hostChain(host: string): string[] {
  if (host === '') return [''];
  if (host.startsWith('*.') || !host.includes('.')) return [host, ''];
  return [host, `*.${host.slice(host.indexOf('.') + 1)}`, ''];
}

/** The longest `prefix.map` key that `subject` starts with, other than `except`. */
function longestPrefix(prefix: ReadonlyMap<string, MapEntry>, subject: string, from: number, except?: string): string | undefined {
  for (let i = subject.length - 1; i >= from; i--) {
    if (subject[i] !== '/') continue;
    const key = subject.slice(0, i + 1);
    if (key !== except && prefix.has(key)) return prefix.get(key)!.value;
  }
  return undefined;
}

/**
 * What a request of `group` routes to when none of its candidates holds, as the lookups would have
 * found it without the group. Computed for the group's own path (for a regex group, the host's root),
 * so a `*.` or any-host route with a longer prefix than the group's path is not considered.
 */
function chainFallback(group: RouteGroup, maps: MapContents, shadowed: ReadonlyMap<string, string>): string | undefined {
  const path = group.match === 'regex' ? '/' : group.match === 'prefix' ? `${group.path}/` : group.path;
  for (const [i, bare] of hostChain(group.host).entries()) {
    const own = i === 0;
    const host = group.prefix + bare;
    if (group.match === 'exact') {
      const exact = own ? shadowed.get(host + path) : maps.exact.get(host + path)?.value;
      if (exact !== undefined) return exact;
    }
    const except = own && group.match === 'prefix' ? host + path : undefined;
    const found = longestPrefix(maps.prefix, host + path, host.length, except);
    if (found !== undefined) return found;
  }
  // A listener has no default backend: what none of its routes matches gets 404.
  return group.prefix === '' ? maps.default.get('default')?.value : undefined;
}

/** The `groups.map` entries: each candidate's value, and each group's fallback. */
export function groupFallbacks(groups: readonly RouteGroup[], maps: MapContents, shadowed: ReadonlyMap<string, string>, value: (route: Route) => string): [string, MapEntry][] {
  const entries: [string, MapEntry][] = [];
  for (const group of groups) {
    group.candidates.forEach((route, i) => entries.push([`${group.id}/${i + 1}`, { value: value(route), source: route.source }]));
    const otherwise = group.fallback ? value(group.fallback) : chainFallback(group, maps, shadowed);
    if (otherwise !== undefined) entries.push([`${group.id}/else`, { value: otherwise, source: (group.fallback ?? group.candidates[0]).source }]);
  }
  return entries;
}

function valueTest(fetch: string, c: ValueCondition, source: SourceRef): string {
  const pattern = c.match === 'regex' ? `-m reg -- ${regexLiteral(c.value, source)}` : `-m str -- ${configLiteral(c.value, source)}`;
  return `{ ${fetch} ${pattern} }`;
}

/** The ACL terms of a candidate's conditions, ANDed on one rule. */
export function conditionTerms(c: RouteConditions, source: SourceRef): string[] {
  const terms: string[] = [];
  if (c.method !== undefined) terms.push(`{ method ${methodToken(c.method, source)} }`);
  // fhdr: the whole value, even with commas in it (hdr would split it).
  for (const h of c.headers ?? []) terms.push(valueTest(`req.fhdr(${headerName(h.name, source)})`, h, source));
  for (const q of c.query ?? []) terms.push(valueTest(`url_param(${token(q.name, source)})`, q, source));
  for (const k of c.cookies ?? []) terms.push(valueTest(`req.cook(${token(k.name, source)})`, k, source));
  return terms;
}

/** The frontend's group rules, each with the source of the route it stands for. */
export function groupRules(groups: readonly RouteGroup[], groupsFile: string): { line: string; source: SourceRef }[] {
  const lines: { line: string; source: SourceRef }[] = [];
  for (const group of groups) {
    const test = `{ var(txn.route) -m str ${groupValue(group.id)} }`;
    group.candidates.forEach((route, i) => {
      const terms = conditionTerms(route.conditions!, route.source).join(' ');
      lines.push({ line: `    http-request set-var(txn.route) str(${group.id}/${i + 1}),map_str(${groupsFile}) if ${test} ${terms}`, source: route.source });
    });
    const source = (group.fallback ?? group.candidates[0]).source;
    lines.push({ line: `    http-request set-var(txn.route) str(${group.id}/else),map_str(${groupsFile}) if ${test}`, source });
  }
  return lines;
}
