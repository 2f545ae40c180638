/**
 * The load-balancer model: what `translate` produces and `haproxy` consumes.
 *
 * Plain, sorted, JSON-safe data. Two equal models must render to the same bytes, so every list is kept
 * in a fixed order by `translate` (routes by host/path/match, backends and certificates by name).
 * Nothing here knows Kubernetes except `SourceRef`, which only names where an item came from so that
 * errors found later (for instance by `haproxy -c`) can be pinned on the object that caused them.
 *
 * Deeply readonly: the renderer's memo and the planner take "the same object" to mean "unchanged",
 * so a model is never changed in place once built. Builders and tests that need to assemble or
 * alter one work on a `Mutable` or `Draft` and hand it over as the readonly type.
 */

import type { Listener } from './listeners.js';

export type { Listener };

/** One level of a model type made writable, for a builder that fills in optional fields. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A deeply mutable copy of a model type, for tests that alter a model they cloned. */
export type Draft<T> = T extends readonly (infer U)[]
  ? Draft<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Draft<T[K]> }
    : T;

export interface SourceRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface Timeouts {
  /** Milliseconds. */
  readonly client: number;
  readonly connect: number;
  readonly server: number;
  readonly httpRequest: number;
  readonly httpKeepAlive: number;
  readonly tunnel: number;
  readonly queue: number;
}

export interface GlobalSettings {
  /** Address the HTTP and HTTPS frontends bind to; '' or '*' means all IPv4 addresses. */
  readonly bindAddress: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** HAProxy's Prometheus exporter (`/metrics`) and stats page (`/stats`) listen here when set. */
  readonly statsPort?: number;
  /** 0 lets HAProxy derive it from its file-descriptor limit. */
  readonly maxconn: number;
  /** 0 lets HAProxy pick (one thread per CPU). */
  readonly nbthread: number;
  readonly timeouts: Timeouts;
  /** Milliseconds an old worker may keep serving after a reload. */
  readonly hardStopAfter: number;
  /** Value of the `Server` response header added when the backend sends none. */
  readonly serverHeader: string;
  /** HTTP log format (ConfigMap `log-format`); absent means the renderer's default format. */
  readonly logFormat?: LogFormat;
  /** false: no per-request traffic log (ConfigMap `disable-access-log`); absent means on. */
  readonly accessLog?: false;
  /** Where logs go (ConfigMap `syslog-server`); absent means stdout. */
  readonly syslogServers?: readonly SyslogServer[];
  /** Lines for the `global` section (ConfigMap `global-config-snippet`, only with `--allow-config-snippets`). */
  readonly snippet?: Snippet;
  /** Lines for the HTTP and HTTPS frontends (ConfigMap `frontend-config-snippet`). */
  readonly frontendSnippet?: Snippet;
}

/**
 * A log-format string, already checked: only known `%` variables and `%[...]` expressions made of
 * known fetches and converters, no control characters. The renderer still quotes it.
 */
export interface LogFormat {
  readonly format: string;
}

export type SyslogFacility =
  | 'kern' | 'user' | 'mail' | 'daemon' | 'auth' | 'syslog' | 'lpr' | 'news' | 'uucp' | 'cron' | 'auth2' | 'ftp'
  | 'ntp' | 'audit' | 'alert' | 'cron2' | 'local0' | 'local1' | 'local2' | 'local3' | 'local4' | 'local5' | 'local6' | 'local7';

export type SyslogLevel = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

/** One `log` target. */
export interface SyslogServer {
  /** An IP literal (UDP syslog), or `stdout` / `stderr`. */
  readonly address: string;
  /** Absent for stdout/stderr and for the syslog default (514). */
  readonly port?: number;
  readonly facility: SyslogFacility;
  readonly format?: 'rfc3164' | 'rfc5424' | 'short' | 'raw';
  readonly length?: number;
  readonly level?: SyslogLevel;
  readonly minlevel?: SyslogLevel;
}

/**
 * Raw configuration lines from a `*-config-snippet` key, each already checked to be one directive of
 * its section (no section keyword, no control character). `source` pins a rejected line on its object.
 */
export interface Snippet {
  readonly lines: readonly string[];
  readonly source: SourceRef;
}

/**
 * `regex`: `path` is a regular expression (PCRE2) that the whole path must match; the renderer
 * anchors it. Between the kinds, for one host: exact, then regex (in model order), then prefix.
 */
