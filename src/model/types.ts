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
  maxconn: number;
  /** 0 lets HAProxy pick (one thread per CPU). */
  nbthread: number;
  timeouts: Timeouts;
  /** Milliseconds an old worker may keep serving after a reload. */
  hardStopAfter: number;
  /** Value of the `Server` response header added when the backend sends none. */
  serverHeader: string;
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
  /** HAProxy-safe identifier built by `backendName`; also the map value routes point to. */
  name: string;
  balance: 'roundrobin';
  /** Sorted by address, then port. Empty means the backend answers 503. */
  servers: Server[];
  source: SourceRef;
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
