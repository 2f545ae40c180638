/**
 * The Gateway API kinds of bundle v1.6.1 as data (group, versions, plural, scope, subresources),
 * and CustomResourceDefinitions built from it, so tests can install Gateway API into the test
 * apiserver without anything beside the repository. `readUpstreamCrds` loads the upstream CRD
 * YAML instead when a copy is at hand (the conformance runner); a test keeps the two in step.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isPlainObject, type KubeObject } from './json-value.js';

// The names the controller reads, so the test server and the code cannot disagree on them.
import { BUNDLE_VERSION_ANNOTATION, GATEWAY_API_BUNDLE } from '../../../src/sources/gateway-api.js';
import { GATEWAY_API_GROUP } from '../../../src/store/gateway-types.js';

export { BUNDLE_VERSION_ANNOTATION, GATEWAY_API_BUNDLE, GATEWAY_API_GROUP };
export const CHANNEL_ANNOTATION = 'gateway.networking.k8s.io/channel';

/** One version of a custom kind as its CRD declares it. */
export interface CustomVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly status: boolean;
}

/** One custom kind: what its CRD's `spec` says about names, scope and versions. */
export interface CustomKind {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly scope: 'Namespaced' | 'Cluster';
  readonly versions: readonly CustomVersion[];
}

const v = (name: string, served: boolean, storage: boolean, status: boolean): CustomVersion => ({ name, served, storage, status });

/** The standard-channel kinds of v1.6.1 that routing reads (TCP/TLS/UDP routes and ListenerSets left out). */
export const GATEWAY_API_KINDS: readonly CustomKind[] = Object.freeze([
  { kind: 'GatewayClass', plural: 'gatewayclasses', singular: 'gatewayclass', shortNames: ['gc'], scope: 'Cluster', versions: [v('v1', true, true, true), v('v1beta1', true, false, true)] },
  { kind: 'Gateway', plural: 'gateways', singular: 'gateway', shortNames: ['gtw'], scope: 'Namespaced', versions: [v('v1', true, true, true), v('v1beta1', true, false, true)] },
  { kind: 'HTTPRoute', plural: 'httproutes', singular: 'httproute', shortNames: [], scope: 'Namespaced', versions: [v('v1', true, true, true), v('v1beta1', true, false, true)] },
  { kind: 'GRPCRoute', plural: 'grpcroutes', singular: 'grpcroute', shortNames: [], scope: 'Namespaced', versions: [v('v1', true, true, true)] },
  // v1beta1 stays the storage version of ReferenceGrant in v1.6.1; it has no status.
  { kind: 'ReferenceGrant', plural: 'referencegrants', singular: 'referencegrant', shortNames: ['refgrant'], scope: 'Namespaced', versions: [v('v1', true, false, false), v('v1beta1', true, true, false)] },
  { kind: 'BackendTLSPolicy', plural: 'backendtlspolicies', singular: 'backendtlspolicy', shortNames: ['btlspolicy'], scope: 'Namespaced', versions: [v('v1', true, true, true), v('v1alpha3', false, false, true)] },
]);

/** Options of {@link gatewayApiCrd}. */
export interface CrdOptions {
  /** The `bundle-version` annotation; default v1.6.1. */
  bundleVersion?: string;
  channel?: string;
  /** Replaces the kind's versions, e.g. to install an older bundle's shape. */
  versions?: readonly CustomVersion[];
}

/** The CRD of one custom kind, with an open schema (the test apiserver does not validate schemas). */
export function customResourceDefinition(group: string, kind: CustomKind, annotations: Record<string, string> = {}, versions = kind.versions): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${kind.plural}.${group}`, annotations },
    spec: {
      group,
      names: { kind: kind.kind, listKind: `${kind.kind}List`, plural: kind.plural, singular: kind.singular, ...(kind.shortNames.length ? { shortNames: [...kind.shortNames] } : {}) },
      scope: kind.scope,
      versions: versions.map((version) => ({
        name: version.name,
        served: version.served,
        storage: version.storage,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        ...(version.status ? { subresources: { status: {} } } : {}),
      })),
    },
  };
}

/** The CRD of a Gateway API kind by name (`HTTPRoute`), annotated like the upstream bundle. */
export function gatewayApiCrd(kindName: string, options: CrdOptions = {}): KubeObject {
  const kind = GATEWAY_API_KINDS.find((k) => k.kind === kindName);
  if (!kind) throw new Error(`${kindName} is not a Gateway API kind the test apiserver knows`);
  const annotations = { [BUNDLE_VERSION_ANNOTATION]: options.bundleVersion ?? GATEWAY_API_BUNDLE, [CHANNEL_ANNOTATION]: options.channel ?? 'standard' };
  return customResourceDefinition(GATEWAY_API_GROUP, kind, annotations, options.versions ?? kind.versions);
}

/** The CRDs of every Gateway API kind in {@link GATEWAY_API_KINDS}, or of the kinds named. */
export function gatewayApiCrds(options: CrdOptions & { kinds?: readonly string[] } = {}): KubeObject[] {
  return (options.kinds ?? GATEWAY_API_KINDS.map((k) => k.kind)).map((kind) => gatewayApiCrd(kind, options));
}

/** `<repo>/../shared/conformance/gateway/crds/<channel>`: where the upstream CRDs are kept beside the repository. */
export function upstreamCrdDir(repoRoot: string, channel: 'standard' | 'experimental' = 'standard'): string {
  return join(repoRoot, '..', 'shared', 'conformance', 'gateway', 'crds', channel);
}

/** Every CustomResourceDefinition in the YAML files of `dir` (e.g. an upstream `crds/standard`). */
export function readUpstreamCrds(dir: string): KubeObject[] {
  const crds: KubeObject[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const obj: unknown = doc.toJS();
      if (isPlainObject(obj) && obj.kind === 'CustomResourceDefinition' && isPlainObject(obj.metadata)) crds.push(obj as KubeObject);
    }
  }
  return crds;
}
