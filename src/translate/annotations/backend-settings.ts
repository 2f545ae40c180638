import { createHash } from 'node:crypto';
import type { Backend, BackendPolicy, Mutable, BackendTimeouts, Retries, ServerOptions } from '../../model/types.js';
import type { Diagnostics } from '../diagnostics.js';
import { ALLOW_LIST, AUTH_REALM, AUTH_SECRET, AUTH_TYPE, DENY_LIST } from './access.js';
import {
  CHECK, CHECK_HTTP, CHECK_INTERVAL, COOKIE_PERSISTENCE, LOAD_BALANCE, POD_MAXCONN, RETRIES, RETRY_ON_KEY, SEND_PROXY_PROTOCOL,
  TIMEOUT_CONNECT, TIMEOUT_QUEUE, TIMEOUT_SERVER,
} from './backend.js';
import { SERVER_CA, SERVER_CRT, SERVER_PROTO, SERVER_SSL } from './backend-tls.js';
import {
  CORS_ALLOW_CREDENTIALS, CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_ALLOW_ORIGIN, CORS_ENABLE, CORS_MAX_AGE, FORWARDED_FOR,
  REQUEST_SET_HEADER, RESPONSE_SET_HEADER,
} from './headers.js';
import { RATE_LIMIT_PERIOD, RATE_LIMIT_REQUESTS, RATE_LIMIT_SIZE, RATE_LIMIT_STATUS_CODE, RATE_LIMIT_WHITELIST } from './rate-limit.js';
import type { ObjectSettings, Resolved, SettingsResolver } from './resolve.js';
import { PATH_REWRITE, REQUEST_REDIRECT, REQUEST_REDIRECT_CODE, SET_HOST } from './routing.js';
import { BACKEND_CONFIG_SNIPPET } from './snippets.js';
import type { AnnotationDef } from './types.js';
import { affinityCookie, hashBalance } from './canary/affinity.js';

/** Everything about a backend that annotations and the ConfigMap decide (all but name, servers, source). */
export type BackendSettings = Pick<Backend, 'balance' | 'policy' | 'server' | 'timeouts' | 'retries' | 'cookie' | 'snippet'>;

type Lookup = <T>(def: AnnotationDef<T>) => Resolved<T> | undefined;
type Value = <T>(def: AnnotationDef<T>) => T | undefined;

/**
 * The settings of a backend used under `levels` (strongest first: the Service, then the Ingress
 * whose routes use it; the ConfigMap and defaults come last). Fields are present only when they
 * differ from what a backend without annotations gets, so unannotated backends stay as they were.
 * `base` is the plain backend's name: the cookie key every variant of one Service port shares.
 */
export function backendSettings(
  resolver: SettingsResolver,
  levels: readonly (ObjectSettings | undefined)[],
  base: string,
  diags: Diagnostics,
): BackendSettings {
  const lookup: Lookup = (def) => resolver.resolve(def, levels);
  const value: Value = (def) => lookup(def)?.value;
  const settings: Mutable<BackendSettings> = { balance: hashBalance(value) ?? value(LOAD_BALANCE) ?? 'roundrobin' };
  const policy = backendPolicy(lookup, value, diags);
  const server = serverOptions(value);
  const timeouts = backendTimeouts(lookup);
  const retries: Retries = { ...optional('count', value(RETRIES)), ...optional('on', value(RETRY_ON_KEY)) };
  const cookie = value(COOKIE_PERSISTENCE);
  const snippet = lookup(BACKEND_CONFIG_SNIPPET);
  if (policy) settings.policy = policy;
  if (server) settings.server = server;
  if (timeouts) settings.timeouts = timeouts;
  if (Object.keys(retries).length > 0) settings.retries = retries;
  if (cookie) settings.cookie = { name: cookie, dynamicKey: base };
  const affinity = cookie ? undefined : affinityCookie(value, base);
  if (affinity) settings.cookie = affinity;
  if (snippet?.from) settings.snippet = { lines: snippet.value, source: snippet.from.ref };
  return settings;
}

function optional<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

