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
 */
import type { Backend, HttpsRedirect, Model, Route, SourceRef } from '../../model/types.js';
import { RenderRefusedError, identifier, mapWord, port, routeHost, routePath } from './text.js';

export const MAP_FILES = {
  exact: 'maps/exact.map',
  prefix: 'maps/prefix.map',
  default: 'maps/default.map',
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

function put(map: Map<string, MapEntry>, key: string, entry: MapEntry): void {
  mapWord(key, entry.source);
  mapWord(entry.value, entry.source);
  if (!map.has(key)) map.set(key, entry);
}

function requireBackend(names: ReadonlySet<string>, name: string, source: SourceRef): void {
  if (!names.has(name)) throw new RenderRefusedError(`route points at unknown backend "${name}"`, source);
}

/** Pure: the three routing maps of `model`. Throws `RenderRefusedError` for unsafe hosts or paths. */
export function buildMaps(model: Model): MapContents {
  const maps: MapContents = { exact: new Map(), prefix: new Map(), default: new Map() };
  const backends = new Set(model.backends.map((b) => b.name));
  // Exact routes go in first so that they win the exact-map key they share with a Prefix route;
  // within each kind the first route in model order wins (translate reports the conflict).
  const ordered = [...model.routes.filter((r) => r.match === 'exact'), ...model.routes.filter((r) => r.match === 'prefix')];
  for (const route of ordered) {
    const host = routeHost(route.host, route.source);
    const path = routePath(route.path, route.source);
    requireBackend(backends, route.backend, route.source);
    const entry = { value: routeValue(route), source: route.source };
    if (route.match === 'exact') {
      put(maps.exact, host + path, entry);
    } else {
      // Prefix paths come without a trailing slash (except '/'); tolerate one anyway.
      const base = path.replace(/\/+$/, '');
      put(maps.exact, host + (base || '/'), entry);
      put(maps.prefix, `${host + base}/`, entry);
    }
  }
  if (model.defaultBackend !== undefined) {
    const backend = model.backends.find((b) => b.name === model.defaultBackend);
    if (!backend) throw new RenderRefusedError(`default backend "${model.defaultBackend}" is not a backend`);
    maps.default.set(DEFAULT_KEY, { value: identifier(backend.name, backend.source), source: backend.source });
  }
  return maps;
}

/** Map file text, sorted by key so equal models give equal bytes. */
export function mapFileText(map: ReadonlyMap<string, MapEntry>): string {
  const keys = [...map.keys()].sort();
  return keys.map((key) => `${key} ${map.get(key)!.value}\n`).join('');
}

/** The three maps of a model and the text of their files. */
export interface RenderedMaps {
  maps: MapContents;
  texts: Record<MapName, string>;
}

/**
 * Remembers the maps of the last model it was asked for, and hands them out again while the
 * model's routes (the same objects), default backend and backend names are unchanged: the maps
 * depend on nothing else. An endpoint-only change keeps all three, and rebuilding and sorting a
 * key per route was most of what a render cost with thousands of Ingresses. Owned by whoever
 * renders again and again (the driver); `render` without one builds the maps afresh.
 */
export class MapsMemo {
  private last: { routes: readonly Route[]; defaultBackend: string | undefined; names: string[]; rendered: RenderedMaps } | undefined;

  get(model: Model): RenderedMaps {
    const last = this.last;
    if (last && last.routes === model.routes && last.defaultBackend === model.defaultBackend && sameNames(last.names, model.backends)) {
      return last.rendered;
    }
    const rendered = renderMaps(model);
    this.last = { routes: model.routes, defaultBackend: model.defaultBackend, names: model.backends.map((b) => b.name), rendered };
    return rendered;
  }
}

/** Pure: the maps of `model` and their file text. Throws like `buildMaps`. */
export function renderMaps(model: Model): RenderedMaps {
  const maps = buildMaps(model);
  return { maps, texts: { exact: mapFileText(maps.exact), prefix: mapFileText(maps.prefix), default: mapFileText(maps.default) } };
}

function sameNames(names: readonly string[], backends: readonly Backend[]): boolean {
  return names.length === backends.length && backends.every((b, i) => b.name === names[i]);
}
