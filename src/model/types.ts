/**
 * The load-balancer model: what `translate` produces and `haproxy` consumes.
 *
 * Plain, sorted, JSON-safe data. Two equal models must render to the same bytes, so every list is kept
 * in a fixed order by `translate` (routes by host/path/match, backends and certificates by name).
 * Nothing here knows Kubernetes except `SourceRef`, which only names where an item came from so that
 * errors found later (for instance by `haproxy -c`) can be pinned on the object that caused them.
 */

export interface SourceRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface Timeouts {
  /** Milliseconds. */
  client: number;
  connect: number;
  server: number;
  httpRequest: number;
  httpKeepAlive: number;
  tunnel: number;
  queue: number;
}

export interface GlobalSettings {
  /** Address the HTTP and HTTPS frontends bind to; '' or '*' means all IPv4 addresses. */
  bindAddress: string;
  httpPort: number;
  httpsPort: number;
  /** HAProxy's Prometheus exporter (`/metrics`) and stats page (`/stats`) listen here when set. */
  statsPort?: number;
  /** 0 lets HAProxy derive it from its file-descriptor limit. */
  maxconn: number;
  /** 0 lets HAProxy pick (one thread per CPU). */
  nbthread: number;
  timeouts: Timeouts;
  /** Milliseconds an old worker may keep serving after a reload. */
  hardStopAfter: number;
  /** Value of the `Server` response header added when the backend sends none. */
  serverHeader: string;
  /** HTTP log format (ConfigMap `log-format`); absent means the renderer's default format. */
  logFormat?: LogFormat;
  /** false: no per-request traffic log (ConfigMap `disable-access-log`); absent means on. */
  accessLog?: false;
  /** Where logs go (ConfigMap `syslog-server`); absent means stdout. */
  syslogServers?: SyslogServer[];
  /** Lines for the `global` section (ConfigMap `global-config-snippet`, only with `--allow-config-snippets`). */
  snippet?: Snippet;
  /** Lines for the HTTP and HTTPS frontends (ConfigMap `frontend-config-snippet`). */
  frontendSnippet?: Snippet;
}

/**
 * A log-format string, already checked: only known `%` variables and `%[...]` expressions made of
 * known fetches and converters, no control characters. The renderer still quotes it.
 */
export interface LogFormat {
  format: string;
}

export type SyslogFacility =
  | 'kern' | 'user' | 'mail' | 'daemon' | 'auth' | 'syslog' | 'lpr' | 'news' | 'uucp' | 'cron' | 'auth2' | 'ftp'
  | 'ntp' | 'audit' | 'alert' | 'cron2' | 'local0' | 'local1' | 'local2' | 'local3' | 'local4' | 'local5' | 'local6' | 'local7';

export type SyslogLevel = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

/** One `log` target. */
export interface SyslogServer {
  /** An IP literal (UDP syslog), or `stdout` / `stderr`. */
  address: string;
  /** Absent for stdout/stderr and for the syslog default (514). */
  port?: number;
  facility: SyslogFacility;
  format?: 'rfc3164' | 'rfc5424' | 'short' | 'raw';
  length?: number;
  level?: SyslogLevel;
  minlevel?: SyslogLevel;
}

/**
 * Raw configuration lines from a `*-config-snippet` key, each already checked to be one directive of
 * its section (no section keyword, no control character). `source` pins a rejected line on its object.
 */
export interface Snippet {
  lines: string[];
  source: SourceRef;
}

export type PathMatch = 'exact' | 'prefix';

export interface HttpsRedirect {
  code: 301 | 302 | 303 | 307 | 308;
  /** Port written into the Location header (443 is omitted). */
  port: number;
}

export interface Route {
  /** Lower-case host, `*.` + domain for a one-label wildcard, or '' for "any host". */
  host: string;
  /** Exact: as written. Prefix: no trailing slash, except the root path '/'. */
  path: string;
  match: PathMatch;
  /** Name of a backend in `Model.backends`. */
  backend: string;
  /** Present when plain-HTTP requests for this route are redirected to HTTPS. */
  httpsRedirect?: HttpsRedirect;
  source: SourceRef;
}

export type ServerState = 'ready' | 'drain';

export interface Server {
  /** IP literal, or a DNS name for ExternalName Services. */
  address: string;
  port: number;
  /** `drain`: the endpoint is terminating; it keeps its connections but takes no new requests. */
  state: ServerState;
}

