/**
 * Objects left out of the configuration because HAProxy rejected what they produced, each with the
 * resourceVersion that was rejected. An object gets another chance once it changes or disappears.
 */
import type { KubeObject } from '../store/types.js';

export type ExcludableKind = 'Ingress' | 'Service' | 'ConfigMap';

/** Reads an object's current version; undefined when it is gone. */
export type VersionOf = (kind: ExcludableKind, key: string) => string | undefined;

export class ExclusionLedger {
  private readonly excluded = new Map<string, string>();

  /** Leaves `object` out; false when it already was (so the rejection is not a new one). */
  exclude(object: KubeObject): boolean {
    const key = ledgerKey(object.kind, `${object.metadata.namespace}/${object.metadata.name}`);
    if (this.excluded.has(key)) return false;
    this.excluded.set(key, object.metadata.resourceVersion);
    return true;
  }

  /** Forgets exclusions whose object changed or disappeared; true when any was forgotten. */
  forgetStale(versionOf: VersionOf): boolean {
    let forgot = false;
    for (const [key, version] of this.excluded) {
      const slash = key.indexOf('/');
      if (versionOf(key.slice(0, slash) as ExcludableKind, key.slice(slash + 1)) !== version) {
        this.excluded.delete(key);
        forgot = true;
      }
    }
    return forgot;
  }

  /** `Kind/namespace/name` of each excluded object, as translate's `excluded` option names them. */
  keys(): ReadonlySet<string> {
    return new Set(this.excluded.keys());
  }
}

function ledgerKey(kind: string, key: string): string {
  return `${kind}/${key}`;
}
