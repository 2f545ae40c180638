/**
 * The suite's comparison of one round trip (README §4.3 of the upstream description): given what
 * was sent, what was expected and what came back, the list of mismatches. Pure, so each rule is
 * tested against hand-made answers; an empty list means the attempt passed.
 */

/** The echo's JSON answer, as far as the checks read it. */
export interface EchoAnswer {
  path: string;
  host: string;
  method: string;
  proto?: string;
  headers: Record<string, string[]>;
  httpPort?: string;
  namespace: string;
  pod: string;
  tls?: { serverName?: string };
}

/** One request of a check, in the scenario's words. */
export interface GatewayRequest {
  /** Host header (may carry `:port`); default: none set, the URL host. */
  host?: string;
  method?: string;
  /** Path with an optional `?query`. */
  path: string;
  headers?: Record<string, string>;
  /** Response headers the echo is asked to set (`X-Echo-Set-Header`). */
  echoSetHeaders?: Record<string, string>;
  protocol?: 'HTTP' | 'HTTPS' | 'H2C';
  /** SNI for HTTPS; default the Host without port. */
  sni?: string;
  /** Listener port to send to; default that of the Gateway's first listener. */
  port?: number;
}

/** What the answer must look like. */
export interface GatewayExpectation {
  status?: number[];
  /** Prefix of the answering pod's name (the backend's Deployment); empty matches any. */
  backend?: string;
  /** Namespace the echo reports; checked on 200/204 only when given. */
  namespace?: string;
  /** What the backend must have seen; each field defaults to what was sent. */
  seen?: { host?: string; path?: string; method?: string; headers?: Record<string, string>; absentHeaders?: string[]; httpPort?: string; sni?: string };
  responseHeaders?: Record<string, string>;
  absentResponseHeaders?: string[];
  /** Allowed joined values per response header. */
  validResponseHeaderValues?: Record<string, string[]>;
  redirect?: { scheme?: string; host?: string; port?: string; path?: string };
  protocol?: string;
}

/** What came back from one attempt. */
export interface Observed {
  status: number;
  protocol: string;
  headers: Record<string, string[]>;
  /** Parsed echo JSON, only when Content-Type is exactly application/json. */
  echo?: EchoAnswer;
  location?: string;
}

function lookup(headers: Record<string, string[]>, name: string): string[] | undefined {
  const want = name.toLowerCase();
  for (const [key, values] of Object.entries(headers)) if (key.toLowerCase() === want) return values;
  return undefined;
}

const REDIRECTS = new Set([300, 301, 302, 303, 304, 305, 307, 308]);
const TIMEOUTS = new Set([408, 504]);

/** Scheme, host, port and path of a Location resolved against the request URL. */
export function redirectParts(location: string, requestUrl: string): { scheme: string; host: string; port: string; path: string } {
  const url = new URL(location, requestUrl);
  return { scheme: url.protocol.replace(/:$/, ''), host: url.hostname, port: url.port, path: url.pathname };
}