export interface Backend {
  /** HAProxy-safe identifier built by `backendName` or `backendVariantName`; also the map value routes point to. */
  name: string;
  balance: Balance;
  /** Sorted by address, then port. Empty means the backend answers 503. */
  servers: Server[];
  source: SourceRef;
  /** Per-request rules (access control, auth, rate limit, rewrites, headers, CORS). Absent: none. */
  policy?: BackendPolicy;
  /** Options of every server line. Absent: the defaults (no health checks, HTTP/1.1 in the clear). */
  server?: ServerOptions;
  /** Timeouts that differ from the global ones (set on the Service or Ingress). */
  timeouts?: BackendTimeouts;
  /** L7 retries. Absent: HAProxy's defaults (3 retries on connection failure). */
  retries?: Retries;
  /** Sticky sessions through an inserted cookie. */
  cookie?: CookiePersistence;
  /** `backend-config-snippet` lines (only with `--allow-config-snippets`). */
  snippet?: Snippet;
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
  | { hdr: string };

/** An IPv4 or IPv6 address or CIDR, in the form the user wrote it (checked: digits, hex, '.', ':', '/'). */
export type Cidr = string;

/**
 * The rules of one backend, evaluated in this order: deny-list, allow-list, rate limit, CORS preflight,
 * basic auth, request redirect, path rewrites, Host, request headers. Every string is checked data:
 * the renderer quotes and escapes it, never interprets it.
 */
export interface BackendPolicy {
  /** Requests from these sources get 403. */
  deny?: Cidr[];
  /** Only requests from these sources pass; others get 403. */
  allow?: Cidr[];
  rateLimit?: RateLimit;
  cors?: Cors;
  auth?: BasicAuth;
  redirect?: RequestRedirect;
  /** Applied in order. */
  pathRewrites?: PathRewrite[];
  /** Host header sent to the servers (`host` or `host:port`). */
  setHost?: string;
  /** Set (replacing any existing value) on requests, in order. */
  requestHeaders?: HeaderSetting[];
  /** Set on responses, in order. */
  responseHeaders?: HeaderSetting[];
  /** `false` turns `X-Forwarded-For` off for this backend; absent means on. */
  forwardedFor?: boolean;
}

/** More than `requests` requests from one source address within `periodMs` get `statusCode`. */
export interface RateLimit {
  requests: number;
  periodMs: number;
  statusCode: number;
  /** How many source addresses are tracked. */
  size: number;
  /** Sources never limited. */
  exempt: Cidr[];
}

export interface Cors {
  /** `*`; exact origins echoed back when the request's Origin is one of them; or a regex on Origin. */
  allowOrigin: { any: true } | { origins: string[] } | { regex: string };
  /** `*` or a comma-separated list of tokens. */
  allowMethods: string;
  allowHeaders: string;
  allowCredentials: boolean;
  maxAgeSeconds: number;
}

export interface BasicAuth {
  /** Printable ASCII without '"' or '\'. */
  realm: string;
  /** Sorted by name. Empty: every request gets 401 (the Secret was unusable; failing closed). */
  users: AuthUser[];
  /** The Secret the users came from, or the object that asked for auth when there is none. */
  source: SourceRef;
}

export interface AuthUser {
  /** `[A-Za-z0-9._@+-]+`. */
  name: string;
  /** crypt(3) hash: `$1$`, `$5$` or `$6$`. */
  hash: string;
}

/** Redirects every request to another host (and port), keeping the scheme, path and query. */
export interface RequestRedirect {
  host: string;
  port?: number;
  code: 301 | 302 | 303 | 307 | 308;
}

export type PathRewrite =
  /** Replace the whole path (the query string is kept). */
  | { kind: 'set'; path: string }
  /** Regex on path and query; the replacement may use `\1`..`\9`. */
  | { kind: 'regex'; match: string; replace: string };

/** A header name (`[A-Za-z0-9_.-]+`) and a literal value (no control characters). */
export interface HeaderSetting {
  name: string;
  value: string;
}

export interface ServerOptions {
  /** Per-server connection limit; excess requests wait in the backend queue. */
  maxconn?: number;
  check: boolean;
  checkIntervalMs?: number;
  checkHttp?: HttpCheck;
  sendProxy?: 'v1' | 'v2' | 'v2-ssl' | 'v2-ssl-cn';
  /** TLS to the servers; absent: cleartext. */
  ssl?: ServerTls;
  /** `h2`: HTTP/2 to the servers (in the clear, or offered through ALPN with TLS). */
  proto?: 'h2';
}

export interface HttpCheck {
  method: string;
  uri: string;
  version?: 'HTTP/1.0' | 'HTTP/1.1';
}

export interface ServerTls {
  /** CA bundle that verifies the servers; absent: server certificates are not verified. */
  ca?: PemFile;
  /** Client certificate and key presented to the servers (mutual TLS). */
  crt?: PemFile;
}

/** PEM content the renderer writes to a file of its own (mode 0600), named after `id`. */
export interface PemFile {
  /** HAProxy-safe identifier, the file stem. */
  id: string;
  pem: string;
  source: SourceRef;
}

export interface BackendTimeouts {
  /** Milliseconds. */
  server?: number;
  connect?: number;
  queue?: number;
}

export interface Retries {
  count?: number;
  /** `retry-on` keywords and status codes, checked against HAProxy's list. */
  on?: string[];
}

export interface CookiePersistence {
  /** Cookie name, `[A-Za-z0-9_.-]+`. */
  name: string;
  /** `dynamic-cookie-key`: the same for every replica and every variant of a Service port. */
  dynamicKey: string;
}

export interface Certificate {
  /** HAProxy-safe identifier, also the certificate's file stem. */
  id: string;
  /** PEM: certificate chain followed by the private key. Never logged. */
  pem: string;
  /** SNI names this certificate is served for (exact or `*.` wildcard), lower-case, sorted. */
  hosts: string[];
  source: SourceRef;
}

export interface Model {
  global: GlobalSettings;
  /** Sorted by host, path, then match. */
  routes: Route[];
  /** Backend for requests no route matches; absent means HAProxy answers 404. */
  defaultBackend?: string;
  /** Sorted by name. */
  backends: Backend[];
  /** Sorted by id. */
  certificates: Certificate[];
  /** Served for SNI names no certificate claims, and to clients that send no SNI. */
  defaultCertificate: Certificate;
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
