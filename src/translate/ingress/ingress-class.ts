import { objectKey, refOf, type Ingress, type Snapshot } from '../../store/types.js';
import type { Diagnostics } from '../diagnostics.js';
import { compareAge } from '../order.js';
import type { TranslateOptions } from '../types.js';

/** Deprecated pre-IngressClass way of naming a class; still honoured. */
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** Marks the IngressClass that Ingresses without any class belong to. */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

type ClassOptions = Pick<TranslateOptions, 'ingressClass' | 'controllerName' | 'watchIngressWithoutClass' | 'excluded'>;

/**
 * The Ingresses this controller implements, oldest first (the order conflicts are settled in).
 * Ingresses of other controllers are skipped silently: they are none of our business, and warning
 * about them would flood the logs of clusters running several controllers.
 */
export function selectIngresses(snapshot: Snapshot, options: ClassOptions, diags: Diagnostics): Ingress[] {
  const ours: Ingress[] = [];
  for (const ingress of snapshot.ingresses.values()) {
    if (options.excluded?.has(`Ingress/${objectKey(ingress.metadata)}`)) continue;
    if (isOurs(ingress, snapshot, options, diags)) ours.push(ingress);
  }
  return ours.sort((a, b) => compareAge(a.metadata, b.metadata));
}

function isOurs(ingress: Ingress, snapshot: Snapshot, options: ClassOptions, diags: Diagnostics): boolean {
  // The API server refuses an Ingress that sets both the field and the annotation, so a manifest
  // doing it is ambiguous; the annotation decides, as it predates the field.
  const legacy = ingress.metadata.annotations[LEGACY_CLASS_ANNOTATION];
  if (legacy !== undefined) return legacy === options.ingressClass;

  const className = ingress.spec.ingressClassName;
  if (className !== undefined && className !== '') {
    const ingressClass = snapshot.ingressClasses.get(className);
    if (ingressClass) return ingressClass.spec.controller === options.controllerName;
    // Only our own class name is worth a warning: it is almost surely ours with the class missing.
    if (className === options.ingressClass) {
      diags.warning('PCL_INGRESS_CLASS_NOT_FOUND', refOf(ingress), `IngressClass "${className}" does not exist; the Ingress is ignored`);
    }
    return false;
  }
  return hasOurDefaultClass(snapshot, options) || options.watchIngressWithoutClass;
}

function hasOurDefaultClass(snapshot: Snapshot, options: ClassOptions): boolean {
  for (const ingressClass of snapshot.ingressClasses.values()) {
    if (ingressClass.spec.controller !== options.controllerName) continue;
    if (ingressClass.metadata.annotations[DEFAULT_CLASS_ANNOTATION] === 'true') return true;
  }
  return false;
}
