/**
 * Normalised Kubernetes objects: the only shapes `translate` ever sees.
 *
 * Sources (the API watch, a manifest folder) convert whatever they read into these plain, JSON-safe
 * structures: timestamps are ISO strings (list responses carry `Date` objects, watch events raw JSON),
 * optional arrays and maps are always present, and nothing here depends on the Kubernetes client.
 */

import type {
  BackendTLSPolicy, Gateway, GatewayClass, GRPCRoute, HTTPRoute, Namespace, ReferenceGrant,
} from './gateway-types.js';

export * from './gateway-types.js';

export type IngressKind = 'Ingress' | 'IngressClass' | 'Service' | 'EndpointSlice' | 'Secret' | 'ConfigMap';
/** Kinds of gateway.networking.k8s.io; watched only where their CRDs are installed. */
export type GatewayApiKind = 'GatewayClass' | 'Gateway' | 'HTTPRoute' | 'GRPCRoute' | 'ReferenceGrant' | 'BackendTLSPolicy';
export type Kind = IngressKind | GatewayApiKind | 'Namespace';

export const GATEWAY_API_KINDS: readonly GatewayApiKind[] = ['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant', 'BackendTLSPolicy'];

export const KINDS: readonly Kind[] = ['Ingress', 'IngressClass', 'Service', 'EndpointSlice', 'Secret', 'ConfigMap', ...GATEWAY_API_KINDS, 'Namespace'];

/** Kinds without a namespace: their store key is the name alone. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<Kind> = new Set<Kind>(['IngressClass', 'GatewayClass', 'Namespace']);

export interface ObjectMeta {
  /** Empty for cluster-scoped kinds (IngressClass, GatewayClass, Namespace). */
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  generation: number;
  /** ISO 8601; used to resolve conflicts deterministically (oldest wins). */
  creationTimestamp: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Identifies one object; the `source` of every diagnostic and model item. */
export interface ObjectRef {
  kind: Kind;
  namespace: string;
  name: string;
}

export interface ServiceBackendPort {
  name?: string;
  number?: number;
}

export interface IngressBackend {
  service?: { name: string; port: ServiceBackendPort };
  /** Resource backends are not supported; kept so translate can report them. */
  resource?: { apiGroup?: string; kind: string; name: string };
}

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface HTTPIngressPath {
  path?: string;
  pathType: PathType;
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths: HTTPIngressPath[] };
}

export interface IngressTLS {
  hosts: string[];
  secretName?: string;
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
}

export interface Ingress {
  kind: 'Ingress';
  metadata: ObjectMeta;
  spec: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    tls: IngressTLS[];
    rules: IngressRule[];
  };
  status: { loadBalancer: { ingress: LoadBalancerIngress[] } };
}

export interface IngressClass {
  kind: 'IngressClass';
  metadata: ObjectMeta;
  spec: { controller: string };
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

export interface Service {
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    type?: string;
    externalName?: string;
    clusterIP?: string;
    selector?: Record<string, string>;
    externalIPs?: string[];
    ports: ServicePort[];
  };
  /** Read for `--publish-service`: the address written into Ingress status. */
  status?: { loadBalancer: { ingress: LoadBalancerIngress[] } };
}

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface Endpoint {
  addresses: string[];
  conditions: EndpointConditions;
  /** Pod name when the slice was written by the endpoint-slice controller; shown in the admin API. */
  targetRef?: { kind?: string; name?: string; namespace?: string };
}

export interface EndpointPort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSlice {
  kind: 'EndpointSlice';
  /** `labels['kubernetes.io/service-name']` names the owning Service. */
  metadata: ObjectMeta;
  addressType: string;
  endpoints: Endpoint[];
  ports: EndpointPort[];
}

export interface Secret {
  kind: 'Secret';
  metadata: ObjectMeta;
  type: string;
  /** Base64-encoded values, as the API serves them (`stringData` is folded in by sources). */
  data: Record<string, string>;
  /**
   * Set when the source dropped the data because nothing referenced the Secret when it was read
   * (store/references.ts); the source fetches the data once something does.
   */
  trimmed?: true;
}

export interface ConfigMap {
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data: Record<string, string>;
}

export type KubeObject = Ingress | IngressClass | Service | EndpointSlice | Secret | ConfigMap
  | GatewayClass | Gateway | HTTPRoute | GRPCRoute | ReferenceGrant | BackendTLSPolicy | Namespace;

export interface KindMap {
  Ingress: Ingress;
  IngressClass: IngressClass;
  Service: Service;
  EndpointSlice: EndpointSlice;
  Secret: Secret;
  ConfigMap: ConfigMap;
  GatewayClass: GatewayClass;
  Gateway: Gateway;
  HTTPRoute: HTTPRoute;
  GRPCRoute: GRPCRoute;
  ReferenceGrant: ReferenceGrant;
  BackendTLSPolicy: BackendTLSPolicy;
  Namespace: Namespace;
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(meta: { namespace: string; name: string }): string {
  return meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
}

export function refOf(obj: KubeObject): ObjectRef {
  return { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name };
}

/** An immutable view of everything the controller watches, keyed by `objectKey`. */
export interface Snapshot {
  ingresses: ReadonlyMap<string, Ingress>;
  ingressClasses: ReadonlyMap<string, IngressClass>;
  services: ReadonlyMap<string, Service>;
  endpointSlices: ReadonlyMap<string, EndpointSlice>;
  secrets: ReadonlyMap<string, Secret>;
  configMaps: ReadonlyMap<string, ConfigMap>;
  gatewayClasses: ReadonlyMap<string, GatewayClass>;
  gateways: ReadonlyMap<string, Gateway>;
  httpRoutes: ReadonlyMap<string, HTTPRoute>;
  grpcRoutes: ReadonlyMap<string, GRPCRoute>;
  referenceGrants: ReadonlyMap<string, ReferenceGrant>;
  backendTLSPolicies: ReadonlyMap<string, BackendTLSPolicy>;
  /** Only while Gateway API kinds are watched (listener namespace selectors need the labels). */
  namespaces: ReadonlyMap<string, Namespace>;
}

/** The Snapshot field that holds each kind. */
export const SNAPSHOT_FIELDS: { readonly [K in Kind]: keyof Snapshot } = {
  Ingress: 'ingresses',
  IngressClass: 'ingressClasses',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  Secret: 'secrets',
  ConfigMap: 'configMaps',
  GatewayClass: 'gatewayClasses',
  Gateway: 'gateways',
  HTTPRoute: 'httpRoutes',
  GRPCRoute: 'grpcRoutes',
  ReferenceGrant: 'referenceGrants',
  BackendTLSPolicy: 'backendTLSPolicies',
  Namespace: 'namespaces',
};

/** A snapshot with nothing in it, for tests and for callers that fill only some kinds. */
export function emptySnapshot(): Snapshot {
  const fields = Object.values(SNAPSHOT_FIELDS).map((field) => [field, new Map()]);
  return Object.fromEntries(fields) as unknown as Snapshot;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** One effective write to the store, as its 'change' event reports it. */
export interface StoreChange {
  readonly kind: Kind;
  readonly key: string;
  readonly type: 'upsert' | 'delete';
  /** The object as it is now (absent after a delete). */
  readonly object?: KubeObject;
  /** The object as it was before this change (absent when it is new). */
  readonly previous?: KubeObject;
}