function compareEcho(req: GatewayRequest, exp: GatewayExpectation, echo: EchoAnswer | undefined, obs: Observed, out: string[]): void {
  if (!echo) {
    out.push('the answer is not the echo JSON (Content-Type is not application/json)');
    return;
  }
  const seen = exp.seen ?? {};
  const host = seen.host ?? req.host;
  if (host && echo.host !== host) out.push(`backend saw Host ${JSON.stringify(echo.host)}, expected ${JSON.stringify(host)}`);
  const path = seen.path ?? req.path;
  if (echo.path !== path) out.push(`backend saw path ${JSON.stringify(echo.path)}, expected ${JSON.stringify(path)}`);
  const method = seen.method ?? req.method ?? 'GET';
  if (echo.method !== method) out.push(`backend saw method ${echo.method}, expected ${method}`);
  if (exp.namespace !== undefined && echo.namespace !== exp.namespace) out.push(`answered from namespace ${JSON.stringify(echo.namespace)}, expected ${JSON.stringify(exp.namespace)}`);
  for (const [name, value] of Object.entries(seen.headers ?? {})) {
    const got = lookup(echo.headers, name);
    if (!got) out.push(`backend did not see header ${name}`);
    else if (got.join(',') !== value) out.push(`backend saw ${name}: ${JSON.stringify(got.join(','))}, expected ${JSON.stringify(value)}`);
  }
  for (const name of seen.absentHeaders ?? []) if (lookup(echo.headers, name)) out.push(`backend saw header ${name}, which must be absent`);
  if (seen.httpPort && echo.httpPort !== seen.httpPort) out.push(`backend httpPort ${echo.httpPort}, expected ${seen.httpPort}`);
  if (seen.sni && echo.tls?.serverName !== seen.sni) out.push(`backend saw SNI ${JSON.stringify(echo.tls?.serverName ?? '')}, expected ${seen.sni}`);
  for (const [name, allowed] of Object.entries(exp.validResponseHeaderValues ?? {})) {
    const got = (lookup(obs.headers, name) ?? []).join(',');
    if (!allowed.includes(got)) out.push(`response ${name}: ${JSON.stringify(got)} is not one of ${JSON.stringify(allowed)}`);
  }
  for (const [name, value] of Object.entries(exp.responseHeaders ?? {})) {
    const got = lookup(obs.headers, name);
    if (!got || got.join(',') !== value) out.push(`response ${name}: ${JSON.stringify(got?.join(',') ?? null)}, expected ${JSON.stringify(value)}`);
  }
  for (const name of exp.absentResponseHeaders ?? []) if (lookup(obs.headers, name)) out.push(`response has header ${name}, which must be absent`);
  if (exp.backend && !echo.pod.startsWith(exp.backend)) out.push(`answered by pod ${JSON.stringify(echo.pod)}, expected a pod of ${exp.backend}`);
}

function compareRedirect(req: GatewayRequest, exp: NonNullable<GatewayExpectation['redirect']>, obs: Observed, requestUrl: string, out: string[]): void {
  if (!obs.location) {
    out.push(`redirect ${obs.status} without a Location`);
    return;
  }
  const got = redirectParts(obs.location, requestUrl);
  const sent = new URL(requestUrl);
  const scheme = exp.scheme ?? sent.protocol.replace(/:$/, '');
  const host = exp.host ?? got.host;
  const path = exp.path ?? req.path.split('?')[0];
  if (got.scheme !== scheme) out.push(`redirect scheme ${got.scheme}, expected ${scheme}`);
  if (got.host !== host) out.push(`redirect host ${got.host}, expected ${host}`);
  if (got.path !== path) out.push(`redirect path ${got.path}, expected ${path}`);
  const port = exp.port ?? '';
  if (port === '') {
    const wellKnown = got.scheme === 'https' ? '443' : '80';
    if (got.port !== '' && got.port !== wellKnown) out.push(`redirect port ${got.port}, expected none or ${wellKnown}`);
  } else if (got.port !== port) out.push(`redirect port ${JSON.stringify(got.port)}, expected ${port}`);
}

/** Every way `obs` differs from `exp` for request `req` sent to `requestUrl`; empty when it passes. */
export function compareRoundTrip(req: GatewayRequest, exp: GatewayExpectation, obs: Observed, requestUrl: string): string[] {
  const codes = exp.status ?? [200];
  if (TIMEOUTS.has(obs.status) && codes.some((c) => TIMEOUTS.has(c))) return [];
  const out: string[] = [];
  if (!codes.includes(obs.status)) return [`status ${obs.status}, expected ${codes.join(' or ')}`];
  if (exp.protocol && obs.protocol !== exp.protocol) out.push(`protocol ${obs.protocol}, expected ${exp.protocol}`);
  if (obs.status === 200 || obs.status === 204) compareEcho(req, exp, obs.echo, obs, out);
  else if (REDIRECTS.has(obs.status) && exp.redirect) compareRedirect(req, exp.redirect, obs, requestUrl, out);
  return out;
}
