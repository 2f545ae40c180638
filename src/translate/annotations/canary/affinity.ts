/**
 * Session affinity and hashing with ingress-nginx's keys: `affinity: cookie` and its
 * `session-cookie-*` attributes become HAProxy cookie persistence (a dynamic cookie, the same on
 * every replica); `upstream-hash-by` becomes consistent hashing on the request parts it names.
 */
import type { Balance, CookiePersistence, HashPart } from '../../../model/types.js';
import { defineKey, ok, refuse, type AnnotationDef, type Parsed } from '../types.js';
import { NAME, parseBool, parseInteger } from '../values.js';

const GROUP = 'Session affinity';
const SCOPES = ['service', 'ingress', 'configmap'] as const;

export const AFFINITY = defineKey<'cookie'>({
  name: 'affinity',
  scopes: SCOPES,
  group: GROUP,
  type: 'cookie',
  doc: 'Sticky sessions through a cookie HAProxy inserts (`cookie` is the only kind); `cookie-persistence` wins when both are set.',
  parse: (raw) => (raw === 'cookie' ? ok('cookie') : refuse('is not "cookie" (the only affinity type)')),
});

export const AFFINITY_MODE = defineKey<'balanced' | 'persistent'>({
  name: 'affinity-mode',
  scopes: SCOPES,
  group: GROUP,
  type: 'balanced, persistent',
  defaultText: 'balanced',
  doc: 'Accepted for ingress-nginx manifests; both behave as `persistent`: a client keeps its pod while the pod is ready, also when pods are added.',
  parse: (raw) => (raw === 'balanced' || raw === 'persistent' ? ok(raw) : refuse('is not "balanced" or "persistent"')),
});

export const SESSION_COOKIE_NAME = defineKey<string>({
  name: 'session-cookie-name',
  scopes: SCOPES,
  group: GROUP,
  type: 'cookie name',
  fallback: 'INGRESSCOOKIE',
  defaultText: 'INGRESSCOOKIE',
  doc: 'Name of the affinity cookie.',
  parse: (raw) => (NAME.test(raw) ? ok(raw) : refuse('is not a cookie name (1-128 of A-Z a-z 0-9 _ . -)')),
});

/** A URL path without the `;` and `,` that would end a cookie attribute. */
const COOKIE_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+=:@/%]{0,1023}$/;

export const SESSION_COOKIE_PATH = defineKey<string>({
  name: 'session-cookie-path',
  scopes: SCOPES,
  group: GROUP,
  type: 'path',
  defaultText: '/',
  doc: 'Path attribute of the affinity cookie.',
  parse: (raw) => (COOKIE_PATH.test(raw) ? ok(raw) : refuse('is not a URL path starting with "/" (without ";" or ",")')),
});

const SECONDS_MAX = 2_147_483_647;

export const SESSION_COOKIE_MAX_AGE = defineKey<number>({
  name: 'session-cookie-max-age',
  scopes: SCOPES,
  group: GROUP,
  type: 'seconds',
  doc: 'Max-Age attribute of the affinity cookie; absent, it lasts the browser session.',
  parse: (raw) => parseInteger(raw, 1, SECONDS_MAX),
});

export const SESSION_COOKIE_EXPIRES = defineKey<number>({
  name: 'session-cookie-expires',
  scopes: SCOPES,
  group: GROUP,
  type: 'seconds',
  doc: 'Lifetime of the affinity cookie, sent as Max-Age (the same for browsers as an Expires date) when `session-cookie-max-age` is not set.',
  parse: (raw) => parseInteger(raw, 1, SECONDS_MAX),
});

const SAME_SITE = { strict: 'Strict', lax: 'Lax', none: 'None' } as const;

export const SESSION_COOKIE_SAMESITE = defineKey<CookiePersistence['sameSite'] & string>({
  name: 'session-cookie-samesite',
  scopes: SCOPES,
  group: GROUP,
  type: 'Strict, Lax, None',
  doc: 'SameSite attribute of the affinity cookie.',
  parse(raw) {
    const key = raw.toLowerCase();
    return Object.hasOwn(SAME_SITE, key) ? ok(SAME_SITE[key as keyof typeof SAME_SITE]) : refuse('is not Strict, Lax or None');
  },
});

