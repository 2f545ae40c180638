import type { Balance } from '../../../model/types.js';
import { LOAD_BALANCE, RETRIES, RETRY_ON_KEY, TIMEOUT_CONNECT, TIMEOUT_SERVER } from '../backend.js';
import { SERVER_PROTO, SERVER_SSL } from '../backend-tls.js';
import {
  CORS_ALLOW_CREDENTIALS, CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_ALLOW_ORIGIN, CORS_ENABLE, CORS_MAX_AGE,
} from '../headers.js';
import type { AnyAnnotationDef, ParseContext, Parsed } from '../types.js';
import { ok, refuse } from '../types.js';
import { MAX_TIME_MS, parseBool, parseInteger } from '../values.js';
import { defineNginxKey, feed, type Feed } from './types.js';

const GROUP = 'ingress-nginx: proxying';
const CORS_GROUP = 'ingress-nginx: CORS';

/** ingress-nginx's timeouts are whole seconds (`"60"`, also written `"60s"`). */
function parseSeconds(raw: string): Parsed<number> {
  const match = /^(\d{1,7})s?$/.exec(raw);
  const ms = match ? Number(match[1]) * 1000 : NaN;
  return ms >= 1000 && ms <= MAX_TIME_MS ? ok(ms) : refuse('is not a number of seconds from 1 to 2147483');
}

export const NGINX_PROXY_CONNECT_TIMEOUT = defineNginxKey<number>({
  name: 'proxy-connect-timeout',
  group: GROUP,
  type: 'seconds',
  doc: 'Longest a connection to a pod may take (`haproxy.org/timeout-connect`).',
  nginx: 'proxy_connect_timeout, in seconds.',
  served: { as: 'same' },
  parse: parseSeconds,
  feeds: [feed<number>(TIMEOUT_CONNECT, (v) => v)],
});

const ONE_SERVER_TIMEOUT = 'HAProxy has one timeout for a silent pod, reading or writing (`timeout server`): proxy-read-timeout sets it, proxy-send-timeout only when proxy-read-timeout is not set';

export const NGINX_PROXY_READ_TIMEOUT = defineNginxKey<number>({
  name: 'proxy-read-timeout',
  group: GROUP,
  type: 'seconds',
  doc: 'Longest a pod may stay silent while it owes an answer (`haproxy.org/timeout-server`).',
  nginx: 'proxy_read_timeout, in seconds: between two reads from the upstream.',
  served: { as: 'different', difference: ONE_SERVER_TIMEOUT },
  parse: parseSeconds,
  feeds: [feed<number>(TIMEOUT_SERVER, (v) => v)],
});

export const NGINX_PROXY_SEND_TIMEOUT = defineNginxKey<number>({
  name: 'proxy-send-timeout',
  group: GROUP,
  type: 'seconds',
  doc: 'Sets `timeout server` when `proxy-read-timeout` is not set.',
  nginx: 'proxy_send_timeout, in seconds: between two writes to the upstream.',
  served: { as: 'different', difference: ONE_SERVER_TIMEOUT },
  parse: parseSeconds,
  feeds: [feed<number>(TIMEOUT_SERVER, (v) => v, true)],
});

/** proxy_next_upstream conditions and the HAProxy `retry-on` keywords that mean the same. */
const NEXT_UPSTREAM: Record<string, readonly string[]> = {
  error: ['conn-failure', 'empty-response'],
  timeout: ['conn-failure', 'response-timeout'],
  invalid_header: ['junk-response'],
  http_500: ['500'],
  http_502: ['502'],
  http_503: ['503'],
  http_504: ['504'],
  http_403: ['403'],
  http_404: ['404'],
  off: ['none'],
};

