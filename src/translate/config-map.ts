import { ANNOTATION_KEYS } from './annotations/registry.js';

/** A key of the controller's ConfigMap (`--configmap`) and its one-line meaning. */
export interface ConfigKey {
  key: string;
  doc: string;
}

/**
 * Every ConfigMap key the controller reads, old names included, keyed by name. Derived from the
 * annotation registry, which holds the one definition of each key (see `docs/annotations.md`).
 */
export const CONFIG_KEYS: Readonly<Record<string, ConfigKey>> = Object.fromEntries(
  ANNOTATION_KEYS.filter((def) => def.scopes.includes('configmap')).flatMap((def) =>
    [def.name, ...(def.aliases ?? [])].map((key) => [key, { key, doc: def.doc }]),
  ),
);
