/**
 * Routing tables. Routes live in map files, not in per-route ACLs, so a request costs a few tree
 * lookups however many Ingresses there are, and route changes are Runtime API `map` commands.
 *
 * - `exact.map` (`map_str`, a tree): key `host + path` for Exact routes and for Prefix routes (a
 *   Prefix `/a` matches the request `/a`). When an Exact and a Prefix route share host and path,
 *   the Exact one is kept.
 * - `prefix.map` (`map_beg`, a prefix tree that returns the longest match whatever the file
 *   order): key `host + path + "/"` for Prefix routes (`host + "/"` for the root path), so `/a`
 *   matches `/a/b` but not `/ab`.
 * - `default.map`: the single key `default` -> the default backend, so changing it is a map command.
 *
 * The frontend looks up exact then prefix, first with the request host, then with its first label
 * replaced by `*`, then with no host; an exact hit is always the longest match.
 * A value is the backend name, followed by `|<code>|<:port>` when plain-HTTP requests redirect to
 * HTTPS (the port part is empty for 443). Backend names never contain `|`.
 *
 * Only when the model needs them (so a plain model renders as it always did):
 * - `regex.map` (`map_reg`, tried in file order, first match wins): key `^host(?=/)(?:regex)$` for
 *   RegularExpression paths, between the exact and the prefix lookup of each host.
 * - `groups.map`: routes that share host, path and match but carry conditions (headers, query,
 *   method) are a route group. Their key's value is `@gN`; the frontend's group rules (`groups.ts`)
 *   try the candidates in precedence order, each `gN/<i>` in this map, then `gN/else`.
 *
 * Routes on a listener beyond the default pair (`Route.listeners`) are in the same files, their keys
 * prefixed with `<listener>#` (hosts and paths never hold `#`); that listener's frontend prefixes its
 * lookups the same way, so a route moved between listeners is map commands too. A listener has no
 * default backend.
 */
import type { Backend, HttpsRedirect, Model, Route, SourceRef } from '../../model/types.js';
import { buildGroups, groupFallbacks, type Placed, type RouteGroup } from './groups.js';
import { RenderRefusedError, identifier, listenerName, mapWord, port, regexEscape, regexWord, routeHost, routePath } from './text.js';

export const MAP_FILES = {
  exact: 'maps/exact.map',
  prefix: 'maps/prefix.map',
  default: 'maps/default.map',
  regex: 'maps/regex.map',
  groups: 'maps/groups.map',
} as const;

export type MapName = keyof typeof MAP_FILES;

/** The only key of `default.map`. */
export const DEFAULT_KEY = 'default';

export interface MapEntry {
  value: string;
  source: SourceRef;
}

export type MapContents = Record<MapName, Map<string, MapEntry>>;

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

function redirectSuffix(redirect: HttpsRedirect, source: SourceRef): string {
  if (!REDIRECT_CODES.has(redirect.code)) throw new RenderRefusedError(`refusing redirect code ${redirect.code}`, source);
  const p = port(redirect.port, source);
  return `|${redirect.code}|${p === 443 ? '' : `:${p}`}`;
}

/** The map value a route resolves to. */
export function routeValue(route: Route): string {
  const backend = identifier(route.backend, route.source);
  return route.httpsRedirect ? backend + redirectSuffix(route.httpsRedirect, route.source) : backend;
}

function put(map: Map<string, MapEntry>, key: string, entry: MapEntry, word = mapWord): boolean {
  word(key, entry.source);
  mapWord(entry.value, entry.source);
  if (map.has(key)) return false;
  map.set(key, entry);
  return true;
}

function requireBackend(names: ReadonlySet<string>, name: string, source: SourceRef): void {
  if (!names.has(name)) throw new RenderRefusedError(`route points at unknown backend "${name}"`, source);
}

/** The `regex.map` key of a route: its host literally, then the path regex over the whole path. */
export function regexKey(host: string, path: string, source?: SourceRef): string {
  // The look-ahead keeps an any-host key from matching `host + path` in a host lookup.
  return `^${regexEscape(host)}(?=/)(?:${regexWord(path, source)})$`;
}

/** What `buildMaps` gives besides the maps: the route groups in rule order. */
export interface BuiltMaps {
  maps: MapContents;
  groups: RouteGroup[];
  /** Key prefixes ('' for the default pair) with some regex route: only their frontends look up `regex.map`. */
  regexPrefixes: ReadonlySet<string>;
}

/** The key prefix of a listener's routes in the maps. */
export function listenerPrefix(name: string, source?: SourceRef): string {
  return `${listenerName(name, source)}#`;
}

/** Each route once per listener it is on: absent `listeners` is the default pair (prefix ''). */
function placeRoutes(model: Model): Placed[] {
  const names = new Set((model.listeners ?? []).map((l) => l.name));
  const placed: Placed[] = [];
  for (const route of model.routes) {
    if (route.listeners === undefined) {
      placed.push({ route, prefix: '' });
      continue;
    }
    for (const name of new Set(route.listeners)) {
      if (!names.has(name)) throw new RenderRefusedError(`route names unknown listener "${name}"`, route.source);
      placed.push({ route, prefix: listenerPrefix(name, route.source) });
    }
  }
  return placed;
}

