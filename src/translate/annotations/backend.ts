import { DEFAULT_TIMEOUTS, type Balance, type HttpCheck, type ServerOptions } from '../../model/types.js';
import { defineKey, ok, refuse, type Parsed } from './types.js';
import { NAME, URL_PATH, parseBool, parseInteger, parseTime } from './values.js';

const GROUP = 'Backends';
const BACKEND_SCOPES = ['service', 'ingress', 'configmap'] as const;

const SIMPLE_BALANCE = ['roundrobin', 'leastconn', 'source', 'uri', 'random', 'first'] as const;

function parseBalance(raw: string): Parsed<Balance> {
  const simple = SIMPLE_BALANCE.find((b) => b === raw);
  if (simple) return ok(simple);
  const param = /^url_param\s+(\S+)$/.exec(raw);
  if (param && NAME.test(param[1])) return ok({ urlParam: param[1] });
  const hdr = /^hdr\(([^)]*)\)$/.exec(raw);
  if (hdr && NAME.test(hdr[1])) return ok({ hdr: hdr[1] });
  return refuse(`is not one of ${SIMPLE_BALANCE.join(', ')}, "url_param NAME" or "hdr(NAME)"`);
}

export const LOAD_BALANCE = defineKey<Balance>({
  name: 'load-balance',
  scopes: BACKEND_SCOPES,
  group: GROUP,
  type: 'algorithm',
  fallback: 'roundrobin',
  defaultText: 'roundrobin',
  doc: 'How requests are spread over the pods: roundrobin, leastconn, source, uri, random, first, "url_param NAME" or "hdr(NAME)".',
  parse: parseBalance,
});

export const POD_MAXCONN = defineKey<number>({
  name: 'pod-maxconn',
  scopes: BACKEND_SCOPES,
  group: GROUP,
  type: 'number',
  doc: 'Concurrent connections per pod; further requests wait in HAProxy\'s queue (up to `timeout-queue`).',
  parse: (raw) => parseInteger(raw, 1, 1_000_000),
});

export const CHECK = defineKey<boolean>({
  name: 'check',
  scopes: BACKEND_SCOPES,
  group: GROUP,
  type: 'bool',
  defaultText: 'false, or true with check-http / check-interval',
  doc: 'Health-checks the pods (a TCP connect, or `check-http`); failing pods get no traffic. Off by default: Kubernetes readiness already takes failing pods out.',
  parse: parseBool,
});

function parseHttpCheck(raw: string): Parsed<HttpCheck> {
  const parts = raw.split(/\s+/);
  const [method, uri, version] = parts.length === 1 ? ['GET', parts[0], undefined] : parts;
  const versionOk = version === undefined || version === 'HTTP/1.0' || version === 'HTTP/1.1';
  if (parts.length > 3 || !/^[A-Z]{1,16}$/.test(method) || !URL_PATH.test(uri ?? '') || uri.length > 512 || !versionOk) {
    return refuse('is not "URI", "METHOD URI" or "METHOD URI HTTP/1.x" (URI starting with "/")');
  }
  return ok(version ? { method, uri, version: version as HttpCheck['version'] } : { method, uri });
}

export const CHECK_HTTP = defineKey<HttpCheck>({
  name: 'check-http',
  scopes: BACKEND_SCOPES,
  group: GROUP,
  type: '[METHOD] URI [HTTP/1.x]',
  doc: 'Health checks become HTTP requests to this URI; a 2xx or 3xx answer is healthy.',
  parse: parseHttpCheck,
});

export const CHECK_INTERVAL = defineKey<number>({
  name: 'check-interval',
  scopes: BACKEND_SCOPES,
  group: GROUP,
  type: 'time',
  defaultText: '2s',
  doc: 'Time between two health checks of a pod.',
  parse: (raw) => parseTime(raw, 10),
});

export const COOKIE_PERSISTENCE = defineKey<string>({
  name: 'cookie-persistence',
  scopes: BACKEND_SCOPES,
  group: GROUP,
  type: 'cookie name',
  doc: 'Sticky sessions: a cookie of this name pins a client to its pod (the same on every controller replica).',
  parse: (raw) => (NAME.test(raw) ? ok(raw) : refuse('is not a cookie name (1-128 of A-Z a-z 0-9 _ . -)')),
});

