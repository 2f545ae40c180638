import type { HttpsRedirect, PathRewrite, RequestRedirect } from '../../model/types.js';
import { regexProblem } from './regex.js';
import { defineKey, ok, refuse, type Parsed } from './types.js';
import { URL_PATH, lines, parseBool, parseHostPort, parseInteger } from './values.js';

const GROUP = 'Routing and rewriting';
const ROUTE_SCOPES = ['ingress', 'configmap'] as const;
/**
 * Keys the HAProxy Technologies controller also read from the Service (v1.4.3 to v1.4.8, which the
 * blog posts of that time use): they apply to the routes that reach that Service.
 */
const SERVICE_ROUTE_SCOPES = ['service', 'ingress', 'configmap'] as const;
const REDIRECT_CODES = [301, 302, 303, 307, 308] as const;
const MAX_REWRITES = 16;

function parseRedirectCode(raw: string): Parsed<HttpsRedirect['code']> {
  const code = REDIRECT_CODES.find((c) => String(c) === raw);
  return code ? ok(code) : refuse(`is not one of ${REDIRECT_CODES.join(', ')}`);
}

/** A replacement may hold `\1`..`\9` (regex groups) and URL characters; nothing else reaches HAProxy. */
function replacementProblem(replace: string): string | undefined {
  const withoutGroups = replace.replace(/\\[0-9]/g, '');
  if (withoutGroups.includes('\\')) return 'uses "\\" other than for a group reference (\\1 to \\9)';
  if (!/^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/.test(withoutGroups)) return 'has characters that are not valid in a URL path';
  return replace.length > 512 ? 'is longer than 512 characters' : undefined;
}

function parseRewriteLine(line: string): Parsed<PathRewrite> {
  const parts = line.split(/\s+/);
  if (parts.length === 1) {
    return URL_PATH.test(line) && line.length <= 512 ? ok({ kind: 'set', path: line }) : refuse(`has a path "${line}" that is not a URL path starting with "/"`);
  }
  if (parts.length !== 2) return refuse('has a line that is neither "PATH" nor "REGEX REPLACEMENT"');
  const [match, replace] = parts;
  const regex = regexProblem(match);
  if (regex) return refuse(`has a regex that ${regex}`);
  const replacement = replacementProblem(replace);
  return replacement ? refuse(`has a replacement that ${replacement}`) : ok({ kind: 'regex', match, replace });
}

export const PATH_REWRITE = defineKey<PathRewrite[]>({
  name: 'path-rewrite',
  scopes: SERVICE_ROUTE_SCOPES,
  group: GROUP,
  type: '"PATH" or "REGEX REPLACEMENT", one per line',
  doc: 'Rewrites the request path before it reaches the Service: a bare path replaces it (the query is kept); a regex and a replacement (with `\\1`..`\\9`) apply to path and query. On a Service it applies to every route that reaches that Service.',
  parse(raw) {
    const rules: PathRewrite[] = [];
    const all = lines(raw);
    if (all.length > MAX_REWRITES) return refuse(`has more than ${MAX_REWRITES} lines`);
    for (const line of all) {
      const rule = parseRewriteLine(line);
      if (!rule.ok) return rule;
      rules.push(rule.value);
    }
    return rules.length > 0 ? ok(rules) : refuse('is empty');
  },
});

export const SET_HOST = defineKey<string>({
  name: 'set-host',
  scopes: SERVICE_ROUTE_SCOPES,
  group: GROUP,
  type: 'host[:port]',
  doc: 'Host header sent to the Service, after routing. On a Service it applies to every route that reaches that Service.',
  parse(raw) {
    const parsed = parseHostPort(raw);
    if (!parsed.ok) return parsed;
    const { host, port } = parsed.value;
    return ok(port === undefined ? host : `${host}:${port}`);
  },
});

export const REQUEST_REDIRECT = defineKey<Omit<RequestRedirect, 'code'>>({
  name: 'request-redirect',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'host[:port]',
  doc: 'Redirects every request to this host (and port), keeping the scheme, path and query.',
  parse: (raw) => parseHostPort(raw),
});

export const REQUEST_REDIRECT_CODE = defineKey<RequestRedirect['code']>({
  name: 'request-redirect-code',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: '301, 302, 303, 307 or 308',
  fallback: 302,
  defaultText: '302',
  doc: 'Status code of `request-redirect`.',
  parse: parseRedirectCode,
});

export const SSL_REDIRECT = defineKey<boolean>({
  name: 'ssl-redirect',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'bool',
  fallback: true,
  defaultText: 'true',
  doc: 'Redirects plain-HTTP requests to HTTPS. By default only hosts a certificate covers; "true" on an Ingress redirects all its hosts.',
  parse: parseBool,
});

export const SSL_REDIRECT_CODE = defineKey<HttpsRedirect['code']>({
  name: 'ssl-redirect-code',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: '301, 302, 303, 307 or 308',
  fallback: 302,
  defaultText: '302',
  doc: 'Status code of the HTTPS redirect.',
  parse: parseRedirectCode,
});

export const SSL_REDIRECT_PORT = defineKey<number>({
  name: 'ssl-redirect-port',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'port',
  defaultText: '--https-port',
  doc: 'Port written into the HTTPS redirect (the port clients see, when something in front maps ports).',
  parse: (raw) => parseInteger(raw, 1, 65535),
});

/** Every key of this group, in docs order. */
export const ROUTING_KEYS = [PATH_REWRITE, SET_HOST, REQUEST_REDIRECT, REQUEST_REDIRECT_CODE, SSL_REDIRECT, SSL_REDIRECT_CODE, SSL_REDIRECT_PORT];
