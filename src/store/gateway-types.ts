/**
 * Normalised Gateway API objects (gateway.networking.k8s.io, bundle v1.6.1), and Namespaces for
 * `allowedRoutes.namespaces.from: Selector`. Sources fill in the defaults the CRD schemas declare
 * (a manifest folder has no API server to apply them), so `translate` reads one shape whatever the
 * object came from. Enumerated values stay plain strings: a value this version does not know must
 * reach `translate` so it can be reported (`UnsupportedValue`), not be dropped here.
 */
import type { ObjectMeta } from './types.js';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: { key: string; operator: string; values: string[] }[];
}

/** A reference to a kind in a group; `group` '' is the core group. */
export interface GroupKind {
  group: string;
  kind: string;
}

/** SecretObjectReference, BackendObjectReference and friends: defaults filled (group '', kind per field). */
export interface ObjectReference extends GroupKind {
  name: string;
  namespace?: string;
  port?: number;
}

/** ParentReference: group and kind default to gateway.networking.k8s.io Gateway. */
export interface ParentReference extends GroupKind {
  name: string;
  namespace?: string;
  sectionName?: string;
  port?: number;
}

export interface GatewayClass {
  kind: 'GatewayClass';
  metadata: ObjectMeta;
  spec: { controllerName: string; parametersRef?: ObjectReference; description?: string };
  status: { conditions: Condition[]; supportedFeatures: { name: string }[] };
}

export interface RouteNamespaces {
  /** Same (default), All, Selector, or a value to report. */
  from: string;
  selector?: LabelSelector;
}

export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  tls?: { mode: string; certificateRefs: ObjectReference[]; options: Record<string, string> };
  allowedRoutes: { namespaces: RouteNamespaces; kinds: GroupKind[] };
}

export interface GatewayAddress {
  /** IPAddress (default), Hostname, or an implementation-specific type. */
  type: string;
  value: string;
}

export interface ListenerStatus {
  name: string;
  supportedKinds: GroupKind[];
  attachedRoutes: number;
  conditions: Condition[];
}

export interface Gateway {
  kind: 'Gateway';
  metadata: ObjectMeta;
  spec: {
    gatewayClassName: string; listeners: Listener[]; addresses: GatewayAddress[];
    /** `infrastructure.parametersRef`: implementation parameters (Portcullis has none to read). */
    parametersRef?: ObjectReference;
  };
  status: { addresses: GatewayAddress[]; conditions: Condition[]; listeners: ListenerStatus[] };
}

export interface HeaderChange {
  name: string;
  value: string;
}

export interface HeaderModifier {
  set: HeaderChange[];
  add: HeaderChange[];
  remove: string[];
}

/** HTTPPathModifier: ReplaceFullPath or ReplacePrefixMatch. */
export interface PathModifier {
  type: string;
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

export interface HTTPCors {
  allowOrigins: string[];
  allowCredentials?: boolean;
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge?: number;
}

/** One filter; the member named by `type` is set (RequestHeaderModifier → requestHeaderModifier, ...). */
export interface RouteFilter {
  type: string;
  requestHeaderModifier?: HeaderModifier;
  responseHeaderModifier?: HeaderModifier;
  requestRedirect?: { scheme?: string; hostname?: string; path?: PathModifier; port?: number; statusCode: number };
  urlRewrite?: { hostname?: string; path?: PathModifier };
  requestMirror?: { backendRef: ObjectReference; percent?: number; fraction?: { numerator: number; denominator: number } };
  cors?: HTTPCors;
  extensionRef?: ObjectReference;
}

/** A backendRef: group '' and kind Service by default, weight 1 by default. */
export interface BackendRef extends ObjectReference {
  weight: number;
  filters: RouteFilter[];
}

/** Path, header and query parameter matches; `type` defaults to PathPrefix (path) or Exact. */
export interface HTTPRouteMatch {
  path: { type: string; value: string };
  headers: { type: string; name: string; value: string }[];
  queryParams: { type: string; name: string; value: string }[];
  method?: string;
}

export interface HTTPRouteRule {
  name?: string;
  matches: HTTPRouteMatch[];
  filters: RouteFilter[];
  backendRefs: BackendRef[];
  /** Gateway API durations as written (`10s`, `500ms`). */
  timeouts?: { request?: string; backendRequest?: string };
  /** Experimental channel. */
  retry?: { codes: number[]; attempts?: number; backoff?: string };
}

export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

/** Route status is shared by every controller a route names; entries of others are kept as they are. */
export interface RouteStatus {
  parents: RouteParentStatus[];
}

export interface HTTPRoute {
  kind: 'HTTPRoute';
  metadata: ObjectMeta;
  spec: { parentRefs: ParentReference[]; hostnames: string[]; rules: HTTPRouteRule[] };
  status: RouteStatus;
}

export interface GRPCRouteMatch {
  /** `type` defaults to Exact. */
  method?: { type: string; service?: string; method?: string };
  headers: { type: string; name: string; value: string }[];
}

export interface GRPCRouteRule {
  name?: string;
  matches: GRPCRouteMatch[];
  filters: RouteFilter[];
  backendRefs: BackendRef[];
}

export interface GRPCRoute {
  kind: 'GRPCRoute';
  metadata: ObjectMeta;
  spec: { parentRefs: ParentReference[]; hostnames: string[]; rules: GRPCRouteRule[] };
  status: RouteStatus;
}

export interface ReferenceGrant {
  kind: 'ReferenceGrant';
  metadata: ObjectMeta;
  spec: { from: (GroupKind & { namespace: string })[]; to: (GroupKind & { name?: string })[] };
}

export interface PolicyAncestorStatus {
  ancestorRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

export interface BackendTLSPolicy {
  kind: 'BackendTLSPolicy';
  metadata: ObjectMeta;
  spec: {
    targetRefs: (GroupKind & { name: string; sectionName?: string })[];
    validation: {
      caCertificateRefs: ObjectReference[];
      wellKnownCACertificates?: string;
      hostname: string;
      subjectAltNames: { type: string; hostname?: string; uri?: string }[];
    };
    options: Record<string, string>;
  };
  status: { ancestors: PolicyAncestorStatus[] };
}

/** Only the labels matter (listener namespace selectors); cluster-scoped, so `metadata.namespace` is ''. */
export interface Namespace {
  kind: 'Namespace';
  metadata: ObjectMeta;
}
