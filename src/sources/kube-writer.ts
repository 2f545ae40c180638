import * as k8s from '@kubernetes/client-node';
import { GATEWAY_API_GROUP, GATEWAY_API_KINDS, type GatewayApiKind, type LoadBalancerIngress, type ObjectRef } from '../store/types.js';
import { GATEWAY_API_RESOURCES, type InstalledKind } from './gateway-api.js';

export interface EventRecord {
  ref: ObjectRef & { uid?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** A Gateway API object's new status, conditional on the resourceVersion it was planned from. */
export interface GatewayStatusPatch {
  ref: ObjectRef;
  resourceVersion: string;
  status: object;
}

/**
 * The controller's writes to the Kubernetes API: Ingress and Gateway API status, and Events. Kept
 * beside the watch so that only `sources` knows the Kubernetes client.
 */
export class KubeWriter {
  private readonly net: k8s.NetworkingV1Api;
  private readonly core: k8s.CoreV1Api;
  private readonly custom: k8s.CustomObjectsApi;
  /** The version each Gateway API kind is written at: what the CRD check found served, else v1. */
  private readonly gatewayVersions = new Map<GatewayApiKind, string>();

  constructor(kubeConfig: k8s.KubeConfig, private readonly component = 'portcullis') {
    this.net = kubeConfig.makeApiClient(k8s.NetworkingV1Api);
    this.core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    this.custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  }

  /** Writes each kind at the version the watch reads it at (from the CRD check). */
  useGatewayApiVersions(installed: readonly InstalledKind[]): void {
    for (const { resource, version } of installed) this.gatewayVersions.set(resource.kind, version);
  }

  /**
   * Merge-patches the `status` subresource of a GatewayClass, Gateway, HTTPRoute or GRPCRoute. The
   * patch carries `metadata.resourceVersion`, so the API server refuses it (409 Conflict) when the
   * object changed since the status was planned: route parents are shared with other controllers,
   * and a write over an entry they just made would erase it.
   */
  async writeGatewayApiStatus(patch: GatewayStatusPatch): Promise<void> {
    const kind = patch.ref.kind as GatewayApiKind;
    const resource = GATEWAY_API_RESOURCES.find((r) => r.kind === kind);
    if (!resource || kind === 'ReferenceGrant') throw new Error(`${patch.ref.kind} is not a Gateway API kind with a status`);
    const request = {
      group: GATEWAY_API_GROUP,
      version: this.gatewayVersions.get(kind) ?? resource.versions[0],
      plural: resource.plural,
      name: patch.ref.name,
      body: { metadata: { resourceVersion: patch.resourceVersion }, status: patch.status },
    };
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    if (resource.namespaced) await this.custom.patchNamespacedCustomObjectStatus({ ...request, namespace: patch.ref.namespace }, merge);
    else await this.custom.patchClusterCustomObjectStatus(request, merge);
  }

  /** Merge-patches `status.loadBalancer.ingress` (an empty list clears it). */
  async writeIngressStatus(ref: ObjectRef, ingress: LoadBalancerIngress[]): Promise<void> {
    await this.net.patchNamespacedIngressStatus(
      { name: ref.name, namespace: ref.namespace, body: { status: { loadBalancer: { ingress } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  }

  async recordEvent(event: EventRecord, now: Date): Promise<void> {
    const apiVersion = apiVersionOf(event.ref.kind);
    const namespace = event.ref.namespace || 'default';
    await this.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { generateName: `${event.ref.name}.`, namespace },
        involvedObject: { apiVersion, kind: event.ref.kind, name: event.ref.name, namespace: event.ref.namespace || undefined, uid: event.ref.uid || undefined },
        type: event.type,
        reason: event.reason,
        message: event.message,
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: this.component,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}

function apiVersionOf(kind: ObjectRef['kind']): string {
  if (kind === 'Ingress' || kind === 'IngressClass') return 'networking.k8s.io/v1';
  if (kind === 'EndpointSlice') return 'discovery.k8s.io/v1';
  if ((GATEWAY_API_KINDS as readonly string[]).includes(kind)) return `${GATEWAY_API_GROUP}/v1`;
  return 'v1';
}
