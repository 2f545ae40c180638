/**
 * Model + layout -> `haproxy.cfg` and the files it references. Pure: same input, same bytes.
 *
 * Files are referenced relative to the configuration's own directory (`default-path config`), so
 * a copy of the whole set in a staging directory validates exactly like the live one, and Runtime
 * API commands name maps and certificates the same way whatever the state directory is.
 */
import type { Backend, GlobalSettings, Model, Server, SourceRef } from '../../model/types.js';
import type { Layout, Rendered, RenderedFile } from '../types.js';
import { CRT_LIST_FILE, buildCertificates, crtListText } from './certs.js';
import { serversByKey, slotName } from './layout.js';
import { groupRules } from './groups.js';
import { MAP_FILES, MapsMemo, renderMaps, type RenderedMaps } from './maps.js';
import {
  NORMALISED_HOST, PEERS_NAME, backendDirectives, backendTlsFiles, balanceLine, peersSection, serverOptionWords, snippetLines, userlistSections, usesPeers,
} from './policy.js';
import { bindEndpoint, count, identifier, logFormatLiteral, logFormatString, serverAddress, stateDirPath, syslogTarget, weight } from './text.js';

/** Address of a free slot: never used, because free slots are always in maintenance. */
export const FREE_SLOT_ENDPOINT = '127.0.0.1:1';
export const FRONTEND_NAME = 'portcullis';
/** Socket and state paths under the state directory (not relative: HAProxy opens them after parsing). */
export const ADMIN_SOCKET = 'run/admin.sock';
export const MASTER_SOCKET = 'run/master.sock';
export const PID_FILE = 'run/haproxy.pid';
export const SERVER_STATE_FILE = 'server-state';
export const CONFIG_FILE = 'haproxy.cfg';

/**
 * The HTTPS redirect codes some route uses, sorted. Only these get a redirect rule, because every
 * rule is evaluated on every request; a route needing a code not in the set is a reload (planner).
 */
export function redirectCodes(model: Model): number[] {
  return [...new Set(model.routes.flatMap((r) => (r.httpsRedirect ? [r.httpsRedirect.code] : [])))].sort((a, b) => a - b);
}


class Lines {
  /** Lines, or blocks of lines already joined (see `appendBlock`): the config is `text.join('\n')`. */
  readonly text: string[] = [];
  /** One entry per config line, blocks included. */
  readonly sources: (SourceRef | undefined)[] = [];
  add(line: string, source?: SourceRef): void {
    this.text.push(line);
    this.sources.push(source);
  }
  /** Adds a block made once (`Block`) as one string: thousands of backends join faster that way. */
  appendBlock(block: Block): void {
    this.text.push(block.text);
    for (const source of block.sources) this.sources.push(source);
  }
  appendLines(other: Lines): void {
    for (const text of other.text) this.text.push(text);
    for (const source of other.sources) this.sources.push(source);
  }
}

/** Lines joined once, with the source of each line. */
interface Block {
  text: string;
  sources: readonly (SourceRef | undefined)[];
}

function renderGlobal(out: Lines, g: GlobalSettings, stateDir: string, peers: boolean): void {
  out.add('global');
  // Relative paths (maps, certificates) resolve from this file's directory; see the module comment.
  out.add('    default-path config');
  for (const target of g.syslogServers ?? [{ address: 'stdout', format: 'raw', facility: 'local0' } as const]) out.add(`    log ${syslogTarget(target)}`);
  // Names this process in the peers section, so a reload hands the stick tables over to the new one.
  if (peers) out.add(`    localpeer ${PEERS_NAME}`);
  if (count(g.maxconn, 'maxconn') > 0) out.add(`    maxconn ${g.maxconn}`);
  if (count(g.nbthread, 'nbthread') > 0) out.add(`    nbthread ${g.nbthread}`);
  if (count(g.hardStopAfter, 'hard-stop-after') > 0) out.add(`    hard-stop-after ${g.hardStopAfter}ms`);
  out.add(`    stats socket ${stateDir}/${ADMIN_SOCKET} mode 600 level admin expose-fd listeners`);
  out.add(`    server-state-file ${stateDir}/${SERVER_STATE_FILE}`);
  if (g.snippet) for (const { line, source } of snippetLines(g.snippet)) out.add(`    ${line}`, source);
}

