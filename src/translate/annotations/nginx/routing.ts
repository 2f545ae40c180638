import type { RequestRedirect } from '../../../model/types.js';
import { PATH_REWRITE, REQUEST_REDIRECT, REQUEST_REDIRECT_CODE, SET_HOST, SSL_REDIRECT, SSL_REDIRECT_CODE } from '../routing.js';
import { parseHeaderLine, REQUEST_SET_HEADER } from '../headers.js';
import { ok, refuse, type Parsed } from '../types.js';
import { URL_PATH, parseBool, parseHostPort, parseInteger } from '../values.js';
import type { ObjectSettings } from '../resolve.js';
import { rewriteRules } from './paths.js';
import { defineNginxKey, feed } from './types.js';

const GROUP = 'ingress-nginx: routing and redirects';
/** ingress-nginx's `http-redirect-code` default, the code of its HTTPS redirects. */
const NGINX_HTTPS_REDIRECT_CODE = 308;

export const NGINX_SSL_REDIRECT = defineNginxKey<boolean>({
  name: 'ssl-redirect',
  group: GROUP,
  type: 'bool',
  defaultText: 'true',
  doc: '"false" turns the HTTPS redirect off for this Ingress (`haproxy.org/ssl-redirect: "false"`); "true" is the default: hosts with a certificate are redirected, with 308.',
  nginx: 'Redirects HTTP to HTTPS (308) when the Ingress has TLS for the host; on by default.',
  served: { as: 'same' },
  parse: parseBool,
  feeds: [
    feed<boolean>(SSL_REDIRECT, (v) => (v ? undefined : false)),
    feed<boolean>(SSL_REDIRECT_CODE, () => NGINX_HTTPS_REDIRECT_CODE, true),
  ],
});

export const NGINX_FORCE_SSL_REDIRECT = defineNginxKey<boolean>({
  name: 'force-ssl-redirect',
  group: GROUP,
  type: 'bool',
  defaultText: 'false',
  doc: '"true" redirects every host of the Ingress to HTTPS with 308, with or without a certificate (`haproxy.org/ssl-redirect: "true"`).',
  nginx: 'Redirects HTTP to HTTPS (308) even when the Ingress has no TLS section.',
  served: { as: 'same' },
  parse: parseBool,
  feeds: [
    feed<boolean>(SSL_REDIRECT, (v) => (v ? true : undefined)),
    feed<boolean>(SSL_REDIRECT_CODE, (v) => (v ? NGINX_HTTPS_REDIRECT_CODE : undefined), true),
  ],
});

