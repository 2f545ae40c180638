import type { Cors, HeaderSetting } from '../../model/types.js';
import { regexProblem } from './regex.js';
import { defineKey, ok, refuse, type Parsed } from './types.js';
import { NAME, isHostName, lines, parseBool, parseTime } from './values.js';

const GROUP = 'Headers and CORS';
const ROUTE_SCOPES = ['ingress', 'configmap'] as const;
const MAX_HEADERS = 32;
const MAX_VALUE = 1024;

/** Headers that frame the message or the connection: setting them would desynchronise HAProxy and the peer. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-connection']);

/** One `Name value` line, checked as every header value the renderer writes must be. */
export function parseHeaderLine(line: string): Parsed<HeaderSetting> {
  const match = /^(\S+)\s+(.*)$/.exec(line);
  if (!match) return refuse(`has a line ${JSON.stringify(line.slice(0, 80))} that is not "Name value"`);
  const [, name, rest] = match;
  if (!NAME.test(name)) return refuse(`has a header name ${JSON.stringify(name.slice(0, 80))} that is not 1-128 of A-Z a-z 0-9 _ . -`);
  if (FRAMING.has(name.toLowerCase())) return refuse(`sets "${name}", which frames the message and cannot be set`);
  // A value in double quotes is the text between them, as the HAProxy controller documents it.
  const value = rest.length >= 2 && rest.startsWith('"') && rest.endsWith('"') ? rest.slice(1, -1) : rest;
  if (value.length > MAX_VALUE) return refuse(`has a value for "${name}" longer than ${MAX_VALUE} characters`);
  // Printable ASCII only: HTTP gives other bytes no portable meaning, and controls could end the line.
  if (!/^[\x20-\x7e]+$/.test(value)) return refuse(`has a value for "${name}" that is empty or not printable ASCII`);
  return ok({ name, value });
}

function parseHeaders(raw: string): Parsed<HeaderSetting[]> {
  const all = lines(raw);
  if (all.length === 0) return refuse('is empty');
  if (all.length > MAX_HEADERS) return refuse(`has more than ${MAX_HEADERS} lines`);
  const headers: HeaderSetting[] = [];
  for (const line of all) {
    const header = parseHeaderLine(line);
    if (!header.ok) return header;
    headers.push(header.value);
  }
  return ok(headers);
}

export const REQUEST_SET_HEADER = defineKey<HeaderSetting[]>({
  name: 'request-set-header',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: '"Name value", one per line',
  doc: 'Sets request headers (replacing any the client sent) before the request reaches the Service. The value is literal text.',
  parse: parseHeaders,
});

export const RESPONSE_SET_HEADER = defineKey<HeaderSetting[]>({
  name: 'response-set-header',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: '"Name value", one per line',
  doc: 'Sets response headers before the response reaches the client. The value is literal text.',
  parse: parseHeaders,
});

export const FORWARDED_FOR = defineKey<boolean>({
  name: 'forwarded-for',
  scopes: ['service', 'ingress', 'configmap'],
  group: GROUP,
  type: 'bool',
  fallback: true,
  defaultText: 'true',
  doc: 'Adds the client address in `X-Forwarded-For`.',
  parse: parseBool,
});

export const CORS_ENABLE = defineKey<boolean>({
  name: 'cors-enable',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'bool',
  fallback: false,
  defaultText: 'false',
  doc: 'Answers CORS preflight requests (204) and adds the CORS headers to responses.',
  parse: parseBool,
});

const ORIGIN = /^https?:\/\/([^/:]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/;

export const CORS_ALLOW_ORIGIN = defineKey<Cors['allowOrigin']>({
  name: 'cors-allow-origin',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: '"*", origins, or a regex',
  fallback: { any: true },
  defaultText: '*',
  doc: '`*`; or origins (`https://a.example.com`, comma-separated) echoed back when the request comes from one; or a regex (starting with `^`) the Origin must match.',
  parse(raw) {
    if (raw === '*') return ok({ any: true });
    if (raw.startsWith('^')) {
      const problem = regexProblem(raw);
      return problem ? refuse(`is a regex that ${problem}`) : ok({ regex: raw });
    }
    const origins = raw.split(/[\s,]+/).filter((o) => o !== '').map((o) => o.toLowerCase());
    const bad = origins.find((o) => !ORIGIN.test(o) || !isHostName(ORIGIN.exec(o)![1]));
    if (bad !== undefined || origins.length === 0 || origins.length > 64) {
      return refuse('is not "*", a list of origins ("https://host[:port]", at most 64) or a regex starting with "^"');
    }
    return ok({ origins: [...new Set(origins)] });
  },
});

/** `*`, or a comma-separated list of items matching `item`, normalised to "A, B". */
function parseList(raw: string, item: RegExp, what: string, upper: boolean): Parsed<string> {
  if (raw === '*') return ok('*');
  const items = raw.split(',').map((i) => i.trim()).filter((i) => i !== '');
  if (items.length === 0 || items.length > 64 || !items.every((i) => item.test(i))) return refuse(`is not "*" or a comma-separated list of ${what}`);
  return ok(items.map((i) => (upper ? i.toUpperCase() : i)).join(', '));
}

export const CORS_ALLOW_METHODS = defineKey<string>({
  name: 'cors-allow-methods',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: '"*" or methods',
  fallback: '*',
  defaultText: '*',
  doc: '`Access-Control-Allow-Methods`.',
  parse: (raw) => parseList(raw, /^[A-Za-z]{1,32}$/, 'HTTP methods', true),
});

export const CORS_ALLOW_HEADERS = defineKey<string>({
  name: 'cors-allow-headers',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: '"*" or header names',
  fallback: '*',
  defaultText: '*',
  doc: '`Access-Control-Allow-Headers`.',
  parse: (raw) => parseList(raw, NAME, 'header names', false),
});

export const CORS_ALLOW_CREDENTIALS = defineKey<boolean>({
  name: 'cors-allow-credentials',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'bool',
  fallback: false,
  defaultText: 'false',
  doc: 'Sends `Access-Control-Allow-Credentials: true`.',
  parse: parseBool,
});

export const CORS_MAX_AGE = defineKey<number>({
  name: 'cors-max-age',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'time',
  fallback: 5,
  defaultText: '5s',
  doc: '`Access-Control-Max-Age`: how long browsers may cache a preflight answer (whole seconds).',
  parse(raw) {
    const time = parseTime(raw, 0);
    return time.ok ? ok(Math.floor(time.value / 1000)) : time;
  },
});

/** Every key of this group, in docs order. */
export const HEADER_KEYS = [
  REQUEST_SET_HEADER,
  RESPONSE_SET_HEADER,
  FORWARDED_FOR,
  CORS_ENABLE,
  CORS_ALLOW_ORIGIN,
  CORS_ALLOW_METHODS,
  CORS_ALLOW_HEADERS,
  CORS_ALLOW_CREDENTIALS,
  CORS_MAX_AGE,
];