function renderDefaults(out: Lines, g: GlobalSettings): void {
  out.add('defaults');
  out.add('    mode http');
  out.add('    log global');
  out.add('    option httplog');
  out.add('    option dontlognull');
  out.add('    option forwardfor');
  // Soft stop (every reload): an idle keep-alive connection is not closed under a client that may
  // be writing to it; the old worker answers its next request with `Connection: close` instead.
  out.add('    option idle-close-on-response');
  const t = g.timeouts;
  const timeouts: [string, number][] = [
    ['connect', t.connect], ['client', t.client], ['server', t.server], ['http-request', t.httpRequest],
    ['http-keep-alive', t.httpKeepAlive], ['tunnel', t.tunnel], ['queue', t.queue],
  ];
  for (const [name, ms] of timeouts) if (count(ms, `timeout ${name}`) > 0) out.add(`    timeout ${name} ${ms}ms`);
  out.add('    load-server-state-from-file global');
  // ExternalName servers carry DNS names: resolve them once at startup and never fail on them.
  out.add('    default-server init-addr last,libc,none');
}

/**
 * What routing needs beyond the three maps, only when the model has it: a `regex.map` lookup after
 * each exact one, and the route groups' rules (`groups.ts`). A plain model renders without either.
 */
export interface RoutingExtras {
  regex: boolean;
  groups: { line: string; source: SourceRef }[];
}

export function routingExtras(maps: RenderedMaps): RoutingExtras {
  return { regex: maps.maps.regex.size > 0, groups: groupRules(maps.groups, MAP_FILES.groups) };
}

/**
 * Routing. Rules run in order on every request, and each costs an evaluation even when its
 * condition is false, so the common case ends early: a request the fast path routed leaves the
 * frontend's rules at `http-request allow` and never evaluates the normalising path. A request that
 * found a route group (`@gN`) goes on to the group rules after the normalising path, whose lookups
 * it skips (they test `!pcl_routed`) or repeats with the same key and result.
 */
function renderRouting(out: Lines, redirects: readonly string[], extras: RoutingExtras): void {
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
  out.add('    acl pcl_host_odd req.hdr(host) -m sub / *');
  out.add(`    http-request set-var(txn.route) base,map_str(${exact}) if !pcl_host_odd`);
  regex('base', '!pcl_routed !pcl_host_odd');
  out.add(`    http-request set-var(txn.route) base,map_beg(${prefix}) if !pcl_routed !pcl_host_odd`);
  for (const rule of redirects) out.add(rule);
  out.add(grouped ? '    http-request allow if pcl_routed !pcl_grouped' : '    http-request allow if pcl_routed');
  // Normalising path: host without port or trailing dot; a host that cannot be a DNS name skips
  // the host lookups. The regex ACL is evaluated at each use: rules test `!pcl_routed` first.
  out.add(`    http-request set-var(txn.host) ${NORMALISED_HOST}`);
  out.add('    acl pcl_host_ok var(txn.host) -m reg ^[a-z0-9._-]+$');
  out.add('    http-request set-var(txn.path) path');
  out.add('    http-request set-var(txn.key) var(txn.host),concat(,txn.path) if pcl_host_ok');
  out.add(`    http-request set-var(txn.route) var(txn.key),map_str(${exact}) if pcl_host_ok`);
  regex('var(txn.key)', '!pcl_routed pcl_host_ok');
  out.add(`    http-request set-var(txn.route) var(txn.key),map_beg(${prefix}) if !pcl_routed pcl_host_ok`);
  out.add(`    http-request set-var(txn.key) var(txn.host),regsub('^[^.]*',*),concat(,txn.path) if !pcl_routed pcl_host_ok`);
  out.add(`    http-request set-var(txn.route) var(txn.key),map_str(${exact}) if !pcl_routed pcl_host_ok`);
  regex('var(txn.key)', '!pcl_routed pcl_host_ok');
  out.add(`    http-request set-var(txn.route) var(txn.key),map_beg(${prefix}) if !pcl_routed pcl_host_ok`);
  out.add(`    http-request set-var(txn.route) var(txn.path),map_str(${exact}) if !pcl_routed`);
  regex('var(txn.path)', '!pcl_routed');
  out.add(`    http-request set-var(txn.route) var(txn.path),map_beg(${prefix}) if !pcl_routed`);
  out.add(`    http-request set-var(txn.route) str(default),map_str(${MAP_FILES.default}) if !pcl_routed`);
  out.add('    http-request return status 404 default-errorfiles if !pcl_routed');
  if (grouped) {
    for (const { line, source } of extras.groups) out.add(line, source);
    // A group with no candidate that holds and nothing to fall back to.
    out.add('    http-request return status 404 default-errorfiles if pcl_grouped');
  }
  for (const rule of redirects) out.add(rule);
}