/** Pure: the routing maps of `model`. Throws `RenderRefusedError` for unsafe hosts, paths or regexes. */
export function buildMaps(model: Model): BuiltMaps {
  const maps: MapContents = { exact: new Map(), prefix: new Map(), default: new Map(), regex: new Map(), groups: new Map() };
  const backends = new Set(model.backends.map((b) => b.name));
  for (const route of model.routes) requireBackend(backends, route.backend, route.source);
  const placed = placeRoutes(model);
  const { groups, valueOf } = buildGroups(placed, routeValue);
  const regexPrefixes = new Set<string>();
  // Exact routes go in first so that they win the exact-map key they share with a Prefix route;
  // within each kind the first route in model order wins (translate reports the conflict).
  // `shadowed`: the Prefix route's value under such a key, where a failing group falls back to.
  const shadowed = new Map<string, string>();
  const kinds = ['exact', 'regex', 'prefix'] as const;
  for (const kind of kinds) {
    for (const { route, prefix } of placed) {
      if (route.match !== kind) continue;
      const host = prefix + routeHost(route.host, route.source);
      const entry = { value: valueOf(route, prefix), source: route.source };
      if (kind === 'regex') {
        put(maps.regex, regexKey(host, route.path, route.source), entry, regexWord);
        regexPrefixes.add(prefix);
      } else if (kind === 'exact') {
        put(maps.exact, host + routePath(route.path, route.source), entry);
      } else {
        // Prefix paths come without a trailing slash (except '/'); tolerate one anyway.
        const base = routePath(route.path, route.source).replace(/\/+$/, '');
        const exactKey = host + (base || '/');
        if (!put(maps.exact, exactKey, entry) && !shadowed.has(exactKey)) shadowed.set(exactKey, entry.value);
        put(maps.prefix, `${host + base}/`, entry);
      }
    }
  }
  if (model.defaultBackend !== undefined) {
    const backend = model.backends.find((b) => b.name === model.defaultBackend);
    if (!backend) throw new RenderRefusedError(`default backend "${model.defaultBackend}" is not a backend`);
    maps.default.set(DEFAULT_KEY, { value: identifier(backend.name, backend.source), source: backend.source });
  }
  for (const [key, entry] of groupFallbacks(groups, maps, shadowed, routeValue)) put(maps.groups, key, entry);
  return { maps, groups, regexPrefixes };
}

/**
 * Map file text, sorted by key so equal models give equal bytes; `regex.map` keeps model order,
 * because `map_reg` takes the first pattern that matches.
 */
export function mapFileText(map: ReadonlyMap<string, MapEntry>, sorted = true): string {
  const keys = sorted ? [...map.keys()].sort() : [...map.keys()];
  return keys.map((key) => `${key} ${map.get(key)!.value}\n`).join('');
}

/** The maps of a model, the text of their files, and the route groups the frontend's rules try. */
export interface RenderedMaps extends BuiltMaps {
  texts: Record<MapName, string>;
}

/**
 * Remembers the maps of the last model it was asked for, and hands them out again while the
 * model's routes (the same objects), default backend, backend names and listeners are unchanged: the maps
 * depend on nothing else. An endpoint-only change keeps all three, and rebuilding and sorting a
 * key per route was most of what a render cost with thousands of Ingresses. Owned by whoever
 * renders again and again (the driver); `render` without one builds the maps afresh.
 */
export class MapsMemo {
  private last: {
    routes: readonly Route[]; defaultBackend: string | undefined; names: string[]; listeners: Model['listeners']; rendered: RenderedMaps;
  } | undefined;

  get(model: Model): RenderedMaps {
    const last = this.last;
    if (last && last.routes === model.routes && last.defaultBackend === model.defaultBackend && last.listeners === model.listeners
      && sameNames(last.names, model.backends)) {
      return last.rendered;
    }
    const rendered = renderMaps(model);
    this.last = { routes: model.routes, defaultBackend: model.defaultBackend, names: model.backends.map((b) => b.name), listeners: model.listeners, rendered };
    return rendered;
  }
}

/** Pure: the maps of `model` and their file text. Throws like `buildMaps`. */
export function renderMaps(model: Model): RenderedMaps {
  const { maps, groups, regexPrefixes } = buildMaps(model);
  const texts = {
    exact: mapFileText(maps.exact), prefix: mapFileText(maps.prefix), default: mapFileText(maps.default),
    regex: mapFileText(maps.regex, false), groups: mapFileText(maps.groups),
  };
  return { maps, texts, groups, regexPrefixes };
}

function sameNames(names: readonly string[], backends: readonly Backend[]): boolean {
  return names.length === backends.length && backends.every((b, i) => b.name === names[i]);
}