export type PathMatch = 'exact' | 'prefix' | 'regex';

/**
 * What a request must carry besides host and path, all of it (an AND). Routes that share host, path
 * and match but differ in conditions form a route group, tried in Gateway API precedence: a method
 * first, then the most header conditions, then the most query conditions, then model order (which
 * `translate` sets: oldest route first). An unconditional route of the group is its fallback.
 */
export interface RouteConditions {
  /** An upper-case method token. */
  readonly method?: string;
  /** Header names are case-insensitive; values are compared whole (no comma split), case-sensitively. */
  readonly headers?: readonly ValueCondition[];
  /** Query parameter names are case-sensitive; the first occurrence is compared, undecoded. */
  readonly query?: readonly ValueCondition[];
  /**
   * Cookie names are case-sensitive; a request carrying the cookie several times matches when any
   * value does. Ranked after query conditions in the group's precedence.
   */
  readonly cookies?: readonly ValueCondition[];
}

export interface ValueCondition {
  /** `[A-Za-z0-9_.-]+`. */
  readonly name: string;
  readonly match: 'exact' | 'regex';
  /** Printable ASCII; a regex is PCRE2 and unanchored. */
  readonly value: string;
}

export interface HttpsRedirect {
  readonly code: 301 | 302 | 303 | 307 | 308;
  /** Port written into the Location header (443 is omitted). */
  readonly port: number;
}

export interface Route {
  /** Lower-case host, `*.` + domain for a one-label wildcard, or '' for "any host". */
  readonly host: string;
  /** Exact: as written. Prefix: no trailing slash, except the root path '/'. Regex: the expression. */
  readonly path: string;
  readonly match: PathMatch;
  /** Name of a backend in `Model.backends`. */
  readonly backend: string;
  /** Present when plain-HTTP requests for this route are redirected to HTTPS. */
  readonly httpsRedirect?: HttpsRedirect;
  /** Absent: host and path decide alone. */
  readonly conditions?: RouteConditions;
  /** Names in `Model.listeners` this route is reachable on; absent: the default HTTP/HTTPS pair only. */
  readonly listeners?: readonly string[];
  readonly source: SourceRef;
}

export type ServerState = 'ready' | 'drain';

export interface Server {
  /** IP literal, or a DNS name for ExternalName Services. */
  readonly address: string;
  readonly port: number;
  /** `drain`: the endpoint is terminating; it keeps its connections but takes no new requests. */
  readonly state: ServerState;
  /**
   * 0-256, HAProxy's server weight; absent is 1. A weight split across Services is one backend whose
   * servers carry the weights (0: no new requests), so a request costs the same as with one Service.
   */
  readonly weight?: number;
}

export interface Backend {
  /** HAProxy-safe identifier built by `backendName` or `backendVariantName`; also the map value routes point to. */
  readonly name: string;
  readonly balance: Balance;
  /** Sorted by address, then port. Empty means the backend answers 503. */
  readonly servers: readonly Server[];
  readonly source: SourceRef;
  /** Per-request rules (access control, auth, rate limit, rewrites, headers, CORS). Absent: none. */
  readonly policy?: BackendPolicy;
  /** Options of every server line. Absent: the defaults (no health checks, HTTP/1.1 in the clear). */
  readonly server?: ServerOptions;
  /** Timeouts that differ from the global ones (set on the Service or Ingress). */
  readonly timeouts?: BackendTimeouts;
  /** L7 retries. Absent: HAProxy's defaults (3 retries on connection failure). */
  readonly retries?: Retries;
  /** Sticky sessions through an inserted cookie. */
  readonly cookie?: CookiePersistence;
  /** `backend-config-snippet` lines (only with `--allow-config-snippets`). */
  readonly snippet?: Snippet;
}

/** Load-balancing algorithm; parameter names are already checked to be `[A-Za-z0-9_.-]+`. */
export type Balance =
  | 'roundrobin'
  | 'leastconn'
  | 'source'
  | 'uri'
  | 'random'
  | 'first'
  | { urlParam: string }
  | { hdr: string }
  /** Consistent hashing on the parts, concatenated in order (a part that is missing adds nothing). */
  | { hash: readonly HashPart[] };

/**
 * One input of a hash: `pathq` (path and query, as sent), `path`, `src` (client address), `host`
 * (the Host header), or a header, query parameter or cookie by name (`[A-Za-z0-9_.-]+`).
 */
