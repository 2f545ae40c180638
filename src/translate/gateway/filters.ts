import type { BackendPolicy, BackendTimeouts, HeaderSetting, Mutable, PathMatch, RequestRedirect } from '../../model/types.js';
import type { HeaderModifier, HTTPRouteRule, RouteFilter } from '../../store/types.js';

/** Where a rule's filters apply: the path it matched and the listener it came through. */
export interface FilterContext {
  readonly path: string;
  readonly match: PathMatch;
  readonly listener: { readonly port: number; readonly protocol: 'http' | 'https' };
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const VALUE = /^[\x20-\x7e]*$/;
const CODES = new Set([301, 302, 303, 307, 308]);
const DURATION = /^(?:\d{1,5}(?:h|ms|m|s)){1,4}$/;

/** Checks a rule's filters and timeouts once; `UnsupportedValue` when any cannot be served. */
export function ruleProblem(rule: HTTPRouteRule): string | undefined {
  for (const filter of rule.filters) {
    const problem = filterProblem(filter);
    if (problem) return problem;
  }
  if (rule.backendRefs.some((b) => b.filters.length > 0)) return 'filters on a backendRef are not supported';
  for (const [field, value] of Object.entries(rule.timeouts ?? {})) {
    if (value !== undefined && durationMs(value) === undefined) return `timeouts.${field} ${JSON.stringify(value)} is not a duration`;
  }
  return undefined;
}

function filterProblem(filter: RouteFilter): string | undefined {
  switch (filter.type) {
    case 'RequestHeaderModifier':
      return headersProblem(filter.requestHeaderModifier);
    case 'ResponseHeaderModifier':
      return headersProblem(filter.responseHeaderModifier);
    case 'RequestRedirect': {
      const r = filter.requestRedirect;
      if (!r) return 'RequestRedirect has no requestRedirect';
      if (!CODES.has(r.statusCode)) return `redirect status ${r.statusCode} is not supported`;
      if (r.scheme !== undefined && r.scheme !== 'http' && r.scheme !== 'https') return `redirect scheme ${JSON.stringify(r.scheme)} is not supported`;
      return pathProblem(r.path) ?? hostProblem(r.hostname);
    }
    case 'URLRewrite':
      return filter.urlRewrite ? (pathProblem(filter.urlRewrite.path) ?? hostProblem(filter.urlRewrite.hostname)) : 'URLRewrite has no urlRewrite';
    default:
      return `filter ${JSON.stringify(filter.type)} is not supported`;
  }
}

function headersProblem(m: HeaderModifier | undefined): string | undefined {
  if (!m) return 'a header modifier is empty';
  for (const h of [...m.set, ...m.add]) {
    if (!NAME.test(h.name) || !VALUE.test(h.value)) return `header ${JSON.stringify(h.name)} cannot be set to that value`;
  }
  return m.remove.find((n) => !NAME.test(n)) !== undefined ? 'a removed header name is not a header name' : undefined;
}

function pathProblem(p: { type: string; replaceFullPath?: string; replacePrefixMatch?: string } | undefined): string | undefined {
  if (!p) return undefined;
  const value = p.type === 'ReplaceFullPath' ? p.replaceFullPath : p.type === 'ReplacePrefixMatch' ? p.replacePrefixMatch : undefined;
  if (value === undefined || !/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/.test(value)) return `path modifier ${JSON.stringify(p.type)} is not supported with that value`;
  return undefined;
}

function hostProblem(host: string | undefined): string | undefined {
  return host !== undefined && !/^[A-Za-z0-9.-]+$/.test(host) ? `hostname ${JSON.stringify(host)} is not a DNS name` : undefined;
}

/** Milliseconds of a Gateway API duration (`1h2m3s`, `500ms`); undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|h|m|s)/g)) total += Number(n) * units[unit];
  return total;
}

/** The rule's filters as backend policy, for one match and listener (checked by `ruleProblem`). */
export function rulePolicy(rule: HTTPRouteRule, at: FilterContext): BackendPolicy | undefined {
  const p: Mutable<BackendPolicy> = {};
  for (const filter of rule.filters) {
    if (filter.requestHeaderModifier) {
      const m = filter.requestHeaderModifier;
      if (m.set.length) p.requestHeaders = [...(p.requestHeaders ?? []), ...settings(m.set)];
      if (m.add.length) p.addRequestHeaders = [...(p.addRequestHeaders ?? []), ...settings(m.add)];
      if (m.remove.length) p.removeRequestHeaders = [...(p.removeRequestHeaders ?? []), ...m.remove];
    }
    if (filter.responseHeaderModifier) {
      const m = filter.responseHeaderModifier;
      if (m.set.length) p.responseHeaders = [...(p.responseHeaders ?? []), ...settings(m.set)];
      if (m.add.length) p.addResponseHeaders = [...(p.addResponseHeaders ?? []), ...settings(m.add)];
      if (m.remove.length) p.removeResponseHeaders = [...(p.removeResponseHeaders ?? []), ...m.remove];
    }
    if (filter.type === 'RequestRedirect' && filter.requestRedirect) p.redirect = redirect(filter.requestRedirect, at);
    if (filter.type === 'URLRewrite' && filter.urlRewrite) {
      const { hostname, path } = filter.urlRewrite;
      if (hostname !== undefined) p.setHost = hostname.toLowerCase();
      const rewrite = path ? newPath(path, at) : undefined;
      if (rewrite) p.pathRewrites = [rewrite];
    }
  }
  return Object.keys(p).length ? p : undefined;
}

function settings(list: readonly { name: string; value: string }[]): HeaderSetting[] {
  return list.map((h) => ({ name: h.name, value: h.value }));
}

type NewPath = Extract<NonNullable<BackendPolicy['pathRewrites']>[number], { kind: 'set' | 'prefix' }>;

/** ReplacePrefixMatch replaces the prefix the route matched; on an exact or regex match, the whole path. */
function newPath(p: { type: string; replaceFullPath?: string; replacePrefixMatch?: string }, at: FilterContext): NewPath | undefined {
  if (p.type === 'ReplaceFullPath' && p.replaceFullPath !== undefined) return { kind: 'set', path: p.replaceFullPath };
  if (p.type !== 'ReplacePrefixMatch' || p.replacePrefixMatch === undefined) return undefined;
  if (at.match !== 'prefix') return { kind: 'set', path: p.replacePrefixMatch };
  return { kind: 'prefix', prefix: at.path, replacement: p.replacePrefixMatch };
}

const WELL_KNOWN: Record<'http' | 'https', number> = { http: 80, https: 443 };

/**
 * The specification's port rules: a port given stays unless it is the new scheme's well-known
 * one; without a port, a new scheme means its well-known port, and no new scheme means the
 * listener's port (omitted when well-known).
 */
function redirect(r: NonNullable<RouteFilter['requestRedirect']>, at: FilterContext): RequestRedirect {
  const scheme = r.scheme as 'http' | 'https' | undefined;
  const effective = scheme ?? at.listener.protocol;
  const port = r.port ?? (scheme ? WELL_KNOWN[scheme] : at.listener.port);
  const path = r.path ? newPath(r.path, at) : undefined;
  return {
    code: r.statusCode as RequestRedirect['code'],
    ...(scheme ? { scheme } : {}),
    ...(r.hostname !== undefined ? { host: r.hostname.toLowerCase() } : {}),
    ...(port !== WELL_KNOWN[effective] ? { port } : {}),
    ...(path ? { path } : {}),
  };
}

/** `timeouts.request` bounds the wait for the response; `backendRequest` each try towards a server. */
export function ruleTimeouts(rule: HTTPRouteRule): BackendTimeouts | undefined {
  const request = rule.timeouts?.request !== undefined ? durationMs(rule.timeouts.request) : undefined;
  const backend = rule.timeouts?.backendRequest !== undefined ? durationMs(rule.timeouts.backendRequest) : undefined;
  // 0 disables a timeout: the global ones apply.
  const t: Mutable<BackendTimeouts> = {};
  if (request) t.request = request;
  if (backend) t.server = backend;
  return Object.keys(t).length ? t : undefined;
}
