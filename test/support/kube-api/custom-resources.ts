/**
 * CustomResourceDefinitions make kinds served, as kube-apiserver's apiextensions server does: a
 * stored CRD serves its kind at every `served` version (with `/status` where the version declares
 * the subresource), a changed CRD changes what is served, and a deleted CRD takes its objects
 * with it. Only the parts of a CRD that decide routing are read; schemas are not validated.
 */
import { isPlainObject, type KubeObject } from './json-value.js';
import { resource, type ResourceRegistry, type ResourceType } from './resources.js';
import type { ObjectStore, StoreEvent } from './storage.js';

/** Storage key of CustomResourceDefinition objects. */
export const CRD_KEY = 'apiextensions.k8s.io/customresourcedefinitions';

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The resource types a CRD object serves: one per served version. */
export function typesFromCrd(crd: KubeObject): ResourceType[] {
  const spec = isPlainObject(crd.spec) ? crd.spec : {};
  const names = isPlainObject(spec.names) ? spec.names : {};
  const group = text(spec.group);
  const plural = text(names.plural);
  const kind = text(names.kind);
  if (!group || !plural || !kind || !Array.isArray(spec.versions)) return [];
  const shortNames = Array.isArray(names.shortNames) ? names.shortNames.filter((n): n is string => typeof n === 'string') : [];
  return spec.versions.filter(isPlainObject).filter((v) => v.served === true && text(v.name)).map((v) => {
    const subresources = isPlainObject(v.subresources) ? v.subresources : {};
    return resource(`${group}/${text(v.name)}`, plural, kind, {
      singular: text(names.singular) || kind.toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      hasStatus: subresources.status !== undefined,
      hasScale: subresources.scale !== undefined,
      shortNames,
      definedBy: crd.metadata.name,
    });
  });
}

/**
 * Keeps `registry` in step with the CRDs in `store`, from every write on. Deleting a CRD deletes
 * its objects first (the apiextensions cleanup finalizer's job), so their watchers see them go.
 */
export function followCustomResourceDefinitions(store: ObjectStore, registry: ResourceRegistry): void {
  store.subscribe((event: StoreEvent) => {
    if (event.resource.key !== CRD_KEY) return;
    const name = event.object.metadata.name ?? '';
    if (event.type !== 'DELETED') {
      registry.define(name, typesFromCrd(event.object));
      return;
    }
    const gone = registry.undefine(name);
    const purged = new Set<string>();
    for (const type of gone) {
      if (purged.has(type.key)) continue;
      purged.add(type.key);
      for (const [, obj] of store.entries(type)) store.remove(type, obj);
    }
  });
}