export type HashPart = 'pathq' | 'path' | 'src' | 'host' | { header: string } | { param: string } | { cookie: string };

/** An IPv4 or IPv6 address or CIDR, in the form the user wrote it (checked: digits, hex, '.', ':', '/'). */
export type Cidr = string;

/**
 * The rules of one backend, evaluated in this order: deny-list, allow-list, rate limit, CORS preflight,
 * basic auth, request redirect, fixed answer (`respond`), path rewrites, Host, request headers. Every string is checked data:
 * the renderer quotes and escapes it, never interprets it.
 */
export interface BackendPolicy {
  /** Requests from these sources get 403. */
  readonly deny?: readonly Cidr[];
  /** Only requests from these sources pass; others get 403. */
  readonly allow?: readonly Cidr[];
  readonly rateLimit?: RateLimit;
  readonly cors?: Cors;
  readonly auth?: BasicAuth;
  readonly redirect?: RequestRedirect;
  /**
   * Every request (that no redirect answered) gets this status from HAProxy itself: a Gateway API
   * rule whose backendRefs are all invalid answers 500, as the specification requires.
   */
  readonly respond?: number;
  /** Applied in order. */
  readonly pathRewrites?: readonly PathRewrite[];
  /** Host header sent to the servers (`host` or `host:port`). */
  readonly setHost?: string;
  /** Set (replacing any existing value) on requests, in order. */
  readonly requestHeaders?: readonly HeaderSetting[];
  /** Added to requests after the `requestHeaders` (a header already there keeps its value too). */
  readonly addRequestHeaders?: readonly HeaderSetting[];
  /** Header names removed from requests, after the sets and adds. */
  readonly removeRequestHeaders?: readonly string[];
  /** Set on responses, in order. */
  readonly responseHeaders?: readonly HeaderSetting[];
  /** Added to responses after the `responseHeaders`. */
  readonly addResponseHeaders?: readonly HeaderSetting[];
  /** Header names removed from responses, after the sets and adds. */
  readonly removeResponseHeaders?: readonly string[];
  /** `false` turns `X-Forwarded-For` off for this backend; absent means on. */
  readonly forwardedFor?: boolean;
}

/** More than `requests` requests from one source address within `periodMs` get `statusCode`. */
export interface RateLimit {
  readonly requests: number;
  readonly periodMs: number;
  readonly statusCode: number;
  /** How many source addresses are tracked. */
  readonly size: number;
  /** Sources never limited. */
  readonly exempt: readonly Cidr[];
}

export interface Cors {
  /** `*`; exact origins echoed back when the request's Origin is one of them; or a regex on Origin. */
  readonly allowOrigin: { any: true } | { origins: readonly string[] } | { regex: string };
  /** `*` or a comma-separated list of tokens. */
  readonly allowMethods: string;
  readonly allowHeaders: string;
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds: number;
  /** `Access-Control-Expose-Headers`, a comma-separated list; absent: not sent. */
  readonly exposeHeaders?: string;
}

export interface BasicAuth {
  /** Printable ASCII without '"' or '\'. */
  readonly realm: string;
  /** Sorted by name. Empty: every request gets 401 (the Secret was unusable; failing closed). */
  readonly users: readonly AuthUser[];
  /** The Secret the users came from, or the object that asked for auth when there is none. */
  readonly source: SourceRef;
}

export interface AuthUser {
  /** `[A-Za-z0-9._@+-]+`. */
  readonly name: string;
  /** crypt(3) hash: `$1$`, `$5$` or `$6$`. */
  readonly hash: string;
}

/**
 * Redirects every request. Each part left out is kept from the request: the scheme, the host (without
 * its port), the path; the query is always kept. `port` absent: no port in the Location (so the
 * scheme's default); `translate` writes the port it means, even the listener's own.
 */
export interface RequestRedirect {
  readonly scheme?: 'http' | 'https';
  readonly host?: string;
  readonly port?: number;
  /** The new path: the whole path (`set`) or the matched prefix replaced (`prefix`). */
  readonly path?: Extract<PathRewrite, { kind: 'set' | 'prefix' }>;
  readonly code: 301 | 302 | 303 | 307 | 308;
}