const PROXY_VERSIONS: Record<string, ServerOptions['sendProxy']> = {
  proxy: 'v1',
  'proxy-v1': 'v1',
  'proxy-v2': 'v2',
  'proxy-v2-ssl': 'v2-ssl',
  'proxy-v2-ssl-cn': 'v2-ssl-cn',
};

export const SEND_PROXY_PROTOCOL = defineKey<NonNullable<ServerOptions['sendProxy']>>({
  name: 'send-proxy-protocol',
  scopes: BACKEND_SCOPES,
  group: GROUP,
  type: 'proxy, proxy-v1, proxy-v2, proxy-v2-ssl, proxy-v2-ssl-cn',
  doc: 'Speaks the PROXY protocol to the pods, so they see the client address.',
  parse: (raw) => {
    const version = Object.hasOwn(PROXY_VERSIONS, raw) ? PROXY_VERSIONS[raw] : undefined;
    return version ? ok(version) : refuse(`is not one of ${Object.keys(PROXY_VERSIONS).join(', ')}`);
  },
});

function timeoutKey(name: string, fallback: number, doc: string) {
  return defineKey<number>({
    name,
    scopes: BACKEND_SCOPES,
    group: GROUP,
    type: 'time',
    fallback,
    defaultText: `${fallback / 1000}s`,
    doc: `${doc} On the ConfigMap it is the default of every backend.`,
    parse: (raw) => parseTime(raw),
  });
}

export const TIMEOUT_SERVER = timeoutKey('timeout-server', DEFAULT_TIMEOUTS.server, 'Longest a pod may stay silent while it owes an answer.');
export const TIMEOUT_CONNECT = timeoutKey('timeout-connect', DEFAULT_TIMEOUTS.connect, 'Longest a connection to a pod may take.');
export const TIMEOUT_QUEUE = timeoutKey('timeout-queue', DEFAULT_TIMEOUTS.queue, 'Longest a request may wait in the queue (see `pod-maxconn`); then 503.');

export const RETRIES = defineKey<number>({
  name: 'retries',
  scopes: BACKEND_SCOPES,
  group: GROUP,
  type: 'number',
  defaultText: '3',
  doc: 'How many times a failed request is retried (see `retry-on`).',
  parse: (raw) => parseInteger(raw, 0, 100),
});

const RETRY_ON = new Set([
  'none', 'conn-failure', 'empty-response', 'junk-response', 'response-timeout', '0rtt-rejected', 'all-retryable-errors',
  '401', '403', '404', '408', '425', '500', '501', '502', '503', '504',
]);

export const RETRY_ON_KEY = defineKey<string[]>({
  name: 'retry-on',
  scopes: BACKEND_SCOPES,
  group: GROUP,
  type: 'keywords',
  defaultText: 'conn-failure',
  doc: 'When a request is retried (L7 retries): conn-failure, empty-response, junk-response, response-timeout, 0rtt-rejected, all-retryable-errors, none, or statuses 401 403 404 408 425 500-504.',
  parse(raw) {
    const words = raw.split(/[\s,]+/).filter((w) => w !== '');
    const bad = words.find((w) => !RETRY_ON.has(w));
    if (words.length === 0 || bad !== undefined) return refuse(`is not a list of ${[...RETRY_ON].join(', ')}`);
    return ok([...new Set(words)]);
  },
});

/** Every key of this group, in docs order. */
export const BACKEND_KEYS = [
  LOAD_BALANCE,
  POD_MAXCONN,
  TIMEOUT_QUEUE,
  CHECK,
  CHECK_HTTP,
  CHECK_INTERVAL,
  COOKIE_PERSISTENCE,
  SEND_PROXY_PROTOCOL,
  TIMEOUT_SERVER,
  TIMEOUT_CONNECT,
  RETRIES,
  RETRY_ON_KEY,
];
