/**
 * The annotation-driven parts of the configuration: a backend's rules and options, the options of
 * its server lines, userlists for basic auth, the peers section that keeps rate-limit counters
 * across reloads, and the PEM files for TLS to backends. Every model string goes through `text.ts`.
 * The order of a backend's `http-request` rules is the model's contract (see `BackendPolicy`).
 */
import type {
  Backend, BackendPolicy, Balance, CookiePersistence, Cors, HashPart, HeaderSetting, Model, PathRewrite, PemFile, RateLimit, RequestRedirect, ServerOptions, Snippet,
} from '../../model/types.js';
import type { RenderedFile } from '../types.js';
import {
  caPem, cidr, configLiteral, cookiePath, count, headerName, hostPort, identifier, logFormatLiteral, pem, port, regexEscape, snippetLine, statusCode, token, urlPath,
} from './text.js';

/** The Host header as routes name hosts: lower case, without port or trailing dot. */
export const NORMALISED_HOST = "req.fhdr(host),lower,regsub(':[0-9]*$',),regsub('[.]$',)";

/** Name of the peers section and of the local peer: only the local peer exists, to hand tables over on reload. */
export const PEERS_NAME = 'portcullis';
export const PEERS_SOCKET = 'run/peers.sock';
/** Folder of the CA bundles and client certificates for TLS to backends (mode 0600 files). */
export const BACKEND_TLS_DIR = 'tls';
/** Most patterns on one `acl` line: HAProxy caps a line at 64 words. */
const ACL_CHUNK = 32;

const HASH_BALANCES = new Set(['source', 'uri']);

function balanceLines(balance: Balance): string[] {
  if (typeof balance === 'string') {
    // Consistent hashing keeps most clients on their server when servers change, and lets
    // `add server` grow the backend (map-based hashing is static).
    return HASH_BALANCES.has(balance) ? [`balance ${balance}`, 'hash-type consistent'] : [`balance ${balance}`];
  }
  if ('urlParam' in balance) return [`balance url_param ${token(balance.urlParam)}`, 'hash-type consistent'];
  if ('hash' in balance) return hashLines(balance.hash);
  return [`balance hdr(${token(balance.hdr)})`, 'hash-type consistent'];
}

function hashFetch(part: HashPart): string {
  if (typeof part === 'string') return part === 'host' ? 'req.fhdr(host),lower' : part;
  if ('header' in part) return `req.fhdr(${headerName(part.header)})`;
  return 'param' in part ? `url_param(${token(part.param)})` : `req.cook(${token(part.cookie)})`;
}

/**
 * One part hashes its fetch. Several are joined through variables set in the backend (a sample
 * expression cannot concatenate fetches), after a constant so that a missing first part adds nothing
 * instead of failing the whole expression (HAProxy would then fall back to round robin).
 */
function hashLines(parts: readonly HashPart[]): string[] {
  if (parts.length === 1) return [`balance hash ${hashFetch(parts[0])}`, 'hash-type consistent'];
  const vars = parts.map((_, i) => `txn.pcl_hash${i}`);
  const joined = vars.map((v) => `,concat(,${v},)`).join('');
  return [`balance hash str(h)${joined}`, 'hash-type consistent', ...parts.map((part, i) => `http-request set-var(${vars[i]}) ${hashFetch(part)}`)];
}

/** The `cookie` line: attributes the browser keeps as `attr`, HAProxy's own flags as keywords. */
function cookieLine(cookie: CookiePersistence): string {
  const words = [`cookie ${token(cookie.name)} insert indirect nocache dynamic`];
  if (cookie.httpOnly) words.push('httponly');
  if (cookie.secure) words.push('secure');
  if (cookie.path !== undefined && cookie.path !== '/') words.push(`attr ${configLiteral(`Path=${cookiePath(cookie.path)}`)}`);
  if (cookie.maxAgeSeconds !== undefined) words.push(`attr ${configLiteral(`Max-Age=${count(cookie.maxAgeSeconds, 'cookie max-age')}`)}`);
  if (cookie.sameSite !== undefined) words.push(`attr ${configLiteral(`SameSite=${token(cookie.sameSite)}`)}`);
  return words.join(' ');
}

function aclLines(name: string, cidrs: readonly string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < cidrs.length; i += ACL_CHUNK) lines.push(`acl ${name} src ${cidrs.slice(i, i + ACL_CHUNK).map((c) => cidr(c)).join(' ')}`);
  return lines;
}

