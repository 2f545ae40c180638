/**
 * Canary keys, with ingress-nginx's meaning: an Ingress marked `canary` shares host and path with a
 * main Ingress and adds no routes of its own; its backend becomes an alternative of the main route,
 * chosen by header, then cookie, then weight. Read as `nginx.ingress.kubernetes.io/canary-*` and
 * as `haproxy.org/canary-*` alike.
 */
import type { ValueCondition } from '../../../model/types.js';
import { regexProblem } from '../regex.js';
import { defineKey, ok, refuse } from '../types.js';
import { NAME, parseBool, parseInteger } from '../values.js';

const GROUP = 'Canary';
const INGRESS = ['ingress'] as const;

/** Header and cookie values are compared whole: printable ASCII, as a request can carry them. */
const VALUE = /^[\x20-\x7e]{1,256}$/;

export const CANARY = defineKey<boolean>({
  name: 'canary',
  scopes: INGRESS,
  group: GROUP,
  type: 'bool',
  defaultText: 'false',
  doc: 'This Ingress is the canary of the Ingress that routes the same host and path: it adds no routes, its backend gets the requests the other canary keys pick. Its other keys are ignored; the main Ingress\'s settings apply.',
  parse: parseBool,
});

export const CANARY_WEIGHT = defineKey<number>({
  name: 'canary-weight',
  scopes: INGRESS,
  group: GROUP,
  type: 'number',
  doc: 'Share of the requests (out of `canary-weight-total`) the canary gets when no header or cookie decided. Set it (0 is fine) from the start: a change of weight is then applied without a reload.',
  parse: (raw) => parseInteger(raw, 0, 1_000_000),
});

export const CANARY_WEIGHT_TOTAL = defineKey<number>({
  name: 'canary-weight-total',
  scopes: INGRESS,
  group: GROUP,
  type: 'number',
  fallback: 100,
  defaultText: '100',
  doc: 'What `canary-weight` is a share of.',
  parse: (raw) => parseInteger(raw, 1, 1_000_000),
});

export const CANARY_BY_HEADER = defineKey<string>({
  name: 'canary-by-header',
  scopes: INGRESS,
  group: GROUP,
  type: 'header name',
  doc: 'A request with this header set to `always` goes to the canary, `never` to the main backend; other values fall through to the cookie, then the weight.',
  parse: (raw) => (NAME.test(raw) ? ok(raw) : refuse('is not a header name (1-128 of A-Z a-z 0-9 _ . -)')),
});

export const CANARY_BY_HEADER_VALUE = defineKey<string>({
  name: 'canary-by-header-value',
  scopes: INGRESS,
  group: GROUP,
  type: 'text',
  doc: 'With `canary-by-header`: this value (instead of `always`) sends the request to the canary; any other value falls through.',
  parse: (raw) => (VALUE.test(raw) ? ok(raw) : refuse('is not 1-256 printable ASCII characters')),
});

export const CANARY_BY_HEADER_PATTERN = defineKey<string>({
  name: 'canary-by-header-pattern',
  scopes: INGRESS,
  group: GROUP,
  type: 'regex',
  doc: 'With `canary-by-header` and no `canary-by-header-value`: a header value this regular expression finds (unanchored) sends the request to the canary.',
  parse(raw) {
    const problem = regexProblem(raw);
    return problem ? refuse(problem) : ok(raw);
  },
});

export const CANARY_BY_COOKIE = defineKey<string>({
  name: 'canary-by-cookie',
  scopes: INGRESS,
  group: GROUP,
  type: 'cookie name',
  doc: 'A request with this cookie set to `always` goes to the canary, `never` to the main backend (after the header, before the weight).',
  parse: (raw) => (NAME.test(raw) ? ok(raw) : refuse('is not a cookie name (1-128 of A-Z a-z 0-9 _ . -)')),
});

/** Every key of this group, in docs order. */
export const CANARY_KEYS = [
  CANARY,
  CANARY_BY_HEADER,
  CANARY_BY_HEADER_VALUE,
  CANARY_BY_HEADER_PATTERN,
  CANARY_BY_COOKIE,
  CANARY_WEIGHT,
  CANARY_WEIGHT_TOTAL,
];

/** One alternative route of a canary: its conditions, and whether it goes to the canary or the main backend. */
export interface CanaryRule {
  to: 'canary' | 'main';
  headers?: ValueCondition[];
  cookies?: ValueCondition[];
}

/** What a canary Ingress asks for, read from its keys. */
export interface CanaryPlan {
  /** In ingress-nginx's precedence: header rules, then cookie rules. */
  rules: CanaryRule[];
  /** Absent: no weight was set, requests no rule takes go to the main backend. */
  weight?: { canary: number; total: number };
}

/** Header rules: a value or a pattern replaces `always`, and then no value means "main". */
export function headerRules(header: string | undefined, value: string | undefined, pattern: string | undefined): CanaryRule[] {
  if (header === undefined) return [];
  const on = (match: ValueCondition['match'], v: string): ValueCondition[] => [{ name: header, match, value: v }];
  if (value !== undefined) return [{ to: 'canary', headers: on('exact', value) }];
  if (pattern !== undefined) return [{ to: 'canary', headers: on('regex', pattern) }];
  return [{ to: 'canary', headers: on('exact', 'always') }, { to: 'main', headers: on('exact', 'never') }];
}

export function cookieRules(cookie: string | undefined): CanaryRule[] {
  if (cookie === undefined) return [];
  const on = (v: string): ValueCondition[] => [{ name: cookie, match: 'exact', value: v }];
  return [{ to: 'canary', cookies: on('always') }, { to: 'main', cookies: on('never') }];
}
