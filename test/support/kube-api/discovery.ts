/**
 * Discovery documents (`/version`, `/api`, `/apis`, `/api/v1`,
 * `/apis/<group>[/<version>]`) built from the resource table, so generic
 * clients (client-node's KubernetesObjectApi, kubectl) can map kinds to paths.
 */
import type { ResourceRegistry, ResourceType } from './resources.js';

/** The Kubernetes version this server claims to be. */
export const SERVER_VERSION = Object.freeze({
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-08-13T00:00:00Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
});

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

function apiResources(type: ResourceType): object[] {
  const main = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    // Namespaces have no deletecollection; they go one at a time through termination.
    verbs: type.key === '/namespaces' ? VERBS.filter((v) => v !== 'deletecollection') : VERBS,
    ...(type.shortNames.length ? { shortNames: [...type.shortNames] } : {}),
  };
  const resources: object[] = [main];
  if (type.hasStatus) {
    resources.push({ name: `${type.plural}/status`, singularName: '', namespaced: type.namespaced, kind: type.kind, verbs: SUBRESOURCE_VERBS });
  }
  if (type.hasScale) {
    resources.push({
      name: `${type.plural}/scale`, singularName: '', namespaced: type.namespaced,
      group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: SUBRESOURCE_VERBS,
    });
  }
  if (type.key === '/namespaces') {
    resources.push({ name: 'namespaces/finalize', singularName: '', namespaced: false, kind: 'Namespace', verbs: ['update'] });
  }
  return resources;
}

/** `APIResourceList` for one group/version, or undefined if nothing is served there. */
export function resourceList(registry: ResourceRegistry, groupVersion: string): object | undefined {
  const types = registry.inGroupVersion(groupVersion);
  if (!types.length) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: types.flatMap(apiResources) };
}

function groupDocument(name: string, versions: string[]): object {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

/** `APIVersions` for `/api`. */
export function coreVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** `APIGroupList` for `/apis`. */
export function groupList(registry: ResourceRegistry): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: registry.groups().map((g) => groupDocument(g.name, g.versions)) };
}

/** `APIGroup` for `/apis/<group>`, or undefined for an unknown group. */
export function groupInfo(registry: ResourceRegistry, name: string): object | undefined {
  const group = registry.groups().find((g) => g.name === name);
  return group ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(group.name, group.versions) } : undefined;
}
