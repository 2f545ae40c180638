import * as k8s from '@kubernetes/client-node';
import type { LoadBalancerIngress, ObjectRef } from '../store/types.js';

export interface EventRecord {
  ref: ObjectRef & { uid?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * The controller's writes to the Kubernetes API: Ingress status and Events. Kept beside the
 * watch so that only `sources` knows the Kubernetes client.
 */
export class KubeWriter {
  private readonly net: k8s.NetworkingV1Api;
  private readonly core: k8s.CoreV1Api;

  constructor(kubeConfig: k8s.KubeConfig, private readonly component = 'portcullis') {
    this.net = kubeConfig.makeApiClient(k8s.NetworkingV1Api);
    this.core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  }

  /** Merge-patches `status.loadBalancer.ingress` (an empty list clears it). */
  async writeIngressStatus(ref: ObjectRef, ingress: LoadBalancerIngress[]): Promise<void> {
    await this.net.patchNamespacedIngressStatus(
      { name: ref.name, namespace: ref.namespace, body: { status: { loadBalancer: { ingress } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  }

  async recordEvent(event: EventRecord, now: Date): Promise<void> {
    const apiVersion = event.ref.kind === 'Ingress' || event.ref.kind === 'IngressClass' ? 'networking.k8s.io/v1' : event.ref.kind === 'EndpointSlice' ? 'discovery.k8s.io/v1' : 'v1';
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
