/**
 * Frontends: the default HTTP/HTTPS pair (`frontend portcullis`) and one per listener beyond it.
 * Each listener has a frontend of its own rather than a bind in a shared one: its key prefix is then
 * a constant in its rules, so a request costs the same few lookups as on the default pair, whatever
 * the number of listeners (a shared frontend would have to derive the prefix from the socket on
 * every request, and would evaluate every listener's group rules).
 */
import type { GlobalSettings, Listener, SourceRef } from '../../model/types.js';
import { CRT_LIST_FILE, listenerCrtListFile } from './certs.js';
import { groupRules } from './groups.js';
import type { Lines } from './lines.js';
import { MAP_FILES, listenerPrefix, type RenderedMaps } from './maps.js';
import { NORMALISED_HOST, snippetLines } from './policy.js';
import { RenderRefusedError, bindEndpoint, count, listenerEndpoint, listenerName, logFormatLiteral, logFormatString } from './text.js';

export const FRONTEND_NAME = 'portcullis';

/** The frontend of a listener beyond the default pair. */
export function listenerFrontendName(listener: Listener): string {
  return `listener_${listenerPrefix(listener.name, listener.source).slice(0, -1)}`;
}

/**
 * What routing needs beyond the three maps, only when the model has it: a `regex.map` lookup after
 * each exact one, and the route groups' rules (`groups.ts`). A plain model renders without either.
 */
export interface RoutingExtras {
  regex: boolean;
  groups: { line: string; source: SourceRef }[];
}

/** The extras of the frontend whose keys start with `prefix` ('' for the default pair). */
export function routingExtras(maps: RenderedMaps, prefix = ''): RoutingExtras {
  return { regex: maps.regexPrefixes.has(prefix), groups: groupRules(maps.groups.filter((g) => g.prefix === prefix), MAP_FILES.groups) };
}

/**
 * How a frontend builds its lookup keys. The default pair looks up host + path as they are; a
 * listener puts its `<listener>#` prefix in front of each (a `#` quoted: unquoted, it starts a comment).
 */
interface Keys {
  /** Set-var rules that make the fast path's key, and the subject that then holds it. */
  fast: { rules: string[]; subject: string };
  host: string;
  wildcard: string;
  /** Keys for wildcards standing for 2, 3, … leading labels, tried after `wildcard`, shortest first. */
  deeperWildcards: string[];
  /** The any-host lookup: a rule setting txn.key first, or none (the path is the key). */
  anyHost: { rule?: string; subject: string };
  /** `default.map` is the default pair's alone: on a listener, what no route matches gets 404. */
  defaultBackend: boolean;
  /** `#` makes a Host odd once listeners exist: `l1#a.test` must not reach listener l1's keys. */
  oddHost: string;
}

const DEFAULT_KEYS = (listeners: boolean): Keys => ({
  fast: { rules: [], subject: 'base' },
  host: 'var(txn.host),concat(,txn.path)',
  wildcard: "var(txn.host),regsub('^[^.]*',*),concat(,txn.path)",
  deeperWildcards: [],
  anyHost: { subject: 'var(txn.path)' },
  defaultBackend: true,
  oddHost: listeners ? "req.hdr(host) -m sub / * '#'" : 'req.hdr(host) -m sub / *',
});

function listenerKeys(prefix: string, wildcardLabels: number): Keys {
  const labels = (n: number) => Array.from({ length: n }, () => '[^.]*').join('[.]');
  return {
    // The prefix (`name#`, the one '#' in the key) goes first, so a host with too few labels keeps
    // its listener's prefix and cannot reach another listener's keys; a label must remain after the
    // ones replaced, as `wild.test` is no name under `*.wild.test`.
    deeperWildcards: Array.from({ length: Math.max(0, count(wildcardLabels, 'wildcard labels') - 1) }, (_, i) =>
      `str('${prefix}'),concat(,txn.host),regsub('#${labels(i + 2)}[.]','#*.'),concat(,txn.path)`),
    fast: { rules: [`    http-request set-var-fmt(txn.key) '${prefix}%[base]' if !pcl_host_odd`], subject: 'var(txn.key)' },
    host: `str('${prefix}'),concat(,txn.host),concat(,txn.path)`,
    wildcard: `var(txn.host),regsub('^[^.]*','${prefix}*'),concat(,txn.path)`,
    anyHost: { rule: `    http-request set-var(txn.key) str('${prefix}'),concat(,txn.path) if !pcl_routed`, subject: 'var(txn.key)' },
    defaultBackend: false,
    oddHost: "req.hdr(host) -m sub / * '#'",
  };
}

