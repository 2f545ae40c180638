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
