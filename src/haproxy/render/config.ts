/**
 * Model + layout -> `haproxy.cfg` and the files it references. Pure: same input, same bytes.
 *
 * Files are referenced relative to the configuration's own directory (`default-path config`), so
 * a copy of the whole set in a staging directory validates exactly like the live one, and Runtime
 * API commands name maps and certificates the same way whatever the state directory is.
 */
import type { Backend, GlobalSettings, Model, Server, SourceRef } from '../../model/types.js';
import type { Layout, Rendered, RenderedFile } from '../types.js';
import { CRT_LIST_FILE, buildCertificates, crtListText, listenerCertificates, listenerCrtListFile } from './certs.js';
import { checkListeners, renderFrontend, renderListenerFrontend, routingExtras } from './frontend.js';
import { serversByKey, slotName } from './layout.js';
import { Lines, type Block } from './lines.js';
import { MAP_FILES, MapsMemo, renderMaps } from './maps.js';
import {
  PEERS_NAME, backendDirectives, backendTlsFiles, balanceLine, peersSection, serverOptionWords, snippetLines, userlistSections, usesPeers,
} from './policy.js';
import { bindEndpoint, count, identifier, serverAddress, stateDirPath, syslogTarget, weight } from './text.js';

/** Address of a free slot: never used, because free slots are always in maintenance. */
export const FREE_SLOT_ENDPOINT = '127.0.0.1:1';
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
  const listeners = model.listeners ?? [];
  checkListeners(model.global, listeners);
  const maps = memo ? memo.maps.get(model) : renderMaps(model);
  const codes = memo ? memo.redirectCodes(model) : redirectCodes(model);
  renderFrontend(out, model.global, codes, routingExtras(maps), listeners.length > 0);
  for (const listener of listeners) renderListenerFrontend(out, model.global, listener, codes, maps);
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
    ...listeners.filter((l) => l.protocol === 'https').map((l) => ({
      path: listenerCrtListFile(l), content: crtListText(listenerCertificates(model, l, certificates)), mode: 0o644,
    })),
    ...certificates.map((c) => ({ path: c.file, content: c.pem, mode: 0o600 })),
    ...backendTlsFiles(model),
  ];
  return { config: `${out.text.join('\n')}\n`, files, lineSources: out.sources };
}