/**
 * Routing. Rules run in order on every request, and each costs an evaluation even when its
 * condition is false, so the common case ends early: a request the fast path routed leaves the
 * frontend's rules at `http-request allow` and never evaluates the normalising path. A request that
 * found a route group (`@gN`) goes on to the group rules after the normalising path, whose lookups
 * it skips (they test `!pcl_routed`) or repeats with the same key and result.
 */
function renderRouting(out: Lines, redirects: readonly string[], extras: RoutingExtras, keys: Keys): void {
  const exact = MAP_FILES.exact;
  const prefix = MAP_FILES.prefix;
  const grouped = extras.groups.length > 0;
  const regex = (subject: string, guard: string) => {
    if (extras.regex) out.add(`    http-request set-var(txn.route) ${subject},map_reg(${MAP_FILES.regex}) if ${guard}`);
  };
  out.add('    acl pcl_routed var(txn.route) -m found');
  if (grouped) out.add('    acl pcl_grouped var(txn.route) -m beg @');
  // Fast path, for the Host header as clients almost always send it (lower case, no port, no
  // trailing dot): `base` is that header followed by the path, which is exactly a map key, so a
  // hit costs one sample fetch and one tree lookup. Any other spelling of a host finds no key here
  // (keys hold normalised hosts) and takes the normalising path below, which then looks up the
  // same keys. A Host holding '/' or '*' must not: `a.test/x` + `/y` would read as `a.test/x/y`,
  // and `*.wild.test` would name the wildcard's own keys.
  out.add(`    acl pcl_host_odd ${keys.oddHost}`);
  for (const rule of keys.fast.rules) out.add(rule);
  const fast = keys.fast.subject;
  out.add(`    http-request set-var(txn.route) ${fast},map_str(${exact}) if !pcl_host_odd`);
  regex(fast, '!pcl_routed !pcl_host_odd');
  out.add(`    http-request set-var(txn.route) ${fast},map_beg(${prefix}) if !pcl_routed !pcl_host_odd`);
  for (const rule of redirects) out.add(rule);
  out.add(grouped ? '    http-request allow if pcl_routed !pcl_grouped' : '    http-request allow if pcl_routed');
  // Normalising path: host without port or trailing dot; a host that cannot be a DNS name skips
  // the host lookups. The regex ACL is evaluated at each use: rules test `!pcl_routed` first.
  out.add(`    http-request set-var(txn.host) ${NORMALISED_HOST}`);
  out.add('    acl pcl_host_ok var(txn.host) -m reg ^[a-z0-9._-]+$');
  out.add('    http-request set-var(txn.path) path');
  out.add(`    http-request set-var(txn.key) ${keys.host} if pcl_host_ok`);
  out.add(`    http-request set-var(txn.route) var(txn.key),map_str(${exact}) if pcl_host_ok`);
  regex('var(txn.key)', '!pcl_routed pcl_host_ok');
  out.add(`    http-request set-var(txn.route) var(txn.key),map_beg(${prefix}) if !pcl_routed pcl_host_ok`);
  out.add(`    http-request set-var(txn.key) ${keys.wildcard} if !pcl_routed pcl_host_ok`);
  out.add(`    http-request set-var(txn.route) var(txn.key),map_str(${exact}) if !pcl_routed pcl_host_ok`);
  regex('var(txn.key)', '!pcl_routed pcl_host_ok');
  out.add(`    http-request set-var(txn.route) var(txn.key),map_beg(${prefix}) if !pcl_routed pcl_host_ok`);
  for (const deeper of keys.deeperWildcards) {
    out.add(`    http-request set-var(txn.key) ${deeper} if !pcl_routed pcl_host_ok`);
    out.add(`    http-request set-var(txn.route) var(txn.key),map_str(${exact}) if !pcl_routed pcl_host_ok`);
    regex('var(txn.key)', '!pcl_routed pcl_host_ok');
    out.add(`    http-request set-var(txn.route) var(txn.key),map_beg(${prefix}) if !pcl_routed pcl_host_ok`);
  }
  if (keys.anyHost.rule) out.add(keys.anyHost.rule);
  const any = keys.anyHost.subject;
  out.add(`    http-request set-var(txn.route) ${any},map_str(${exact}) if !pcl_routed`);
  regex(any, '!pcl_routed');
  out.add(`    http-request set-var(txn.route) ${any},map_beg(${prefix}) if !pcl_routed`);
  if (keys.defaultBackend) out.add(`    http-request set-var(txn.route) str(default),map_str(${MAP_FILES.default}) if !pcl_routed`);
  out.add('    http-request return status 404 default-errorfiles if !pcl_routed');
  if (grouped) {
    for (const { line, source } of extras.groups) out.add(line, source);
    // A group with no candidate that holds and nothing to fall back to.
    out.add('    http-request return status 404 default-errorfiles if pcl_grouped');
  }
  for (const rule of redirects) out.add(rule);
}

