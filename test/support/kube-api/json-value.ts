/**
 * Plain-JSON helpers shared by the test apiserver. Stored objects are only
 * ever JSON, so structural equality and copying need nothing cleverer.
 */

/** A JSON object as decoded from a request body. */
export type JsonObject = { [key: string]: unknown };

/** Metadata fields the server reads or writes; anything else passes through untouched. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  [key: string]: unknown;
}

/** A Kubernetes object as stored and served: JSON with a metadata block. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** True for `{...}` values (not arrays, not null). */
export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep copy; callers never get a reference into the store. */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}

/** Structural equality where key order does not matter, as for two JSON documents. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    // Absent and undefined are the same thing once serialised.
    const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
    const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
    return keysA.length === keysB.length && keysA.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/** The object without the named top-level keys, for comparing the parts that matter. */
export function omitKeys(obj: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!keys.includes(k)) out[k] = v;
  }
  return out;
}