export type PathRewrite =
  /** Replace the whole path (the query string is kept). */
  | { kind: 'set'; path: string }
  /**
   * Replace the leading `prefix` (no trailing slash, or '/'), matched on whole segments, with
   * `replacement`: `/a` -> `/x` makes `/a/b` `/x/b` and `/a` `/x`; a replacement `/` makes `/a/b` `/b`.
   */
  | { kind: 'prefix'; prefix: string; replacement: string }
  /** Regex on path and query; the replacement may use `\1`..`\9`. */
  | { kind: 'regex'; match: string; replace: string };

/** A header name (`[A-Za-z0-9_.-]+`) and a literal value (no control characters). */
export interface HeaderSetting {
  readonly name: string;
  readonly value: string;
}

export interface ServerOptions {
  /** Per-server connection limit; excess requests wait in the backend queue. */
  readonly maxconn?: number;
  readonly check: boolean;
  readonly checkIntervalMs?: number;
  readonly checkHttp?: HttpCheck;
  readonly sendProxy?: 'v1' | 'v2' | 'v2-ssl' | 'v2-ssl-cn';
  /** TLS to the servers; absent: cleartext. */
  readonly ssl?: ServerTls;
  /** `h2`: HTTP/2 to the servers (in the clear, or offered through ALPN with TLS). */
  readonly proto?: 'h2';
}

export interface HttpCheck {
  readonly method: string;
  readonly uri: string;
  readonly version?: 'HTTP/1.0' | 'HTTP/1.1';
}

export interface ServerTls {
  /** CA bundle that verifies the servers; absent: server certificates are not verified. */
  readonly ca?: PemFile;
  /** Client certificate and key presented to the servers (mutual TLS). */
  readonly crt?: PemFile;
}

/** PEM content the renderer writes to a file of its own (mode 0600), named after `id`. */
export interface PemFile {
  /** HAProxy-safe identifier, the file stem. */
  readonly id: string;
  readonly pem: string;
  readonly source: SourceRef;
}

export interface BackendTimeouts {
  /** Milliseconds. */
  readonly server?: number;
  readonly connect?: number;
  readonly queue?: number;
  /**
   * Bound on waiting for the response (Gateway API `timeouts.request`). HAProxy 2.6 has no
   * total-request timer: it caps `timeout server` (the wait for the response, and between its parts).
   */
  readonly request?: number;
}

export interface Retries {
  readonly count?: number;
  /** `retry-on` keywords and status codes, checked against HAProxy's list. */
  readonly on?: readonly string[];
}

export interface CookiePersistence {
  /** Cookie name, `[A-Za-z0-9_.-]+`. */
  readonly name: string;
  /** `dynamic-cookie-key`: the same for every replica and every variant of a Service port. */
  readonly dynamicKey: string;
  /** `Path` attribute, a URL path; absent: `/` (HAProxy always writes `path=/`; a later `Path` wins in browsers). */
  readonly path?: string;
  /** `Max-Age` attribute in seconds; absent: a session cookie. */
  readonly maxAgeSeconds?: number;
  readonly sameSite?: 'Strict' | 'Lax' | 'None';
  readonly secure?: true;
  readonly httpOnly?: true;
}

export interface Certificate {
  /** HAProxy-safe identifier, also the certificate's file stem. */
  readonly id: string;
  /** PEM: certificate chain followed by the private key. Never logged. */
  readonly pem: string;
  /** SNI names this certificate is served for (exact or `*.` wildcard), lower-case, sorted. */
  readonly hosts: readonly string[];
  readonly source: SourceRef;
}

export interface Model {
  readonly global: GlobalSettings;
  /** Sorted by host, path, then match. */
  readonly routes: readonly Route[];
  /** Backend for requests no route matches; absent means HAProxy answers 404. */
  readonly defaultBackend?: string;
  /** Sorted by name. */
  readonly backends: readonly Backend[];
  /** Sorted by id. */
  readonly certificates: readonly Certificate[];
  /** Served for SNI names no certificate claims, and to clients that send no SNI. */
  readonly defaultCertificate: Certificate;
  /** Listeners beyond the default pair (Gateway API); absent or empty: the default pair alone. */
  readonly listeners?: readonly Listener[];
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  client: 50_000,
  connect: 5_000,
  server: 50_000,
  httpRequest: 5_000,
  httpKeepAlive: 60_000,
  tunnel: 3_600_000,
  queue: 5_000,
};