/** The traffic log settings, the same on every frontend. `no log` keeps HAProxy's own messages (global). */
function renderLog(out: Lines, g: GlobalSettings): void {
  if (g.accessLog === false) out.add('    no log');
  else if (g.logFormat) out.add(`    log-format ${logFormatString(g.logFormat.format)}`);
}

/**
 * The host is normalised in the Location rather than read from txn.host: the fast path never sets
 * it, and this runs only for requests that are redirected. The port part is the map value's third
 * field (`:<port>` as the route names it, empty for 443).
 */
function redirectRules(codes: readonly number[], plainOnly: string): string[] {
  const location = `https://%[${NORMALISED_HOST}]%[var(txn.route),field(3,|)]%[pathq]`;
  return codes.map((code) =>
    `    http-request redirect location ${location} code ${count(code, 'redirect code')} if ${plainOnly}{ var(txn.route),field(2,|) -m str ${code} }`);
}

/** What every frontend ends with: the Server header (also on HAProxy's own 404/503) and the backend. */
function renderTail(out: Lines, g: GlobalSettings): void {
  // add-header: the condition already guarantees there is none to replace. An empty value adds nothing.
  if (g.serverHeader !== '') {
    out.add(`    http-after-response add-header Server ${logFormatLiteral(g.serverHeader)} unless { res.hdr(server) -m found }`);
  }
  out.add('    use_backend %[var(txn.route),field(1,|)]');
}

export function renderFrontend(out: Lines, g: GlobalSettings, codes: readonly number[], extras: RoutingExtras, listeners: boolean): void {
  out.add(`frontend ${FRONTEND_NAME}`);
  out.add(`    bind ${bindEndpoint(g.bindAddress, g.httpPort)} name http`);
  out.add(`    bind ${bindEndpoint(g.bindAddress, g.httpsPort)} name https ssl crt-list ${CRT_LIST_FILE} alpn h2,http/1.1`);
  renderLog(out, g);
  // Before routing, because routing ends the frontend's http-request rules early (see below).
  out.add('    http-request set-header X-Forwarded-Proto %[ssl_fc,iif(https,http)]');
  // The snippet too: its http-request rules must run for every request, however it was routed.
  if (g.frontendSnippet) for (const { line, source } of snippetLines(g.frontendSnippet)) out.add(`    ${line}`, source);
  // The rules follow each path of the routing.
  renderRouting(out, redirectRules(codes, '!{ ssl_fc } '), extras, DEFAULT_KEYS(listeners));
  renderTail(out, g);
}

/**
 * A listener's frontend: its one bind, its crt-list for HTTPS, and the routing of the default pair
 * on its own keys. An HTTP listener redirects to HTTPS as the routes say (the port is the route's);
 * an HTTPS one never does. The frontend snippet is the default pair's (an Ingress ConfigMap setting).
 */
export function renderListenerFrontend(out: Lines, g: GlobalSettings, listener: Listener, codes: readonly number[], maps: RenderedMaps): void {
  const src = listener.source;
  const prefix = listenerPrefix(listener.name, src);
  const https = listener.protocol === 'https';
  out.add(`frontend ${listenerFrontendName(listener)}`, src);
  const tls = https ? ` ssl crt-list ${listenerCrtListFile(listener)} alpn h2,http/1.1` : '';
  out.add(`    bind ${listenerEndpoint(listener.address, listener.port, src)} name ${prefix.slice(0, -1)}${tls}`, src);
  renderLog(out, g);
  out.add(`    http-request set-header X-Forwarded-Proto ${https ? 'https' : 'http'}`);
  renderRouting(out, https ? [] : redirectRules(codes, ''), routingExtras(maps, prefix), listenerKeys(prefix, listener.wildcardLabels ?? 1));
  renderTail(out, g);
}

/**
 * Refuses listeners that could not all be bound as meant: two with one name, or two (or one and the
 * default pair) on one address and port, which HAProxy would accept (it binds with SO_REUSEPORT) and
 * the kernel would then share connections between.
 */
export function checkListeners(g: GlobalSettings, listeners: readonly Listener[]): void {
  const names = new Set<string>();
  const endpoints = new Set([bindEndpoint(g.bindAddress, g.httpPort), bindEndpoint(g.bindAddress, g.httpsPort)]);
  for (const listener of listeners) {
    const endpoint = listenerEndpoint(listener.address, listener.port, listener.source);
    if (names.has(listenerName(listener.name, listener.source))) throw new RenderRefusedError(`duplicate listener name "${listener.name}"`, listener.source);
    if (endpoints.has(endpoint)) throw new RenderRefusedError(`listener ${listener.name} binds ${endpoint}, which another listener binds`, listener.source);
    names.add(listener.name);
    endpoints.add(endpoint);
  }
}