export const NGINX_PROXY_NEXT_UPSTREAM = defineNginxKey<string[]>({
  name: 'proxy-next-upstream',
  group: GROUP,
  type: 'conditions',
  defaultText: 'error timeout',
  doc: 'When a request is retried on another pod: error, timeout, invalid_header, http_500, http_502, http_503, http_504, http_403, http_404, off (`haproxy.org/retry-on`).',
  nginx: 'proxy_next_upstream: error timeout invalid_header http_500 http_502 http_503 http_504 http_403 http_404 http_429 non_idempotent off.',
  served: { as: 'different', difference: 'http_429 and non_idempotent have no HAProxy retry condition and are refused' },
  parse(raw) {
    const words = raw.split(/\s+/).filter((w) => w !== '');
    const bad = words.find((w) => !(w in NEXT_UPSTREAM));
    if (words.length === 0 || bad !== undefined) return refuse(`is not a list of ${Object.keys(NEXT_UPSTREAM).join(', ')}`);
    return ok([...new Set(words.flatMap((w) => NEXT_UPSTREAM[w]))]);
  },
  feeds: [feed<string[]>(RETRY_ON_KEY, (v) => v)],
});

export const NGINX_PROXY_NEXT_UPSTREAM_TRIES = defineNginxKey<number>({
  name: 'proxy-next-upstream-tries',
  group: GROUP,
  type: 'number',
  defaultText: '3',
  doc: 'Attempts in all, the first included: retries are one less (`haproxy.org/retries`).',
  nginx: 'proxy_next_upstream_tries: attempts including the first; 0 means no limit.',
  served: { as: 'different', difference: '0 (no limit) has no HAProxy equivalent and is refused' },
  parse: (raw) => parseInteger(raw, 1, 101),
  feeds: [feed<number>(RETRIES, (v) => v - 1)],
});

type BackendProtocol = 'HTTP' | 'HTTPS' | 'GRPC' | 'GRPCS' | 'H2C';
const PROTOCOLS: readonly BackendProtocol[] = ['HTTP', 'HTTPS', 'GRPC', 'GRPCS', 'H2C'];

export const NGINX_BACKEND_PROTOCOL = defineNginxKey<BackendProtocol>({
  name: 'backend-protocol',
  group: GROUP,
  type: 'HTTP, HTTPS, GRPC, GRPCS or H2C',
  defaultText: 'HTTP',
  doc: 'How the pods are spoken to: HTTPS and GRPCS over TLS without verifying the pod\'s certificate (`haproxy.org/server-ssl`), GRPC, GRPCS and H2C in HTTP/2 (`haproxy.org/server-proto: h2`).',
  nginx: 'HTTP, HTTPS, GRPC, GRPCS, AUTO_HTTP, FCGI; HTTPS does not verify the upstream certificate unless proxy-ssl-verify.',
  served: { as: 'different', difference: 'AUTO_HTTP and FCGI are refused' },
  parse(raw) {
    const protocol = PROTOCOLS.find((p) => p === raw.toUpperCase());
    return protocol ? ok(protocol) : refuse(`is not one of ${PROTOCOLS.join(', ')}`);
  },
  feeds: [
    feed<BackendProtocol>(SERVER_SSL, (v) => (v === 'HTTPS' || v === 'GRPCS' ? true : undefined)),
    feed<BackendProtocol>(SERVER_PROTO, (v) => (v === 'GRPC' || v === 'GRPCS' || v === 'H2C' ? 'h2' : undefined)),
  ],
});

export const NGINX_LOAD_BALANCE = defineNginxKey<Balance>({
  name: 'load-balance',
  group: GROUP,
  type: 'round_robin or ewma',
  defaultText: 'round_robin',
  doc: '`round_robin` is `roundrobin`; `ewma` is served as `leastconn` (`haproxy.org/load-balance`).',
  nginx: 'round_robin, or ewma (peak exponentially weighted moving average of latency).',
  served: { as: 'different', difference: 'ewma is served as leastconn: the pod with the fewest requests in flight, which tracks slow pods without a latency average' },
  parse(raw) {
    if (raw === 'round_robin') return ok('roundrobin');
    if (raw === 'ewma') return ok('leastconn');
    return refuse('is not "round_robin" or "ewma"');
  },
  feeds: [feed<Balance>(LOAD_BALANCE, (v) => v)],
});