/** An absolute http(s) URL, as a redirect of ours: scheme, host, port and the path (`/` when it has none). */
export function parseRedirectUrl(raw: string): Parsed<Omit<RequestRedirect, 'code'>> {
  const match = /^(https?):\/\/([^/?#]+)(\/[^#]*)?$/i.exec(raw);
  if (!match) return refuse('is not an absolute http:// or https:// URL');
  const hostPort = parseHostPort(match[2]);
  if (!hostPort.ok) return refuse(`is not an absolute URL: its host ${hostPort.reason}`);
  const path = match[3] ?? '/';
  if (!URL_PATH.test(path) || path.length > 512) return refuse('has a path with characters that are not valid in a URL');
  const scheme = match[1].toLowerCase() as 'http' | 'https';
  return ok({ scheme, ...hostPort.value, path: { kind: 'set', path } });
}

const REDIRECT_DIFFERENCE = 'the request\'s query string is appended to the Location (ingress-nginx sends the URL exactly as written)';

export const NGINX_PERMANENT_REDIRECT = defineNginxKey<Omit<RequestRedirect, 'code'>>({
  name: 'permanent-redirect',
  group: GROUP,
  type: 'absolute URL',
  doc: 'Every request of the Ingress is redirected to this URL, with 301 (or `permanent-redirect-code`).',
  nginx: 'Answers every request with 301 (or permanent-redirect-code) and Location set to the URL.',
  served: { as: 'different', difference: REDIRECT_DIFFERENCE },
  parse: parseRedirectUrl,
  feeds: [feed(REQUEST_REDIRECT, (v) => v), feed(REQUEST_REDIRECT_CODE, () => 301, true)],
});

const REDIRECT_CODES = [300, 301, 302, 303, 304, 305, 307, 308];

export const NGINX_PERMANENT_REDIRECT_CODE = defineNginxKey<number>({
  name: 'permanent-redirect-code',
  group: GROUP,
  type: '301, 302, 303, 307 or 308',
  defaultText: '301',
  doc: 'Status of `permanent-redirect`.',
  nginx: 'Status of permanent-redirect (300-308); default 301.',
  served: { as: 'different', difference: 'only 301, 302, 303, 307 and 308 are redirects HAProxy sends; 300, 304 and 305 are refused' },
  parse(raw) {
    const code = parseInteger(raw, 300, 308);
    if (!code.ok || !REDIRECT_CODES.includes(code.value)) return refuse('is not a redirect status (301, 302, 303, 307 or 308)');
    return [301, 302, 303, 307, 308].includes(code.value) ? code : refuse('is not a status HAProxy redirects with (301, 302, 303, 307 or 308)');
  },
  feeds: [feed<number>(REQUEST_REDIRECT_CODE, (v, c) => (c.get(NGINX_PERMANENT_REDIRECT) ? v : undefined))],
});

export const NGINX_TEMPORAL_REDIRECT = defineNginxKey<Omit<RequestRedirect, 'code'>>({
  name: 'temporal-redirect',
  group: GROUP,
  type: 'absolute URL',
  doc: 'Every request of the Ingress is redirected to this URL with 302; `permanent-redirect` wins when both are set.',
  nginx: 'Answers every request with 302 and Location set to the URL; permanent-redirect wins.',
  served: { as: 'different', difference: REDIRECT_DIFFERENCE },
  parse: parseRedirectUrl,
  feeds: [
    feed(REQUEST_REDIRECT, (v, c) => (c.get(NGINX_PERMANENT_REDIRECT) ? undefined : v)),
    feed(REQUEST_REDIRECT_CODE, (_v, c) => (c.get(NGINX_PERMANENT_REDIRECT) ? undefined : 302)),
  ],
});

export const NGINX_UPSTREAM_VHOST = defineNginxKey<string>({
  name: 'upstream-vhost',
  group: GROUP,
  type: 'host[:port]',
  doc: 'Host header sent to the Service (`haproxy.org/set-host`).',
  nginx: 'Sets the Host header of the proxied request.',
  served: { as: 'same' },
  parse(raw) {
    const parsed = parseHostPort(raw);
    return parsed.ok ? ok(parsed.value.port === undefined ? parsed.value.host : `${parsed.value.host}:${parsed.value.port}`) : parsed;
  },
  feeds: [feed<string>(SET_HOST, (v) => v)],
});

export const NGINX_X_FORWARDED_PREFIX = defineNginxKey<string>({
  name: 'x-forwarded-prefix',
  group: GROUP,
  type: 'string',
  doc: 'Sets `X-Forwarded-Prefix` on requests to the Service (`haproxy.org/request-set-header`).',
  nginx: 'Adds the X-Forwarded-Prefix header with this value to the proxied request.',
  served: { as: 'same' },
  // Checked as a request header value, since that is what it becomes.
  parse(raw) {
    const header = parseHeaderLine(`X-Forwarded-Prefix ${raw}`);
    return header.ok ? ok(header.value.value) : header;
  },
  feeds: [feed<string>(REQUEST_SET_HEADER, (v) => [{ name: 'X-Forwarded-Prefix', value: v }])],
});

export const NGINX_USE_REGEX = defineNginxKey<boolean>({
  name: 'use-regex',
  group: GROUP,
  type: 'bool',
  defaultText: 'false',
  doc: '"true" makes every Prefix and ImplementationSpecific path of the Ingress\'s hosts (on every Ingress of those hosts) a case-insensitive regular expression anchored at the start only; Exact paths stay exact.',
  nginx: 'Paths of the host become `location ~* "^path"`: case-insensitive regexes anchored at the start, for every Ingress of the host.',
  served: { as: 'different', difference: 'regex paths of one host are tried longest first, as ingress-nginx orders them; the expression is the subset of PCRE that JavaScript reads the same way (no lookbehind, no possessive quantifiers)' },
  parse: parseBool,
  feeds: [],
});

export const NGINX_REWRITE_TARGET = defineNginxKey<string>({
  name: 'rewrite-target',
  group: GROUP,
  type: 'path with $1..$9',
  doc: 'Rewrites the path of each request matched by a path of this Ingress into the target, `$1`..`$9` being the path\'s capture groups; the query string is kept. Turns `use-regex` on for the hosts of the Ingress.',
  nginx: '`rewrite "(?i)path" target break;` in each location, and use-regex for the host.',
  served: { as: 'different', difference: 'when one Ingress has several paths to the same Service, each rewritten path is also tried against the later paths\' expressions' },
  parse(raw) {
    if (!URL_PATH.test(raw.replace(/\$[1-9]/g, '')) || raw.length > 512) return refuse('is not a path starting with "/" (URL characters and $1..$9)');
    return ok(raw);
  },
  feeds: [feed<string>(PATH_REWRITE, (v, c) => rewriteRules(v, c))],
});

/** Every key of this group, in docs order. */
export const NGINX_ROUTING_KEYS = [
  NGINX_SSL_REDIRECT, NGINX_FORCE_SSL_REDIRECT, NGINX_PERMANENT_REDIRECT, NGINX_PERMANENT_REDIRECT_CODE, NGINX_TEMPORAL_REDIRECT,
  NGINX_UPSTREAM_VHOST, NGINX_X_FORWARDED_PREFIX, NGINX_USE_REGEX, NGINX_REWRITE_TARGET,
];

/** True when the Ingress makes the paths of its hosts regexes (`use-regex`, or `rewrite-target`). */
export function isRegexIngress(settings: Pick<ObjectSettings, 'get'>): boolean {
  return settings.get(NGINX_USE_REGEX)?.value === true || settings.get(NGINX_REWRITE_TARGET) !== undefined;
}
