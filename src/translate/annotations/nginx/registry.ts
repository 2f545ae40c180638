import { NGINX_ACCESS_KEYS } from './access.js';
import { NGINX_AUTH_KEYS } from './auth.js';
import { NGINX_PROXY_KEYS } from './proxy.js';
import { NGINX_ROUTING_KEYS } from './routing.js';
import type { AnyNginxKeyDef, Feed } from './types.js';

/** Every ingress-nginx key read, grouped as in `docs/nginx-annotations.md`. */
export const NGINX_KEYS: readonly AnyNginxKeyDef[] = [...NGINX_ROUTING_KEYS, ...NGINX_ACCESS_KEYS, ...NGINX_AUTH_KEYS, ...NGINX_PROXY_KEYS] as AnyNginxKeyDef[];

interface NginxLookup {
  def: AnyNginxKeyDef;
  alias: boolean;
}

const BY_NAME: ReadonlyMap<string, NginxLookup> = new Map(
  NGINX_KEYS.flatMap((def): [string, NginxLookup][] => [[def.name, { def, alias: false }], ...(def.aliases ?? []).map((a): [string, NginxLookup] => [a, { def, alias: true }])]),
);

/** The definition a bare ingress-nginx key (or an old name of one) refers to. */
export function findNginxKey(name: string): NginxLookup | undefined {
  return BY_NAME.get(name);
}

export interface FeedOf {
  source: AnyNginxKeyDef;
  feed: Feed<unknown>;
}

/** For each of our keys, the ingress-nginx keys that set it: strong feeds first, then weak, each in key order. */
const FEEDS: ReadonlyMap<string, readonly FeedOf[]> = (() => {
  const all = NGINX_KEYS.flatMap((source) => source.feeds.map((f) => ({ source, feed: f })));
  const sorted = [...all.filter((f) => !f.feed.weak), ...all.filter((f) => f.feed.weak)];
  const map = new Map<string, FeedOf[]>();
  for (const f of sorted) map.set(f.feed.target.name, [...(map.get(f.feed.target.name) ?? []), f]);
  return map;
})();

/** The ingress-nginx keys that may set our key `name`. */
export function feedsOf(name: string): readonly FeedOf[] {
  return FEEDS.get(name) ?? [];
}
