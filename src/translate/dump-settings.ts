import type { Backend, Balance, BackendPolicy, GlobalSettings, RequestRedirect, ServerOptions, Snippet, SourceRef, SyslogServer } from '../model/types.js';

/**
 * The optional, annotation-driven parts of a model in the compact text of `dumpModel`: one
 * indented line per feature under its backend, and optional global lines. Nothing is printed for
 * absent fields, so models without annotations dump as they always did.
 */

function ref(source: SourceRef): string {
  return `(${source.kind} ${source.namespace ? `${source.namespace}/` : ''}${source.name})`;
}

function snippet(label: string, s: Snippet): string {
  return `${label} ${ref(s.source)}: ${s.lines.map((l) => JSON.stringify(l)).join(' ')}`;
}

export function dumpBalance(balance: Balance): string {
  if (typeof balance === 'string') return balance;
  if ('hash' in balance) return `hash ${balance.hash.map((p) => (typeof p === 'string' ? p : Object.entries(p).map(([k, v]) => `${k}:${v}`).join(''))).join('+')}`;
  return 'urlParam' in balance ? `url_param ${balance.urlParam}` : `hdr(${balance.hdr})`;
}

function syslog(server: SyslogServer): string {
  const { address, port, facility, ...rest } = server;
  const extra = Object.entries(rest).map(([k, v]) => ` ${k}=${v}`).join('');
  return `${address}${port !== undefined ? `:${port}` : ''} facility=${facility}${extra}`;
}

/** Global lines after `timeouts`. */
export function dumpGlobalSettings(g: GlobalSettings): string[] {
  return [
    ...(g.logFormat ? [`log-format ${JSON.stringify(g.logFormat.format)}`] : []),
    ...(g.accessLog === false ? ['access-log off'] : []),
    ...(g.syslogServers ? [`syslog ${g.syslogServers.map(syslog).join(' | ')}`] : []),
    ...(g.snippet ? [snippet('global-snippet', g.snippet)] : []),
    ...(g.frontendSnippet ? [snippet('frontend-snippet', g.frontendSnippet)] : []),
  ];
}

function policyLines(p: BackendPolicy): string[] {
  const lines: string[] = [];
  if (p.deny) lines.push(`deny ${p.deny.join(',')}`);
  if (p.allow) lines.push(`allow ${p.allow.join(',')}`);
  if (p.rateLimit) {
    const r = p.rateLimit;
    lines.push(`rate-limit ${r.requests}/${r.periodMs}ms status=${r.statusCode} size=${r.size}${r.exempt.length ? ` exempt=${r.exempt.join(',')}` : ''}`);
  }
  if (p.cors) {
    const c = p.cors;
    const origin = 'any' in c.allowOrigin ? '*' : 'origins' in c.allowOrigin ? c.allowOrigin.origins.join(',') : `regex:${c.allowOrigin.regex}`;
    lines.push(`cors origin=${origin} methods=${JSON.stringify(c.allowMethods)} headers=${JSON.stringify(c.allowHeaders)} credentials=${c.allowCredentials} max-age=${c.maxAgeSeconds}`);
  }
  if (p.auth) lines.push(`auth realm=${JSON.stringify(p.auth.realm)} users=${p.auth.users.map((u) => u.name).join(',') || '(none)'} ${ref(p.auth.source)}`);
  if (p.redirect) lines.push(redirectLine(p.redirect));
  if (p.respond !== undefined) lines.push(`respond ${p.respond}`);
  for (const rw of p.pathRewrites ?? []) lines.push(rw.kind === 'set' ? `path-rewrite set ${rw.path}` : rw.kind === 'prefix' ? `path-rewrite prefix ${rw.prefix} ${rw.replacement}` : `path-rewrite ${JSON.stringify(rw.match)} ${JSON.stringify(rw.replace)}`);
  if (p.setHost) lines.push(`set-host ${p.setHost}`);
  for (const h of p.requestHeaders ?? []) lines.push(`request-header ${h.name} ${JSON.stringify(h.value)}`);
  for (const h of p.addRequestHeaders ?? []) lines.push(`add-request-header ${h.name} ${JSON.stringify(h.value)}`);
  if (p.removeRequestHeaders) lines.push(`remove-request-headers ${p.removeRequestHeaders.join(',')}`);
  for (const h of p.responseHeaders ?? []) lines.push(`response-header ${h.name} ${JSON.stringify(h.value)}`);
  for (const h of p.addResponseHeaders ?? []) lines.push(`add-response-header ${h.name} ${JSON.stringify(h.value)}`);
  if (p.removeResponseHeaders) lines.push(`remove-response-headers ${p.removeResponseHeaders.join(',')}`);
  if (p.forwardedFor === false) lines.push('forwarded-for off');
  return lines;
}

/** Host and port as before; scheme and path only when the redirect sets them. */
function redirectLine(r: RequestRedirect): string {
  const scheme = r.scheme ? ` scheme=${r.scheme}` : '';
  const path = r.path ? (r.path.kind === 'set' ? ` path=${r.path.path}` : ` prefix=${r.path.prefix}>${r.path.replacement}`) : '';
  return `redirect ${r.host ?? '(same)'}${r.port ? `:${r.port}` : ''} code=${r.code}${scheme}${path}`;
}

function serverLine(s: ServerOptions): string {
  const parts = [`check=${s.check ? 'on' : 'off'}`];
  if (s.maxconn !== undefined) parts.push(`maxconn=${s.maxconn}`);
  if (s.checkIntervalMs !== undefined) parts.push(`inter=${s.checkIntervalMs}`);
  if (s.checkHttp) parts.push(`http=${JSON.stringify([s.checkHttp.method, s.checkHttp.uri, s.checkHttp.version].filter(Boolean).join(' '))}`);
  if (s.sendProxy) parts.push(`proxy=${s.sendProxy}`);
  if (s.ssl) parts.push(`ssl${s.ssl.ca ? ` ca=${s.ssl.ca.id}` : ''}${s.ssl.crt ? ` crt=${s.ssl.crt.id}` : ''}`);
  if (s.proto) parts.push(`proto=${s.proto}`);
  return `server ${parts.join(' ')}`;
}

/** Indented lines under a backend's line. */
export function dumpBackendSettings(b: Backend): string[] {
  const lines: string[] = [];
  if (b.balance !== 'roundrobin') lines.push(`balance ${dumpBalance(b.balance)}`);
  if (b.policy) lines.push(...policyLines(b.policy));
  if (b.server) lines.push(serverLine(b.server));
  if (b.timeouts) lines.push(`timeouts${Object.entries(b.timeouts).map(([k, v]) => ` ${k}=${v}`).join('')}`);
  if (b.retries) lines.push(`retries${b.retries.count !== undefined ? ` count=${b.retries.count}` : ''}${b.retries.on ? ` on=${b.retries.on.join(',')}` : ''}`);
  if (b.cookie) {
    const { name, dynamicKey, ...attributes } = b.cookie;
    lines.push(`cookie ${name} key=${dynamicKey}${Object.entries(attributes).map(([k, v]) => ` ${k}=${v}`).join('')}`);
  }
  if (b.snippet) lines.push(snippet('snippet', b.snippet));
  return lines.map((line) => `  ${line}`);
}
