/**
 * The ingress-nginx annotations that have no definition here, with why and what to use instead.
 * `migrate` reads this table; translate warns once per key it meets.
 *
 * `ELSEWHERE` lists keys served by another part of Portcullis (canary, session affinity): translate
 * stays silent about them, and `migrate` reports them as served once `servedElsewhere` says so.
 */

import { AFFINITY_KEYS } from '../canary/affinity.js';
import { CANARY_KEYS } from '../canary/canary.js';

export interface NotServed {
  /** Bare key, or a prefix of keys ending in `*` (`canary*`). */
  key: string;
  why: string;
  instead: string;
}

const SNIPPET_INSTEAD =
  'haproxy.org/request-set-header, response-set-header, path-rewrite, set-host or request-redirect; raw HAProxy lines through haproxy.org/backend-config-snippet with --allow-config-snippets';

export const NOT_SERVED: readonly NotServed[] = [
  { key: 'configuration-snippet', why: 'nginx configuration cannot run in HAProxy', instead: SNIPPET_INSTEAD },
  { key: 'server-snippet', why: 'nginx configuration cannot run in HAProxy', instead: SNIPPET_INSTEAD },
  { key: 'stream-snippet', why: 'nginx configuration cannot run in HAProxy', instead: 'a TCP Service of type LoadBalancer' },
  { key: 'auth-url', why: 'external authentication is not served yet', instead: 'keep the authentication in the application or an oauth2-proxy in front of it' },
  { key: 'auth-signin', why: 'external authentication is not served yet', instead: 'keep the authentication in the application' },
  { key: 'auth-method', why: 'external authentication is not served yet', instead: 'keep the authentication in the application' },
  { key: 'auth-response-headers', why: 'external authentication is not served yet', instead: 'keep the authentication in the application' },
  { key: 'auth-request-redirect', why: 'external authentication is not served yet', instead: 'keep the authentication in the application' },
  { key: 'auth-cache-key', why: 'external authentication is not served yet', instead: 'keep the authentication in the application' },
  { key: 'auth-cache-duration', why: 'external authentication is not served yet', instead: 'keep the authentication in the application' },
  { key: 'auth-snippet', why: 'nginx configuration cannot run in HAProxy', instead: 'keep the authentication in the application' },
  { key: 'app-root', why: 'not served yet', instead: 'haproxy.org/request-redirect on an Ingress with an Exact path "/"' },
  { key: 'from-to-www-redirect', why: 'not served yet', instead: 'an Ingress for the other name with haproxy.org/request-redirect' },
  { key: 'server-alias', why: 'not served yet', instead: 'list the other host names as rules of the Ingress' },
  { key: 'limit-connections', why: 'concurrent connections per client address are not limited yet', instead: 'haproxy.org/pod-maxconn (per pod, not per client), or limit-rps' },
  { key: 'proxy-body-size', why: 'a request body limit is not served yet (HAProxy passes bodies of any size)', instead: 'enforce the limit in the application' },
  { key: 'client-body-buffer-size', why: 'HAProxy streams request bodies', instead: 'nothing is needed' },
  { key: 'proxy-buffering', why: 'HAProxy streams responses', instead: 'nothing is needed' },
  { key: 'proxy-buffer-size', why: 'HAProxy sizes its buffers globally (tune.bufsize)', instead: 'nothing is needed for usual headers' },
  { key: 'proxy-ssl-secret', why: 'not served yet under the ingress-nginx key', instead: 'haproxy.org/server-ca and haproxy.org/server-crt' },
  { key: 'proxy-ssl-verify', why: 'not served yet under the ingress-nginx key', instead: 'haproxy.org/server-ca (its presence turns verification on)' },
  { key: 'proxy-ssl-name', why: 'not served yet', instead: 'nothing yet: the pod certificate is verified against the CA only' },
  { key: 'proxy-ssl-server-name', why: 'not served yet', instead: 'nothing yet' },
  { key: 'service-upstream', why: 'not served yet: Portcullis always sends to the pods', instead: 'nothing is needed unless a service mesh requires the ClusterIP' },
  { key: 'custom-http-errors', why: 'not served yet', instead: 'the error pages of the application' },
  { key: 'default-backend', why: 'not served yet as an annotation', instead: 'spec.defaultBackend of the Ingress, or --default-backend-service' },
  { key: 'ssl-passthrough', why: 'not served yet', instead: 'a TCP Service of type LoadBalancer' },
  { key: 'cors-expose-headers', why: 'not served yet', instead: 'haproxy.org/response-set-header Access-Control-Expose-Headers' },
  { key: 'enable-access-log', why: 'access logs are switched for all Ingresses at once', instead: 'ConfigMap disable-access-log' },
  { key: 'mirror-target', why: 'request mirroring is not served', instead: 'nothing' },
];

/** Keys another part of Portcullis serves; `migrate` asks `servedElsewhere` whether that work is in. */
export const ELSEWHERE: readonly NotServed[] = [
  { key: 'canary*', why: 'canary releases are served by the canary keys, not by this table', instead: 'see docs/annotations.md' },
  { key: 'affinity*', why: 'session affinity is served by the affinity keys, not by this table', instead: 'haproxy.org/cookie-persistence' },
  { key: 'session-cookie-*', why: 'session affinity is served by the affinity keys, not by this table', instead: 'haproxy.org/cookie-persistence' },
  { key: 'upstream-hash-by', why: 'consistent hashing is served by the affinity keys, not by this table', instead: 'haproxy.org/load-balance: uri or hdr(NAME)' },
];

/**
 * The hook for keys of `ELSEWHERE`: the part that serves them lists their bare names here once
 * it reads them (an empty list means none is served yet).
 */
/** Keys served by a definition both prefixes share (canary, affinity), with ingress-nginx's meaning. */
export const SERVED_ELSEWHERE: ReadonlySet<string> = new Set([...CANARY_KEYS, ...AFFINITY_KEYS].map((def) => def.name));

function matches(entry: NotServed, key: string): boolean {
  return entry.key.endsWith('*') ? key.startsWith(entry.key.slice(0, -1)) : entry.key === key;
}

/** Why a key without a definition is not served, if this table knows it. */
export function notServed(key: string): NotServed | undefined {
  return NOT_SERVED.find((e) => matches(e, key));
}

/** The `ELSEWHERE` entry a key falls under, if any. */
export function elsewhere(key: string): NotServed | undefined {
  return ELSEWHERE.find((e) => matches(e, key));
}
