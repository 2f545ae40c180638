import type { DiagnosticCode } from '../../errors.js';
import type { Snapshot } from '../../store/types.js';

/** Where a key may be set: Service or Ingress annotations, or the controller's ConfigMap. */
export type Scope = 'service' | 'ingress' | 'configmap';

/**
 * The outcome of reading one value: the typed value, or why it is refused (for the diagnostic,
 * whose code defaults to `PCL_INVALID_ANNOTATION`, or `PCL_INVALID_CONFIG_VALUE` in the ConfigMap).
 * `warnings` report parts of an accepted value that were left out (one bad user in an auth Secret).
 */
export type Parsed<T> = { ok: true; value: T; warnings?: string[] } | { ok: false; reason: string; code?: DiagnosticCode };

/** What a parser may need besides the text: whose value it is, and the Secrets it may name. */
export interface ParseContext {
  scope: Scope;
  /** Namespace of the annotated object, or of the ConfigMap. */
  namespace: string;
  snapshot: Snapshot;
  allowCrossNamespaceSecrets: boolean;
}

/**
 * The one definition of a key: everything translate, the docs and the tests know about it.
 * `parse` is pure and never throws; it returns a reason instead, written to follow the quoted
 * value in a message (`"abc" is not a time ...`).
 */
export interface AnnotationDef<T> {
  /** The bare key, as in the ConfigMap; annotations add `haproxy.org/` or `ingress.kubernetes.io/`. */
  name: string;
  /** Set for the keys of another controller read under its own prefix (`nginx`: `nginx.ingress.kubernetes.io/`). */
  family?: 'nginx';
  /** Older names still accepted (`whitelist` for `allow-list`); the current name wins when both are set. */
  aliases?: readonly string[];
  scopes: readonly Scope[];
  /** Section of `docs/annotations.md`. */
  group: string;
  /** Value type, for the docs. */
  type: string;
  /** Built-in value when no level sets the key; absent means "off". */
  fallback?: T;
  /** How the default reads in the docs (and messages); absent means no default. */
  defaultText?: string;
  /** One line for the docs. */
  doc: string;
  parse(raw: string, context: ParseContext): Parsed<T>;
}

/** A definition of any value type, as the registry lists them (`T` only flows out, so this is sound). */
export type AnyAnnotationDef = AnnotationDef<unknown>;

/** Shorthand for a successful parse. */
export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

/** Shorthand for a refusal. */
export function refuse<T = never>(reason: string, code?: DiagnosticCode): Parsed<T> {
  return code ? { ok: false, reason, code } : { ok: false, reason };
}

/** Declares a key; the identity function that makes TypeScript infer `T` from `parse`. */
export function defineKey<T>(def: AnnotationDef<T>): AnnotationDef<T> {
  return def;
}
