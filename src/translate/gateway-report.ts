/**
 * What the Gateway API front door found, per object, for status: the conditions the specification
 * names, with their reasons, in the shape the status writers publish. Pure data; `status` plans the
 * writes from it and the current objects, `sources` writes them.
 */
import type { ObjectRef } from '../store/types.js';

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  /** A reason the specification names (`Accepted`, `NotAllowedByListeners`, `BackendNotFound`, ...). */
  readonly reason: string;
  readonly message: string;
}

export interface GatewayClassReport {
  readonly name: string;
  readonly generation: number;
  readonly conditions: readonly Condition[];
  /** Exactly the features that work, sorted (GatewayClass `status.supportedFeatures`). */
  readonly supportedFeatures: readonly string[];
}

export interface ListenerReport {
  readonly name: string;
  readonly attachedRoutes: number;
  readonly supportedKinds: readonly { readonly group: string; readonly kind: string }[];
  readonly conditions: readonly Condition[];
}

export interface GatewayReport {
  readonly ref: ObjectRef;
  readonly generation: number;
  readonly conditions: readonly Condition[];
  readonly addresses: readonly { readonly type: 'IPAddress' | 'Hostname'; readonly value: string }[];
  readonly listeners: readonly ListenerReport[];
}

/** One parentRef of a route, as the route wrote it (defaults filled in). */
export interface ParentRef {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly sectionName?: string;
  readonly port?: number;
}

export interface RouteReport {
  /** kind `HTTPRoute` or `GRPCRoute`. */
  readonly ref: ObjectRef;
  readonly generation: number;
  /** One per parentRef that names a Gateway of one of our GatewayClasses. */
  readonly parents: readonly { readonly parentRef: ParentRef; readonly conditions: readonly Condition[] }[];
}

/** Everything the Gateway API front door reports; sorted by name (classes) or namespace/name. */
export interface GatewayApiReport {
  /** The `controllerName` written into route parent statuses (`--gateway-controller-name`). */
  readonly controllerName: string;
  readonly gatewayClasses: readonly GatewayClassReport[];
  readonly gateways: readonly GatewayReport[];
  readonly routes: readonly RouteReport[];
}