function renderFrontend(out: Lines, g: GlobalSettings, codes: readonly number[], extras: RoutingExtras): void {
  out.add(`frontend ${FRONTEND_NAME}`);
  out.add(`    bind ${bindEndpoint(g.bindAddress, g.httpPort)} name http`);
  out.add(`    bind ${bindEndpoint(g.bindAddress, g.httpsPort)} name https ssl crt-list ${CRT_LIST_FILE} alpn h2,http/1.1`);
  // `no log` here keeps HAProxy's own messages (global) and drops only the traffic log.
  if (g.accessLog === false) out.add('    no log');
  else if (g.logFormat) out.add(`    log-format ${logFormatString(g.logFormat.format)}`);
  // Before routing, because routing ends the frontend's http-request rules early (see below).
  out.add('    http-request set-header X-Forwarded-Proto %[ssl_fc,iif(https,http)]');
  // The snippet too: its http-request rules must run for every request, however it was routed.
  if (g.frontendSnippet) for (const { line, source } of snippetLines(g.frontendSnippet)) out.add(`    ${line}`, source);
  // The host is normalised here rather than read from txn.host: the fast path never sets it, and
  // this runs only for requests that are redirected. The rules follow each path of the routing.
  const location = `https://%[${NORMALISED_HOST}]%[var(txn.route),field(3,|)]%[pathq]`;
  renderRouting(out, codes.map((code) =>
    `    http-request redirect location ${location} code ${count(code, 'redirect code')} if !{ ssl_fc } { var(txn.route),field(2,|) -m str ${code} }`), extras);
  // http-after-response also covers HAProxy's own 404/503 answers. An empty value adds nothing.
  // add-header: the condition already guarantees there is none to replace.
  if (g.serverHeader !== '') {
    out.add(`    http-after-response add-header Server ${logFormatLiteral(g.serverHeader)} unless { res.hdr(server) -m found }`);
  }
  out.add('    use_backend %[var(txn.route),field(1,|)]');
}

/** HAProxy's own metrics (built-in Prometheus exporter) and stats page, on a port of their own. */
function renderStats(out: Lines, g: GlobalSettings): void {
  out.add('frontend stats');
  out.add(`    bind ${bindEndpoint(g.bindAddress, g.statsPort!)} name stats`);
  out.add('    no log');
  out.add('    http-request use-service prometheus-exporter if { path /metrics }');
  out.add('    stats enable');
  out.add('    stats uri /stats');
  out.add('    stats refresh 10s');
}

/**
 * What `render` may reuse from its previous calls: the maps (see `MapsMemo`) and the text of each
 * backend section, keyed by the backend object and its slots. A patch for changed endpoints hands
 * over the very same objects for every other backend, so with thousands of backends a render
 * only formats the few that changed. Owned by whoever renders again and again (the driver).
 */
export class RenderMemo {
  readonly maps = new MapsMemo();
  private backends = new WeakMap<Backend, { slots: readonly (string | null)[] | undefined; ipv6Bind: boolean; block: Block }>();
  private codes: { routes: Model['routes']; codes: number[] } | undefined;

  redirectCodes(model: Model): number[] {
    if (this.codes?.routes !== model.routes) this.codes = { routes: model.routes, codes: redirectCodes(model) };
    return this.codes.codes;
  }

  backend(backend: Backend, slots: readonly (string | null)[] | undefined, ipv6Bind: boolean): Block {
    const cached = this.backends.get(backend);
    // The layout hands over the same slot array for a backend it did not touch; an equal copy
    // (after a fresh layout) is formatted again, which is only slower, never wrong.
    if (cached && cached.slots === slots && cached.ipv6Bind === ipv6Bind) return cached.block;
    const lines = new Lines();
    renderBackend(lines, backend, slots, ipv6Bind);
    const block = { text: lines.text.join('\n'), sources: lines.sources };
    this.backends.set(backend, { slots, ipv6Bind, block });
    return block;
  }
}

