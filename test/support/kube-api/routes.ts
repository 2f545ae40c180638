/**
 * URL layout of kube-apiserver: `/api/v1/...` for the core group,
 * `/apis/<group>/<version>/...` for the rest, with namespaced resources under
 * `/namespaces/<ns>/<plural>[/<name>[/<subresource>]]` and every resource
 * also listable across namespaces at `/<plural>`.
 */
import { coreVersions, groupInfo, groupList, resourceList, SERVER_VERSION } from './discovery.js';
import type { ResourceRegistry, ResourceType } from './resources.js';

/** The object or collection a resource URL names. */
export interface ResourceTarget {
  type: ResourceType;
  /** Set for namespaced URLs; absent for cluster-scoped types and all-namespaces collections. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** What a path resolves to: a fixed document (discovery, health) or a resource. */
export type Route =
  | { kind: 'document'; body: object | string }
  | { kind: 'resource'; target: ResourceTarget };

function resourceRoute(registry: ResourceRegistry, groupVersion: string, rest: string[]): Route | undefined {
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const type = registry.findByPath(groupVersion, rest[2]);
    if (type?.namespaced && rest.length <= 5) {
      return { kind: 'resource', target: { type, namespace: rest[1], name: rest[3], subresource: rest[4] } };
    }
    // `/api/v1/namespaces/<name>/{status,finalize}` are the Namespace's own subresources.
    const namespaces = registry.findByPath(groupVersion, 'namespaces');
    if (namespaces && rest.length === 3) {
      return { kind: 'resource', target: { type: namespaces, name: rest[1], subresource: rest[2] } };
    }
    return undefined;
  }
  const type = registry.findByPath(groupVersion, rest[0]);
  if (!type || rest.length > 3 || (type.namespaced && rest.length > 1)) return undefined;
  return { kind: 'resource', target: { type, name: rest[1], subresource: rest[2] } };
}

function decodeSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** Resolves a request path; undefined means 404. */
export function resolveRoute(pathname: string, registry: ResourceRegistry, serverAddress: string): Route | undefined {
  const segments = decodeSegments(pathname);
  if (!segments) return undefined;
  const [root, a, b, ...rest] = segments;
  const document = (body: object | string | undefined): Route | undefined => (body === undefined ? undefined : { kind: 'document', body });
  if (segments.length === 1 && ['healthz', 'livez', 'readyz'].includes(root)) return document('ok');
  if (segments.length === 1 && root === 'version') return document(SERVER_VERSION);
  if (root === 'api') {
    if (a === undefined) return document(coreVersions(serverAddress));
    if (a !== 'v1') return undefined;
    if (b === undefined) return document(resourceList(registry, 'v1'));
    return resourceRoute(registry, 'v1', [b, ...rest]);
  }
  if (root === 'apis') {
    if (a === undefined) return document(groupList(registry));
    if (b === undefined) return document(groupInfo(registry, a));
    if (rest.length === 0) return document(resourceList(registry, `${a}/${b}`));
    return resourceRoute(registry, `${a}/${b}`, rest);
  }
  return undefined;
}