export const SESSION_COOKIE_SECURE = defineKey<boolean>({
  name: 'session-cookie-secure',
  scopes: SCOPES,
  group: GROUP,
  type: 'bool',
  defaultText: 'false',
  doc: 'Secure attribute of the affinity cookie.',
  parse: parseBool,
});

/** nginx variables `upstream-hash-by` may name, and the request part each stands for. */
const SIMPLE_VARIABLES: Record<string, HashPart> = {
  request_uri: 'pathq',
  uri: 'path',
  document_uri: 'path',
  remote_addr: 'src',
  binary_remote_addr: 'src',
  host: 'host',
};

function variablePart(variable: string): HashPart | undefined {
  if (Object.hasOwn(SIMPLE_VARIABLES, variable)) return SIMPLE_VARIABLES[variable];
  const named = /^(http|arg|cookie)_([A-Za-z0-9_]{1,120})$/.exec(variable);
  if (!named) return undefined;
  const [, kind, name] = named;
  // nginx names headers with '_' for '-'; HAProxy compares header names case-insensitively.
  if (kind === 'http') return name === 'host' ? 'host' : { header: name.replace(/_/g, '-') };
  return kind === 'arg' ? { param: name } : { cookie: name };
}

function parseHashBy(raw: string): Parsed<HashPart[]> {
  const variables = /^(?:\$\{?[A-Za-z0-9_]+\}?)+$/.test(raw) ? raw.split('$').slice(1).map((v) => v.replace(/^\{|\}$/g, '')) : undefined;
  if (!variables || variables.length > 8) return refuse('is not one to eight nginx variables such as $request_uri, $remote_addr, $http_x_user or $arg_id');
  const parts: HashPart[] = [];
  for (const variable of variables) {
    const part = variablePart(variable);
    if (!part) return refuse(`names $${variable}; supported: $request_uri, $uri, $remote_addr, $host, $http_NAME, $arg_NAME, $cookie_NAME`);
    parts.push(part);
  }
  return ok(parts);
}

export const UPSTREAM_HASH_BY = defineKey<HashPart[]>({
  name: 'upstream-hash-by',
  scopes: SCOPES,
  group: GROUP,
  type: 'nginx variables',
  doc: 'Consistent hashing on the request parts named, in order: $request_uri (path and query), $uri, $remote_addr, $host, $http_NAME, $arg_NAME, $cookie_NAME. Wins over `load-balance`.',
  parse: parseHashBy,
});

/** Every key of this group, in docs order. */
export const AFFINITY_KEYS = [
  AFFINITY,
  AFFINITY_MODE,
  SESSION_COOKIE_NAME,
  SESSION_COOKIE_PATH,
  SESSION_COOKIE_MAX_AGE,
  SESSION_COOKIE_EXPIRES,
  SESSION_COOKIE_SAMESITE,
  SESSION_COOKIE_SECURE,
  UPSTREAM_HASH_BY,
];

type Value = <T>(def: AnnotationDef<T>) => T | undefined;

/** `upstream-hash-by` as a balance; undefined when it is not set. */
export function hashBalance(value: Value): Balance | undefined {
  const parts = value(UPSTREAM_HASH_BY);
  return parts ? { hash: parts } : undefined;
}

/** The cookie `affinity: cookie` asks for, with the attributes ingress-nginx gives it (HttpOnly; HAProxy writes path=/). */
export function affinityCookie(value: Value, dynamicKey: string): CookiePersistence | undefined {
  if (value(AFFINITY) !== 'cookie') return undefined;
  const sameSite = value(SESSION_COOKIE_SAMESITE);
  const maxAge = value(SESSION_COOKIE_MAX_AGE) ?? value(SESSION_COOKIE_EXPIRES);
  const path = value(SESSION_COOKIE_PATH);
  return {
    name: value(SESSION_COOKIE_NAME)!,
    dynamicKey,
    ...(path !== undefined ? { path } : {}),
    ...(maxAge !== undefined ? { maxAgeSeconds: maxAge } : {}),
    ...(sameSite !== undefined ? { sameSite } : {}),
    ...(value(SESSION_COOKIE_SECURE) ? { secure: true as const } : {}),
    httpOnly: true,
  };
}
