import * as k8s from '@kubernetes/client-node';
import { GATEWAY_API_GROUP, type GatewayApiKind } from '../store/types.js';

/** The Gateway API bundle the controller is built and tested against. */
export const GATEWAY_API_BUNDLE = 'v1.6.1';
/** Annotation on every upstream Gateway API CRD naming its bundle. */
export const BUNDLE_VERSION_ANNOTATION = 'gateway.networking.k8s.io/bundle-version';

/** How the controller reads one Gateway API kind. */
export interface GatewayApiResource {
  readonly kind: GatewayApiKind;
  readonly plural: string;
  readonly namespaced: boolean;
  /** API versions whose shape the controller reads, preferred first; a CRD must serve one of them. */
  readonly versions: readonly string[];
}

/**
 * The Gateway API kinds watched, with the versions read. Older versions with the same schema
 * (v1beta1) are accepted so a cluster with an older bundle still works; v1alpha versions, whose
 * fields differ, are not.
 */
export const GATEWAY_API_RESOURCES: readonly GatewayApiResource[] = [
  { kind: 'GatewayClass', plural: 'gatewayclasses', namespaced: false, versions: ['v1', 'v1beta1'] },
  { kind: 'Gateway', plural: 'gateways', namespaced: true, versions: ['v1', 'v1beta1'] },
  { kind: 'HTTPRoute', plural: 'httproutes', namespaced: true, versions: ['v1', 'v1beta1'] },
  { kind: 'GRPCRoute', plural: 'grpcroutes', namespaced: true, versions: ['v1'] },
  { kind: 'ReferenceGrant', plural: 'referencegrants', namespaced: true, versions: ['v1', 'v1beta1'] },
  { kind: 'BackendTLSPolicy', plural: 'backendtlspolicies', namespaced: true, versions: ['v1'] },
];

/** `httproutes.gateway.networking.k8s.io`: the CRD that defines a kind. */
export function crdName(resource: GatewayApiResource): string {
  return `${resource.plural}.${GATEWAY_API_GROUP}`;
}

/** A kind whose CRD is installed at a version the controller reads. */
export interface InstalledKind {
  readonly resource: GatewayApiResource;
  readonly version: string;
}

/** A kind that cannot be watched, and what was found instead. */
export interface MissingKind {
  readonly resource: GatewayApiResource;
  /** `not installed`, `serves only v1alpha2`, or why the CRD could not be read. */
  readonly reason: string;
}

/** What the CRD check found: per kind, watch it or say why not. */
export interface GatewayApiCheck {
  readonly installed: readonly InstalledKind[];
  readonly missing: readonly MissingKind[];
  /** The distinct `bundle-version` annotations of the CRDs found (empty when none is installed). */
  readonly bundleVersions: readonly string[];
}

/**
 * Reads the Gateway API CRDs by name (one GET each, so RBAC can name exactly these six) and decides
 * per kind. A CRD that cannot be read counts as missing with the reason, so Ingress keeps working.
 */
export async function checkGatewayApiCrds(kubeConfig: k8s.KubeConfig): Promise<GatewayApiCheck> {
  const ext = kubeConfig.makeApiClient(k8s.ApiextensionsV1Api);
  const installed: InstalledKind[] = [];
  const missing: MissingKind[] = [];
  const bundles = new Set<string>();
  await Promise.all(GATEWAY_API_RESOURCES.map(async (resource) => {
    let crd: k8s.V1CustomResourceDefinition;
    try {
      crd = await ext.readCustomResourceDefinition({ name: crdName(resource) });
    } catch (err) {
      const notFound = err instanceof k8s.ApiException && err.code === 404;
      missing.push({ resource, reason: notFound ? 'not installed' : `could not be read: ${(err as Error).message.split('\n')[0]}` });
      return;
    }
    const bundle = crd.metadata?.annotations?.[BUNDLE_VERSION_ANNOTATION];
    if (bundle) bundles.add(bundle);
    const served = crd.spec.versions.filter((v) => v.served).map((v) => v.name);
    const version = resource.versions.find((v) => served.includes(v));
    if (version) installed.push({ resource, version });
    else missing.push({ resource, reason: `serves ${served.join(', ') || 'no version'}, not ${resource.versions.join(' or ')}` });
  }));
  const order = (a: { resource: GatewayApiResource }, b: { resource: GatewayApiResource }) => GATEWAY_API_RESOURCES.indexOf(a.resource) - GATEWAY_API_RESOURCES.indexOf(b.resource);
  return { installed: installed.sort(order), missing: missing.sort(order), bundleVersions: [...bundles].sort() };
}

/** The one log line for missing kinds: which CRDs, why, the bundle found, and what to install. */
export function describeMissing(check: GatewayApiCheck, waiting = false): string {
  const crds = check.missing.map((m) => `${crdName(m.resource)} (${m.reason})`).join(', ');
  const found = check.bundleVersions.length ? check.bundleVersions.join(', ') : 'none';
  const kinds = check.missing.map((m) => m.resource.kind).join(', ');
  const until = waiting ? 'the controller is not ready until they are installed (--gateway-api on)' : `${kinds} not served until they are installed and the controller restarted; Ingresses are served`;
  return `Gateway API CRDs missing: ${crds}; bundle version found: ${found}; install the Gateway API ${GATEWAY_API_BUNDLE} CRDs: ${until}`;
}