/** ingress-nginx's CORS defaults, read through our keys' parsers so they have our types. */
const NGINX_CORS_DEFAULTS: readonly [AnyAnnotationDef, string][] = [
  [CORS_ALLOW_ORIGIN, '*'],
  [CORS_ALLOW_METHODS, 'GET, PUT, POST, DELETE, PATCH, OPTIONS'],
  [CORS_ALLOW_HEADERS, 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization'],
  [CORS_ALLOW_CREDENTIALS, 'true'],
  [CORS_MAX_AGE, '1728000s'],
];

function parsedDefault(def: AnyAnnotationDef, text: string, context: { snapshot: ParseContext['snapshot'] }): unknown {
  const parsed = def.parse(text, { scope: 'ingress', namespace: '', snapshot: context.snapshot, allowCrossNamespaceSecrets: false });
  return parsed.ok ? parsed.value : undefined;
}

export const NGINX_ENABLE_CORS = defineNginxKey<boolean>({
  name: 'enable-cors',
  group: CORS_GROUP,
  type: 'bool',
  defaultText: 'false',
  doc: 'Answers CORS preflights and adds the CORS headers, with ingress-nginx\'s defaults for the `cors-*` keys not set (`haproxy.org/cors-enable`).',
  nginx: 'Enables CORS; defaults: origin *, methods GET, PUT, POST, DELETE, PATCH, OPTIONS, its list of headers, credentials true, max-age 1728000.',
  served: { as: 'same' },
  parse: parseBool,
  feeds: [
    feed<boolean>(CORS_ENABLE, (v) => v),
    ...NGINX_CORS_DEFAULTS.map(([target, text]): Feed<boolean> => feed<boolean>(target, (v, c) => (v ? parsedDefault(target, text, c) : undefined), true)),
  ],
});

/** A `cors-*` key read by our parser of the same name (the syntax is the same). */
function corsKey(name: string, target: AnyAnnotationDef, nginx: string, difference?: string, parse = target.parse) {
  return defineNginxKey<unknown>({
    name,
    group: CORS_GROUP,
    type: target === CORS_MAX_AGE ? 'seconds' : target.type,
    doc: `${target.doc} (\`haproxy.org/${target.name}\`).`,
    nginx,
    served: difference ? { as: 'different', difference } : { as: 'same' },
    parse: (raw, context) => parse(raw, context),
    feeds: [feed<unknown>(target, (v) => v)],
  });
}

export const NGINX_CORS_KEYS = [
  corsKey('cors-allow-origin', CORS_ALLOW_ORIGIN, 'Allowed origins: *, or a comma-separated list (wildcard subdomains such as https://*.example.com allowed).', 'wildcard subdomain origins are refused; write a regex starting with "^" instead'),
  corsKey('cors-allow-methods', CORS_ALLOW_METHODS, 'Access-Control-Allow-Methods.'),
  corsKey('cors-allow-headers', CORS_ALLOW_HEADERS, 'Access-Control-Allow-Headers.'),
  corsKey('cors-allow-credentials', CORS_ALLOW_CREDENTIALS, 'Access-Control-Allow-Credentials; default true.'),
  corsKey('cors-max-age', CORS_MAX_AGE, 'Access-Control-Max-Age in seconds; default 1728000.', undefined, (raw) => parseInteger(raw, 0, 100_000_000)),
];

/** Every key of these groups, in docs order. */
export const NGINX_PROXY_KEYS = [
  NGINX_PROXY_CONNECT_TIMEOUT, NGINX_PROXY_READ_TIMEOUT, NGINX_PROXY_SEND_TIMEOUT, NGINX_PROXY_NEXT_UPSTREAM, NGINX_PROXY_NEXT_UPSTREAM_TRIES,
  NGINX_BACKEND_PROTOCOL, NGINX_LOAD_BALANCE, NGINX_ENABLE_CORS, ...NGINX_CORS_KEYS,
];
