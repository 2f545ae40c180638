/**
 * The Kubernetes API calls the controller makes, derived from its source so that RBAC can be
 * compared with them: the single source of truth for "what may the controller do".
 *
 * Every `makeApiClient(k8s.XxxApi)` in a source file names the client classes that file uses; every
 * `.method(` there that is a method of one of those classes is a call. The method name gives the
 * verb and kind (`patchNamespacedIngressStatus` = patch ingresses/status), the class gives the group
 * (`NetworkingV1Api` = networking.k8s.io); the test apiserver's resource table gives the plural.
 * A file that builds informers (`ListWatch`, `makeInformer`) also watches what it lists.
 * `CustomObjectsApi` methods name no kind: they act on the Gateway API kinds the controller reads
 * (src/sources/gateway-api.ts), the only custom resources it touches.
 */
import * as k8s from '@kubernetes/client-node';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_API_RESOURCES } from '../../src/sources/gateway-api.js';
import { GATEWAY_API_GROUP } from '../../src/store/types.js';
import { RESOURCE_TYPES } from '../support/kube-api/index.js';
import { GATEWAY_API_KINDS as CUSTOM_KINDS } from '../support/kube-api/gateway-api.js';

/** One permission as RBAC names it: `resource` carries the subresource (`ingresses/status`). */
export interface ApiCall {
  group: string;
  resource: string;
  verb: string;
}

/** Where a call was found, for messages. */
export interface CallSite extends ApiCall {
  file: string;
  method: string;
}

const VERBS: ReadonlyArray<[prefix: string, verb: string]> = [
  ['deleteCollection', 'deletecollection'],
  ['list', 'list'],
  ['read', 'get'],
  ['create', 'create'],
  ['replace', 'update'],
  ['patch', 'patch'],
  ['delete', 'delete'],
];
const SUBRESOURCES: ReadonlyArray<[suffix: string, sub: string]> = [
  ['Status', 'status'],
  ['Scale', 'scale'],
];

/** `key` of an ApiCall, for set comparisons: `group/resource:verb` (core group empty). */
export function callKey(call: ApiCall): string {
  return `${call.group}/${call.resource}:${call.verb}`;
}

/** All `.ts` files under `dir`, tests excluded, as paths relative to `root`. */
export function sourceFiles(root: string, dir = 'src'): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(root, path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

/** The calls made by the controller's sources under `root/src`. Throws on a call it cannot map. */
export function findApiCalls(root: string): CallSite[] {
  const sites: CallSite[] = [];
  for (const file of sourceFiles(root)) {
    const text = stripComments(readFileSync(join(root, file), 'utf8'));
    const classes = [...text.matchAll(/makeApiClient\(\s*(?:\w+\.)?(\w+Api)\s*\)/g)].map((m) => m[1]);
    if (!classes.length) continue;
    const informers = /\b(ListWatch|makeInformer)\b/.test(text);
    for (const [, method] of text.matchAll(/\.(\w+)\s*\(/g)) {
      const apiClass = classes.find((c) => isApiMethod(c, method));
      if (!apiClass) continue;
      for (const call of toCalls(apiClass, method, file)) {
        sites.push({ ...call, file, method });
        if (informers && call.verb === 'list') sites.push({ ...call, verb: 'watch', file, method: `${method} (informer)` });
      }
    }
  }
  return sites;
}

/** Distinct calls of `sites`, sorted by key. */
export function distinctCalls(sites: readonly ApiCall[]): ApiCall[] {
  const byKey = new Map(sites.map((s) => [callKey(s), { group: s.group, resource: s.resource, verb: s.verb }]));
  return [...byKey.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, call]) => call);
}

function isApiMethod(apiClass: string, method: string): boolean {
  const cls = (k8s as unknown as Record<string, { prototype?: Record<string, unknown> } | undefined>)[apiClass];
  return method !== 'constructor' && typeof cls?.prototype?.[method] === 'function';
}

function toCalls(apiClass: string, method: string, file: string): ApiCall[] {
  const name = method.replace(/WithHttpInfo$/, '');
  const verbEntry = VERBS.find(([prefix]) => name.startsWith(prefix) && /[A-Z]/.test(name.charAt(prefix.length)));
  if (!verbEntry) throw new Error(`${file}: cannot tell the RBAC verb of ${apiClass}.${method}`);
  let kind = name.slice(verbEntry[0].length).replace(/^Namespaced/, '').replace(/ForAllNamespaces$/, '');
  const sub = SUBRESOURCES.find(([suffix]) => kind.endsWith(suffix) && kind !== suffix);
  if (sub) kind = kind.slice(0, -sub[0].length);
  if (apiClass === 'CustomObjectsApi') {
    const scoped = GATEWAY_API_RESOURCES.filter((r) => (kind === 'ClusterCustomObject' ? !r.namespaced : kind === 'CustomObject' ? r.namespaced : false))
      // A subresource call can only reach the kinds whose CRD declares that subresource (ReferenceGrant has no status).
      .filter((r) => !sub || CUSTOM_KINDS.some((k) => k.kind === r.kind && k.versions.some((v) => v[sub[1] as 'status'])));
    if (!scoped.length) throw new Error(`${file}: cannot tell the resources of ${apiClass}.${method}`);
    return scoped.map((r) => ({ group: GATEWAY_API_GROUP, resource: sub ? `${r.plural}/${sub[1]}` : r.plural, verb: verbEntry[1] }));
  }
  const type = RESOURCE_TYPES.find((t) => t.kind === kind && clientClassOf(t.group, t.version) === apiClass);
  if (!type) throw new Error(`${file}: ${apiClass}.${method} uses kind ${kind}, which the resource table does not know; add it there`);
  return [{ group: type.group, resource: sub ? `${type.plural}/${sub[1]}` : type.plural, verb: verbEntry[1] }];
}

/** client-node's API class for a group/version: `CoreV1Api`, `NetworkingV1Api`, `RbacAuthorizationV1Api`. */
function clientClassOf(group: string, version: string): string {
  const words = group ? group.replace(/\.k8s\.io$/, '').split('.') : ['core'];
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') + version.charAt(0).toUpperCase() + version.slice(1) + 'Api';
}

/** Drops comments, so a method named in prose is not taken for a call. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}