function rateLimitLines(r: RateLimit): string[] {
  const period = `${count(r.periodMs, 'rate-limit period')}ms`;
  const exempt = r.exempt.length > 0;
  return [
    `stick-table type ipv6 size ${count(r.size, 'rate-limit size')} expire ${period} store http_req_rate(${period}) peers ${PEERS_NAME}`,
    ...aclLines('pcl_rate_exempt', r.exempt),
    `http-request track-sc0 src${exempt ? ' unless pcl_rate_exempt' : ''}`,
    `http-request deny deny_status ${count(r.statusCode, 'status')} if ${exempt ? '!pcl_rate_exempt ' : ''}{ sc_http_req_rate(0) gt ${count(r.requests, 'rate limit')} }`,
  ];
}

function corsLines(c: Cors): { request: string[]; response: string[] } {
  const request: string[] = [];
  const response: string[] = [];
  const origin = c.allowOrigin;
  if ('any' in origin) {
    response.push(`http-after-response set-header Access-Control-Allow-Origin '*'`);
  } else {
    request.push('http-request set-var(txn.pcl_origin) req.hdr(origin)');
    const match = 'origins' in origin ? `-m str -i ${origin.origins.map((o) => configLiteral(o)).join(' ')}` : `-m reg ${configLiteral(origin.regex)}`;
    response.push(`http-after-response set-header Access-Control-Allow-Origin %[var(txn.pcl_origin)] if { var(txn.pcl_origin) ${match} }`);
    response.push('http-after-response add-header Vary Origin');
  }
  // Preflights end here: the Service never sees them, and they carry no credentials to check.
  request.push('http-request return status 204 if METH_OPTIONS { req.hdr(origin) -m found } { req.hdr(access-control-request-method) -m found }');
  response.push(`http-after-response set-header Access-Control-Allow-Methods ${logFormatLiteral(c.allowMethods)}`);
  response.push(`http-after-response set-header Access-Control-Allow-Headers ${logFormatLiteral(c.allowHeaders)}`);
  response.push(`http-after-response set-header Access-Control-Max-Age ${count(c.maxAgeSeconds, 'max age')}`);
  if (c.exposeHeaders !== undefined) response.push(`http-after-response set-header Access-Control-Expose-Headers ${logFormatLiteral(c.exposeHeaders)}`);
  if (c.allowCredentials) response.push('http-after-response set-header Access-Control-Allow-Credentials true');
  return { request, response };
}

/** The userlist a backend's basic auth checks against. */
export function userlistName(backend: Backend): string {
  return `pcl_auth_${identifier(backend.name, backend.source)}`;
}

/**
 * The leading `prefix` replaced on whole segments. The path is saved first, so the rule for the
 * prefix alone never sees what the rule for `prefix/...` made of it.
 */
function prefixRewriteLines(prefix: string, replacement: string): string[] {
  const from = urlPath(prefix).replace(/\/+$/, '');
  const to = urlPath(replacement);
  const stem = to.replace(/\/+$/, '');
  if (from === '') return [`http-request replace-path '^/(.*)$' ${logFormatLiteral(`${stem}/\\1`)}`];
  return [
    'http-request set-var(txn.pcl_path) path',
    `http-request replace-path ${configLiteral(`^${regexEscape(from)}(/.*)$`)} ${logFormatLiteral(`${stem}\\1`)}`,
    `http-request set-path ${logFormatLiteral(to)} if { var(txn.pcl_path) -m str -- ${configLiteral(from)} }`,
  ];
}

function pathRewriteLines(rewrite: PathRewrite): string[] {
  if (rewrite.kind === 'set') return [`http-request set-path ${logFormatLiteral(urlPath(rewrite.path))}`];
  if (rewrite.kind === 'prefix') return prefixRewriteLines(rewrite.prefix, rewrite.replacement);
  return [`http-request replace-pathq ${configLiteral(rewrite.match)} ${logFormatLiteral(rewrite.replace)}`];
}

function headerLines(directive: string, set: readonly HeaderSetting[] = [], add: readonly HeaderSetting[] = [], remove: readonly string[] = []): string[] {
  return [
    ...set.map((h) => `${directive} set-header ${headerName(h.name)} ${logFormatLiteral(h.value)}`),
    ...add.map((h) => `${directive} add-header ${headerName(h.name)} ${logFormatLiteral(h.value)}`),
    ...remove.map((name) => `${directive} del-header ${headerName(name)}`),
  ];
}