function backendPolicy(lookup: Lookup, value: Value, diags: Diagnostics): BackendPolicy | undefined {
  const policy: Mutable<BackendPolicy> = {
    ...optional('deny', value(DENY_LIST)),
    ...optional('allow', value(ALLOW_LIST)),
  };
  const requests = value(RATE_LIMIT_REQUESTS);
  if (requests !== undefined) {
    policy.rateLimit = {
      requests,
      periodMs: value(RATE_LIMIT_PERIOD)!,
      statusCode: value(RATE_LIMIT_STATUS_CODE)!,
      size: value(RATE_LIMIT_SIZE)!,
      exempt: value(RATE_LIMIT_WHITELIST) ?? [],
    };
  }
  if (value(CORS_ENABLE)) {
    policy.cors = {
      allowOrigin: value(CORS_ALLOW_ORIGIN)!,
      allowMethods: value(CORS_ALLOW_METHODS)!,
      allowHeaders: value(CORS_ALLOW_HEADERS)!,
      allowCredentials: value(CORS_ALLOW_CREDENTIALS)!,
      maxAgeSeconds: value(CORS_MAX_AGE)!,
    };
  }
  const auth = lookup(AUTH_TYPE);
  if (auth?.from) {
    const secret = value(AUTH_SECRET);
    if (!secret) {
      diags.error('PCL_ANNOTATION_SECRET_INVALID', auth.from.ref, 'auth-type "basic-auth" has no usable auth-secret; every request gets 401');
    }
    policy.auth = { realm: value(AUTH_REALM)!, users: secret?.users ?? [], source: secret?.source ?? auth.from.ref };
  }
  const redirect = value(REQUEST_REDIRECT);
  if (redirect) policy.redirect = { ...redirect, code: value(REQUEST_REDIRECT_CODE)! };
  Object.assign(
    policy,
    optional('pathRewrites', value(PATH_REWRITE)),
    optional('setHost', value(SET_HOST)),
    optional('requestHeaders', value(REQUEST_SET_HEADER)),
    optional('responseHeaders', value(RESPONSE_SET_HEADER)),
  );
  if (value(FORWARDED_FOR) === false) policy.forwardedFor = false;
  return Object.keys(policy).length > 0 ? policy : undefined;
}

function serverOptions(value: Value): ServerOptions | undefined {
  const ca = value(SERVER_CA);
  const crt = value(SERVER_CRT);
  const ssl = value(SERVER_SSL) || ca !== undefined || crt !== undefined;
  const checkHttp = value(CHECK_HTTP);
  const checkInterval = value(CHECK_INTERVAL);
  const server: ServerOptions = {
    ...optional('maxconn', value(POD_MAXCONN)),
    // Asking for an HTTP check or an interval asks for checks, unless `check` says otherwise.
    check: value(CHECK) ?? (checkHttp !== undefined || checkInterval !== undefined),
    ...optional('checkIntervalMs', checkInterval),
    ...optional('checkHttp', checkHttp),
    ...optional('sendProxy', value(SEND_PROXY_PROTOCOL)),
    ...(ssl ? { ssl: { ...optional('ca', ca), ...optional('crt', crt) } } : {}),
    ...optional('proto', value(SERVER_PROTO)),
  };
  const isDefault = !server.check && Object.keys(server).length === 1;
  return isDefault ? undefined : server;
}

/** Only timeouts set on the Service or Ingress: the ConfigMap's are the global defaults already. */
function backendTimeouts(lookup: Lookup): BackendTimeouts | undefined {
  const own = (def: AnnotationDef<number>) => {
    const found = lookup(def);
    return found?.from && found.from.scope !== 'configmap' ? found.value : undefined;
  };
  const timeouts: BackendTimeouts = {
    ...optional('server', own(TIMEOUT_SERVER)),
    ...optional('connect', own(TIMEOUT_CONNECT)),
    ...optional('queue', own(TIMEOUT_QUEUE)),
  };
  return Object.keys(timeouts).length > 0 ? timeouts : undefined;
}

/**
 * A canonical text of settings, to compare them and to name a variant. PEM content is replaced by
 * its digest: the name must change when a certificate does, without hashing kilobytes each time.
 */
export function settingsKey(settings: BackendSettings): string {
  return JSON.stringify(settings, (key, value: unknown) =>
    key === 'pem' && typeof value === 'string' ? createHash('sha256').update(value).digest('hex') : value,
  );
}
