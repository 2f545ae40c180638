/**
 * Pods without a kubelet: for every Deployment in the manifests, one echo replica per replica on
 * its own loopback address, a Pod object marked Ready with that address, and for every Service
 * selecting them an EndpointSlice written by hand, ports named as the Service names them.
 */
import crypto from 'node:crypto';
import type { CertificatePair } from '../support/certs.js';
import { startGatewayEcho, type GatewayEcho } from './echo.js';
import type { Manifest } from './manifests.js';

/** The echo's ports inside a "pod": HTTP, h2c and HTTPS. */
export const ECHO_PORTS = { http: 3000, h2c: 3001, https: 8443 } as const;

interface Container {
  name?: string;
  env?: Array<{ name: string; value?: string }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string }>;
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: { containers?: Container[]; volumes?: Array<{ name: string; secret?: { secretName?: string } }> };
}

/** What the runner reads from one Deployment. */
export interface ReplicaSetPlan {
  namespace: string;
  deployment: string;
  replicas: number;
  labels: Record<string, string>;
  /** The Secret whose key pair the echo serves HTTPS with, when the container asks for TLS. */
  tlsSecret?: string;
  /** Echo mode other than HTTP (gRPC, TCP, UDP): such Deployments are not started. */
  otherMode?: string;
}

/** The Deployments of a manifest list, in order. */
export function planReplicaSets(objects: readonly Manifest[]): ReplicaSetPlan[] {
  return objects.filter((o) => o.kind === 'Deployment').map((d) => {
    const spec = (d.spec ?? {}) as { replicas?: number; template?: PodTemplate };
    const template = spec.template ?? {};
    const container = template.spec?.containers?.[0] ?? {};
    const env = new Map((container.env ?? []).map((e) => [e.name, e.value]));
    const other = ['GRPC_ECHO_SERVER', 'TCP_ECHO_SERVER', 'UDP_ECHO_SERVER'].find((k) => env.has(k));
    const tlsVolume = env.has('TLS_SERVER_CERT') ? template.spec?.volumes?.find((v) => v.secret?.secretName) : undefined;
    return {
      namespace: d.metadata.namespace ?? 'default',
      deployment: d.metadata.name,
      replicas: spec.replicas ?? 1,
      labels: template.metadata?.labels ?? {},
      ...(tlsVolume?.secret?.secretName ? { tlsSecret: tlsVolume.secret.secretName } : {}),
      ...(other ? { otherMode: other } : {}),
    };
  });
}

const SUFFIX = 'bcdfghjklmnpqrstvwxz2456789';
function suffix(n: number): string {
  return [...crypto.randomBytes(n)].map((b) => SUFFIX[b % SUFFIX.length]).join('');
}

/** `<deployment>-<hash>-<suffix>`: the suite strips the last two parts to find the backend. */
export function podName(deployment: string): string {
  return `${deployment}-${suffix(10)}-${suffix(5)}`;
}

/** Hands out 127.3.x.y, never the same twice in a run (the Ingress suite's echoes use 127.1.x.y). */
export class LoopbackPool {
  private n = 0;
  constructor(private readonly prefix = '127.3') {}
  next(): string {
    const n = this.n++;
    if (n >= 250 * 250) throw new Error('out of loopback addresses for echo replicas');
    return `${this.prefix}.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  }
}

/** A started replica with the pod it stands for. */
export interface Replica {
  plan: ReplicaSetPlan;
  echo: GatewayEcho;
}

/** Starts every replica of the plans (other echo modes are left out). */
export async function startReplicas(plans: readonly ReplicaSetPlan[], pool: LoopbackPool, secrets: ReadonlyMap<string, CertificatePair>, log?: (pod: string, line: string) => void): Promise<Replica[]> {
  const started: Replica[] = [];
  try {
    for (const plan of plans.filter((p) => !p.otherMode)) {
      const pair = plan.tlsSecret ? secrets.get(`${plan.namespace}/${plan.tlsSecret}`) : undefined;
      for (let i = 0; i < plan.replicas; i++) {
        const name = podName(plan.deployment);
        const echo = await startGatewayEcho({
          host: pool.next(), podName: name, namespace: plan.namespace,
          httpPort: ECHO_PORTS.http, h2cPort: ECHO_PORTS.h2c,
          ...(pair ? { https: { port: ECHO_PORTS.https, ...pair } } : {}),
          ...(log ? { log: (line: string) => log(name, line) } : {}),
        });
        started.push({ plan, echo });
      }
    }
    return started;
  } catch (err) {
    await Promise.all(started.map((r) => r.echo.close()));
    throw err;
  }
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

interface ServicePort { name?: string; port: number; targetPort?: number | string; protocol?: string; appProtocol?: string }

/** The Pod object a replica stands for, Ready, with its address. */
export function podFor(r: Replica): Manifest {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: r.echo.podName, namespace: r.plan.namespace, labels: r.plan.labels },
    spec: { nodeName: 'loopback', containers: [{ name: r.plan.deployment, image: 'echo' }] },
    status: { phase: 'Running', podIP: r.echo.host, podIPs: [{ ip: r.echo.host }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/** The EndpointSlice of each selecting Service, listing the replicas it selects. */
export function endpointSlicesFor(services: readonly Manifest[], replicas: readonly Replica[]): Manifest[] {
  const out: Manifest[] = [];
  for (const svc of services.filter((s) => s.kind === 'Service')) {
    const spec = (svc.spec ?? {}) as { selector?: Record<string, string>; ports?: ServicePort[] };
    const ns = svc.metadata.namespace ?? 'default';
    const chosen = replicas.filter((r) => r.plan.namespace === ns && selects(spec.selector ?? {}, r.plan.labels));
    if (!chosen.length) continue;
    out.push({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: `${svc.metadata.name}-loopback`, namespace: ns, labels: { 'kubernetes.io/service-name': svc.metadata.name } },
      addressType: 'IPv4',
      endpoints: chosen.map((r) => ({ addresses: [r.echo.host], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', name: r.echo.podName, namespace: ns } })),
      ports: (spec.ports ?? []).map((p) => ({ name: p.name ?? '', port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) })),
    });
  }
  return out;
}