function rewriteLines(p: BackendPolicy): string[] {
  const lines = (p.pathRewrites ?? []).flatMap(pathRewriteLines);
  if (p.setHost !== undefined) lines.push(`http-request set-header Host ${logFormatLiteral(hostPort(p.setHost))}`);
  lines.push(...headerLines('http-request', p.requestHeaders, p.addRequestHeaders, p.removeRequestHeaders));
  return lines;
}

/**
 * A redirect keeps what it does not name. The new path is made by rewriting the request's path
 * first: `redirect prefix` then carries the current path and query. Without a host, the request's
 * (normalised) host is written; without a scheme, one rule per scheme keeps the request's.
 */
function redirectLines(r: RequestRedirect): string[] {
  const code = count(r.code, 'redirect code');
  const portPart = r.port === undefined ? '' : `:${port(r.port)}`;
  const location = (scheme: string) => (r.host === undefined
    ? `${logFormatLiteral(`${scheme}://`)}%[${NORMALISED_HOST}]${portPart === '' ? '' : logFormatLiteral(portPart)}`
    : logFormatLiteral(`${scheme}://${hostPort(r.host)}${portPart}`));
  const lines = r.path ? pathRewriteLines(r.path) : [];
  if (r.scheme !== undefined) {
    lines.push(`http-request redirect prefix ${location(r.scheme === 'https' ? 'https' : 'http')} code ${code}`);
  } else {
    lines.push(`http-request redirect prefix ${location('https')} code ${code} if { ssl_fc }`);
    lines.push(`http-request redirect prefix ${location('http')} code ${code} unless { ssl_fc }`);
  }
  return lines;
}

/** The backend's policy directives, in the model's order. `ipv6Bind`: clients connect over IPv6. */
function policyLines(backend: Backend, ipv6Bind: boolean): string[] {
  const p = backend.policy;
  if (!p) return [];
  const cors = p.cors ? corsLines(p.cors) : { request: [], response: [] };
  const lines = [
    ...(p.deny ? [...aclLines('pcl_deny', p.deny), 'http-request deny deny_status 403 if pcl_deny'] : []),
    ...(p.allow ? [...aclLines('pcl_allow', p.allow), 'http-request deny deny_status 403 unless pcl_allow'] : []),
    ...(p.rateLimit ? rateLimitLines(p.rateLimit) : []),
    ...cors.request,
    ...(p.auth ? [`http-request auth realm ${configLiteral(p.auth.realm)} unless { http_auth(${userlistName(backend)}) }`] : []),
  ];
  if (p.redirect) lines.push(...redirectLines(p.redirect));
  if (p.respond !== undefined) lines.push(`http-request return status ${statusCode(p.respond)}`);
  // A redirect with its own scheme answers every request: rewrites after it would never run.
  if (p.redirect?.scheme === undefined) lines.push(...rewriteLines(p));
  lines.push(...headerLines('http-response', p.responseHeaders, p.addResponseHeaders, p.removeResponseHeaders));
  lines.push(...cors.response);
  // `option forwardfor` sits in defaults and cannot be negated; excepting every client turns it off.
  if (p.forwardedFor === false) lines.push(`option forwardfor except ${ipv6Bind ? '::/0' : '0.0.0.0/0'}`);
  return lines;
}

function optionLines(backend: Backend): string[] {
  const lines: string[] = [];
  const t = backend.timeouts;
  // A request timeout caps the wait for the response (see `BackendTimeouts.request`).
  const server = t?.request === undefined ? t?.server : Math.min(t.request, t.server ?? t.request);
  if (server !== undefined) lines.push(`timeout server ${count(server, 'timeout')}ms`);
  if (t?.connect !== undefined) lines.push(`timeout connect ${count(t.connect, 'timeout')}ms`);
  if (t?.queue !== undefined) lines.push(`timeout queue ${count(t.queue, 'timeout')}ms`);
  if (backend.retries?.count !== undefined) lines.push(`retries ${count(backend.retries.count, 'retries')}`);
  if (backend.retries?.on) lines.push(`retry-on ${backend.retries.on.map((w) => token(w)).join(' ')}`);
  if (backend.cookie) {
    lines.push(cookieLine(backend.cookie));
    lines.push(`dynamic-cookie-key ${identifier(backend.cookie.dynamicKey, backend.source)}`);
  }
  const check = backend.server?.checkHttp;
  if (check) lines.push(`option httpchk ${token(check.method)} ${configLiteral(urlPath(check.uri))}${check.version ? ` ${check.version === 'HTTP/1.0' ? 'HTTP/1.0' : 'HTTP/1.1'}` : ''}`);
  return lines;
}

