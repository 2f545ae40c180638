import type { PathMatch, RouteConditions, ValueCondition } from '../../model/types.js';
import type { HTTPRouteMatch } from '../../store/types.js';

/** A match as the model routes it, or the value it cannot take (`UnsupportedValue`). */
export type MatchShape =
  | { ok: true; path: string; match: PathMatch; conditions?: RouteConditions }
  | { ok: false; reason: string };

const URL_PATH = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;
const NAME = /^[A-Za-z0-9_.-]+$/;
const PRINTABLE = /^[\x20-\x7e]*$/;
const METHOD = /^[A-Z]+$/;

/** The default match of a rule that lists none: every path. */
export const ANY_PATH: HTTPRouteMatch = { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] };

export function matchShape(m: HTTPRouteMatch): MatchShape {
  const path = pathShape(m.path.type, m.path.value);
  if (!path.ok) return path;
  const headers = valueConditions('header', m.headers, (n) => n.toLowerCase());
  if (!headers.ok) return headers;
  const query = valueConditions('query parameter', m.queryParams, (n) => n);
  if (!query.ok) return query;
  if (m.method !== undefined && !METHOD.test(m.method)) return { ok: false, reason: `method ${JSON.stringify(m.method)} is not a method name` };
  const conditions: RouteConditions = {
    ...(m.method !== undefined ? { method: m.method } : {}),
    ...(headers.list.length ? { headers: headers.list } : {}),
    ...(query.list.length ? { query: query.list } : {}),
  };
  return { ok: true, path: path.path, match: path.match, ...(Object.keys(conditions).length ? { conditions } : {}) };
}

function pathShape(type: string, value: string): { ok: true; path: string; match: PathMatch } | { ok: false; reason: string } {
  if (type === 'RegularExpression') {
    if (!PRINTABLE.test(value) || value.includes(' ') || value === '' || !compiles(value)) return { ok: false, reason: `path regular expression ${JSON.stringify(value)} is not supported` };
    return { ok: true, path: value, match: 'regex' };
  }
  if (type !== 'Exact' && type !== 'PathPrefix') return { ok: false, reason: `path match type ${JSON.stringify(type)} is not supported` };
  if (!URL_PATH.test(value)) return { ok: false, reason: `path ${JSON.stringify(value)} is not a URL path` };
  // PathPrefix matches whole segments, so a trailing '/' adds nothing.
  return type === 'Exact' ? { ok: true, path: value, match: 'exact' } : { ok: true, path: value.replace(/\/+$/, '') || '/', match: 'prefix' };
}

function compiles(expression: string): boolean {
  try {
    new RegExp(expression);
    return true;
  } catch {
    return false;
  }
}

/** Header (case-insensitive) or query (case-sensitive) matches; a name met again is ignored, as the specification says. */
function valueConditions(
  what: string,
  entries: readonly { type: string; name: string; value: string }[],
  key: (name: string) => string,
): { ok: true; list: ValueCondition[] } | { ok: false; reason: string } {
  const seen = new Set<string>();
  const list: ValueCondition[] = [];
  for (const e of entries) {
    if (!NAME.test(e.name)) return { ok: false, reason: `${what} name ${JSON.stringify(e.name)} is not supported` };
    if (!PRINTABLE.test(e.value)) return { ok: false, reason: `${what} ${e.name} value has characters other than printable ASCII` };
    if (e.type !== 'Exact' && e.type !== 'RegularExpression') return { ok: false, reason: `${what} match type ${JSON.stringify(e.type)} is not supported` };
    if (e.type === 'RegularExpression' && !compiles(e.value)) return { ok: false, reason: `${what} ${e.name} regular expression does not compile` };
    if (seen.has(key(e.name))) continue;
    seen.add(key(e.name));
    list.push({ name: e.name, match: e.type === 'Exact' ? 'exact' : 'regex', value: e.value });
  }
  return { ok: true, list };
}
