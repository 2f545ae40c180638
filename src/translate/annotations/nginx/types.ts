import type { ObjectRef, Snapshot } from '../../../store/types.js';
import type { AnnotationDef, AnyAnnotationDef } from '../types.js';

/** The prefix of ingress-nginx's annotations; its keys are read beside ours, on every Ingress we serve. */
export const NGINX_PREFIX = 'nginx.ingress.kubernetes.io/';

/** What a feed may read besides the value: the other ingress-nginx keys of the same object, and the object. */
export interface FeedContext {
  /** The valid value the same object sets for another ingress-nginx key. */
  get<U>(def: NginxKeyDef<U>): U | undefined;
  ref: ObjectRef;
  snapshot: Snapshot;
}

/**
 * One way an ingress-nginx key sets one of our keys on the same object. `value` returns undefined
 * when this value sets nothing there. A `weak` feed is a default that the ingress-nginx key brings
 * with it (the 503 of its rate limits): any other feed of the same target wins over it.
 */
export interface Feed<T> {
  target: AnyAnnotationDef;
  value(value: T, context: FeedContext): unknown;
  weak?: boolean;
}

/** How a served key compares with ingress-nginx: the same, or with a difference the docs state. */
export type Served = { as: 'same' } | { as: 'different'; difference: string };

/**
 * An ingress-nginx annotation: parsed like our own keys (an invalid value is a diagnostic and only
 * this key is ignored), and served by feeding our keys (`feeds`) or read directly by translate
 * (paths: `use-regex`, `rewrite-target`, `app-root`). Our own key, when the same object sets it,
 * wins over any feed.
 */
export interface NginxKeyDef<T> extends AnnotationDef<T> {
  family: 'nginx';
  feeds: readonly Feed<T>[];
  /** ingress-nginx's behaviour, one line, for the migration guide. */
  nginx: string;
  served: Served;
}

export type AnyNginxKeyDef = NginxKeyDef<unknown>;

/** Declares an ingress-nginx key (the identity function that infers `T` from `parse`). */
export function defineNginxKey<T>(def: Omit<NginxKeyDef<T>, 'family' | 'scopes'> & { scopes?: NginxKeyDef<T>['scopes'] }): NginxKeyDef<T> {
  return { ...def, family: 'nginx', scopes: def.scopes ?? ['ingress'] };
}

/** A feed, typed by the source key's value. */
export function feed<T>(target: AnyAnnotationDef, value: (value: T, context: FeedContext) => unknown, weak = false): Feed<T> {
  return weak ? { target, value, weak } : { target, value };
}
