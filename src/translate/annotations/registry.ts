import { ACCESS_KEYS } from './access.js';
import { BACKEND_KEYS } from './backend.js';
import { BACKEND_TLS_KEYS } from './backend-tls.js';
import { GLOBAL_KEYS } from './global.js';
import { HEADER_KEYS } from './headers.js';
import { RATE_LIMIT_KEYS } from './rate-limit.js';
import { ROUTING_KEYS } from './routing.js';
import { SNIPPET_KEYS } from './snippets.js';
import type { AnyAnnotationDef } from './types.js';
import { AFFINITY_KEYS } from './canary/affinity.js';
import { CANARY_KEYS } from './canary/canary.js';

/**
 * Annotation prefixes, strongest first: when one object sets a key under both, `haproxy.org/` wins.
 * They are the HAProxy Technologies controller's, so its users keep their annotations.
 */
export const PREFIXES = ['haproxy.org/', 'ingress.kubernetes.io/'] as const;

/** Every key the controller reads, grouped as in `docs/annotations.md`. */
export const ANNOTATION_KEYS: readonly AnyAnnotationDef[] = [
  ...ROUTING_KEYS,
  ...ACCESS_KEYS,
  ...RATE_LIMIT_KEYS,
  ...HEADER_KEYS,
  ...BACKEND_KEYS,
  ...BACKEND_TLS_KEYS,
  ...GLOBAL_KEYS,
  ...SNIPPET_KEYS,
  ...CANARY_KEYS,
  ...AFFINITY_KEYS,
];

/** A key found under some name: its definition, and whether the name was an old alias. */
export interface KeyLookup {
  def: AnyAnnotationDef;
  alias: boolean;
}

const BY_NAME: ReadonlyMap<string, KeyLookup> = new Map(
  ANNOTATION_KEYS.flatMap((def): [string, KeyLookup][] => [[def.name, { def, alias: false }], ...(def.aliases ?? []).map((a): [string, KeyLookup] => [a, { def, alias: true }])]),
);

/** The definition a bare key (or an old name of one) refers to. */
export function findKey(name: string): KeyLookup | undefined {
  return BY_NAME.get(name);
}