/** Directives after `balance`, before the servers, with the source each line is pinned on. */
export function backendDirectives(backend: Backend, ipv6Bind: boolean): { line: string; source: Backend['source'] }[] {
  const own = [...balanceLines(backend.balance).slice(1), ...policyLines(backend, ipv6Bind), ...optionLines(backend)];
  const snippet = backend.snippet ? snippetLines(backend.snippet) : [];
  return [...own.map((line) => ({ line, source: backend.source })), ...snippet];
}

/** The `balance` line itself (the first of `balanceLines`). */
export function balanceLine(balance: Balance): string {
  return balanceLines(balance)[0];
}

/** Raw snippet lines, each pinned on the object that wrote it. */
export function snippetLines(snippet: Snippet): { line: string; source: Snippet['source'] }[] {
  return snippet.lines.map((line) => ({ line: snippetLine(line, snippet.source), source: snippet.source }));
}

const SEND_PROXY: Record<NonNullable<ServerOptions['sendProxy']>, string> = {
  v1: 'send-proxy',
  v2: 'send-proxy-v2',
  'v2-ssl': 'send-proxy-v2-ssl',
  'v2-ssl-cn': 'send-proxy-v2-ssl-cn',
};

/** Words appended to every server line of the backend (and to `add server`). */
export function serverOptionWords(backend: Backend): string[] {
  const s = backend.server;
  if (!s) return [];
  const words: string[] = [];
  if (s.check) words.push('check', ...(s.checkIntervalMs !== undefined ? ['inter', `${count(s.checkIntervalMs, 'check interval')}ms`] : []));
  if (s.maxconn !== undefined) words.push('maxconn', String(count(s.maxconn, 'pod-maxconn')));
  if (s.sendProxy) words.push(SEND_PROXY[s.sendProxy]);
  if (s.ssl) {
    words.push('ssl');
    if (s.ssl.ca) words.push('verify', 'required', 'ca-file', pemFile(s.ssl.ca));
    else words.push('verify', 'none');
    if (s.ssl.crt) words.push('crt', pemFile(s.ssl.crt));
    if (s.proto === 'h2') words.push('alpn', 'h2,http/1.1');
  } else if (s.proto === 'h2') {
    words.push('proto', 'h2');
  }
  return words;
}

/** True when `add server` cannot reproduce the backend's server lines (their TLS files are only read at startup). */
export function needsReloadToGrow(backend: Backend): boolean {
  return backend.server?.ssl?.ca !== undefined || backend.server?.ssl?.crt !== undefined;
}

function pemFile(file: PemFile): string {
  return `${BACKEND_TLS_DIR}/${identifier(file.id, file.source)}.pem`;
}

/** The CA bundles and client certificates the backends use, once each. */
export function backendTlsFiles(model: Model): RenderedFile[] {
  const files = new Map<string, RenderedFile>();
  for (const backend of model.backends) {
    const ssl = backend.server?.ssl;
    if (ssl?.ca) files.set(pemFile(ssl.ca), { path: pemFile(ssl.ca), content: caPem(ssl.ca.pem, ssl.ca.source), mode: 0o600 });
    if (ssl?.crt) files.set(pemFile(ssl.crt), { path: pemFile(ssl.crt), content: pem(ssl.crt.pem, ssl.crt.source), mode: 0o600 });
  }
  return [...files.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** `userlist` sections for the backends with basic auth. */
export function userlistSections(model: Model): { line: string; source: Backend['source'] }[] {
  const lines: { line: string; source: Backend['source'] }[] = [];
  for (const backend of model.backends) {
    const auth = backend.policy?.auth;
    if (!auth) continue;
    lines.push({ line: `userlist ${userlistName(backend)}`, source: backend.source });
    for (const user of auth.users) lines.push({ line: `    user ${token(user.name)} password ${configLiteral(user.hash)}`, source: auth.source });
  }
  return lines;
}

/** True when some backend keeps rate-limit counters (and so needs the peers section). */
export function usesPeers(model: Model): boolean {
  return model.backends.some((b) => b.policy?.rateLimit !== undefined);
}

/** The peers section: only the local peer, on a socket in the state directory. */
export function peersSection(stateDir: string): string[] {
  return [`peers ${PEERS_NAME}`, `    bind unix@${stateDir}/${PEERS_SOCKET}`, `    server ${PEERS_NAME}`];
}