/** ` weight N` for a server that carries a weight (a weight split); nothing otherwise (HAProxy's 1). */
function weightWords(server: Server, source: SourceRef): string {
  return server.weight === undefined ? '' : ` weight ${weight(server.weight, source)}`;
}

function renderBackend(out: Lines, backend: Backend, slots: readonly (string | null)[] | undefined, ipv6Bind: boolean): void {
  if (!slots) throw new Error(`layout has no slots for backend ${backend.name}`);
  const src = backend.source;
  const servers = serversByKey(backend.servers);
  const placed = new Set(slots.filter((k) => k !== null));
  if ([...servers.keys()].some((k) => !placed.has(k))) throw new Error(`layout does not place every server of ${backend.name}`);
  out.add(`backend ${identifier(backend.name, src)}`, src);
  out.add(`    ${balanceLine(backend.balance)}`, src);
  for (const { line, source } of backendDirectives(backend, ipv6Bind)) out.add(`    ${line}`, source);
  // Every slot carries the options: a free slot may get an endpoint at runtime.
  const options = serverOptionWords(backend).map((w) => ` ${w}`).join('');
  slots.forEach((key, i) => {
    const server = key === null ? undefined : servers.get(key);
    if (!server) out.add(`    server ${slotName(i)} ${FREE_SLOT_ENDPOINT} disabled${options}`, src);
    else out.add(`    server ${slotName(i)} ${serverAddress(server.address, server.port, src).endpoint}${weightWords(server, src)}${options}`, src);
  });
}

/**
 * Pure: the configuration for `model` with servers in `layout` slots, for a state directory
 * `stateDir` (absolute). Throws `RenderRefusedError` (code PCL_ERR_HAPROXY_VALIDATION, with the
 * offending object's `source`) when a model string cannot be rendered safely. With a `memo`, what is
 * unchanged since earlier calls is reused; the output is the same (see `RenderMemo`).
 */
export function render(model: Model, layout: Layout, stateDir: string, memo?: RenderMemo): Rendered {
  const dir = stateDirPath(stateDir);
  const out = new Lines();
  out.add('# Generated by Portcullis. Edits are overwritten.');
  const peers = usesPeers(model);
  renderGlobal(out, model.global, dir, peers);
  if (peers) for (const line of peersSection(dir)) out.add(line);
  for (const { line, source } of userlistSections(model)) out.add(line, source);
  renderDefaults(out, model.global);
  // Backends before the maps: a bad backend is refused with its own source, not a route's.
  const backends = new Lines();
  const ipv6Bind = model.global.bindAddress.includes(':');
  for (const backend of model.backends) {
    const slots = layout.backends[backend.name];
    if (memo) backends.appendBlock(memo.backend(backend, slots, ipv6Bind));
    else renderBackend(backends, backend, slots, ipv6Bind);
  }
  const maps = memo ? memo.maps.get(model) : renderMaps(model);
  renderFrontend(out, model.global, memo ? memo.redirectCodes(model) : redirectCodes(model), routingExtras(maps));
  if (model.global.statsPort) renderStats(out, model.global);
  out.appendLines(backends);
  const { texts } = maps;
  const certificates = buildCertificates(model);
  const files: RenderedFile[] = [
    { path: MAP_FILES.exact, content: texts.exact, mode: 0o644 },
    { path: MAP_FILES.prefix, content: texts.prefix, mode: 0o644 },
    { path: MAP_FILES.default, content: texts.default, mode: 0o644 },
    // Only referenced (and so only written) when some route needs them.
    ...(maps.maps.regex.size > 0 ? [{ path: MAP_FILES.regex, content: texts.regex, mode: 0o644 }] : []),
    ...(maps.groups.length > 0 ? [{ path: MAP_FILES.groups, content: texts.groups, mode: 0o644 }] : []),
    { path: CRT_LIST_FILE, content: crtListText(certificates), mode: 0o644 },
    ...certificates.map((c) => ({ path: c.file, content: c.pem, mode: 0o600 })),
    ...backendTlsFiles(model),
  ];
  return { config: `${out.text.join('\n')}\n`, files, lineSources: out.sources };
}
