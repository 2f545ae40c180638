/**
 * Backends for an Ingress without pods: one local echo server per replica,
 * and a selector-less Service with hand-written Endpoints and EndpointSlice
 * pointing at them (README §2.3 "local-process equivalent").
 */
import crypto from 'node:crypto';
import type { V1EndpointSlice, V1Endpoints, V1Ingress, V1IngressBackend, V1Service } from '@kubernetes/client-node';
import { startEchoServer, type EchoServer } from '../support/echo-server.js';

/** A backend service the Ingress references, deduplicated by name. */
export interface BackendRef {
  service: string;
  /** The Service port number: the backend's number, or 8080 when it names the port. */
  port: number;
  /** Set when the backend references the port by name. */
  portName?: string;
}

/**
 * Backends in upstream order: `defaultBackend` first, then every rule path;
 * a service seen before is skipped (one Deployment per service name).
 */
export function backendRefs(ingress: V1Ingress): BackendRef[] {
  const refs = new Map<string, BackendRef>();
  const add = (backend: V1IngressBackend | undefined) => {
    const svc = backend?.service;
    if (!svc?.name || refs.has(svc.name)) return;
    const portName = svc.port?.name || undefined;
    refs.set(svc.name, { service: svc.name, port: svc.port?.number ?? 8080, ...(portName ? { portName } : {}) });
  };
  add(ingress.spec?.defaultBackend);
  for (const rule of ingress.spec?.rules ?? []) {
    for (const p of rule.http?.paths ?? []) add(p.backend);
  }
  return [...refs.values()];
}

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A Kubernetes-style random name suffix (`generateName` alphabet). */
export function randomSuffix(length = 5): string {
  const bytes = crypto.randomBytes(length);
  return [...bytes].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
}

/**
 * Hands out listen addresses for echo servers. Loopback mode gives every
 * replica its own 127.1.x.y on port 3000, never reusing one within a run so
 * stale routes cannot hit a newer backend by accident. Fixed mode (cluster
 * mode) puts every replica on one address with a free port.
 */
export class AddressAllocator {
  private counter = 0;

  constructor(private readonly fixedAddress?: string) {}

  next(): { host: string; port: number } {
    if (this.fixedAddress) return { host: this.fixedAddress, port: 0 };
    const n = this.counter++;
    if (n >= 250 * 250) throw new Error('out of loopback addresses for echo backends');
    return { host: `127.1.${Math.floor(n / 250)}.${(n % 250) + 1}`, port: 3000 };
  }
}

/** Identity of the pod a replica stands in for. */
export interface ReplicaEnv {
  namespace: string;
  ingress: string;
  service: string;
}

/** Starts one echo replica, skipping addresses that turn out to be busy. */
export async function startReplica(alloc: AddressAllocator, env: ReplicaEnv): Promise<EchoServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const { host, port } = alloc.next();
    try {
      return await startEchoServer({
        host,
        port,
        env: {
          POD_NAME: `${env.ingress}-${env.service}-${randomSuffix(10)}-${randomSuffix(5)}`,
          NAMESPACE: env.namespace,
          INGRESS_NAME: env.ingress,
          SERVICE_NAME: env.service,
        },
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      lastError = err;
    }
  }
  throw lastError;
}

/** The selector-less ClusterIP Service for a backend. */
export function serviceFor(ref: BackendRef, namespace: string, targetPort = 3000): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: ref.service, namespace },
    spec: {
      type: 'ClusterIP',
      ports: [{ port: ref.port, targetPort, protocol: 'TCP', ...(ref.portName ? { name: ref.portName } : {}) }],
    },
  };
}

/** Replica addresses grouped by port: one Endpoints subset / EndpointSlice each. */
function byPort(replicas: readonly EchoServer[]): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const r of replicas) groups.set(r.port, [...(groups.get(r.port) ?? []), r.host]);
  return groups;
}

/** Endpoints listing every replica as ready. */
export function endpointsFor(ref: BackendRef, namespace: string, replicas: readonly EchoServer[]): V1Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: ref.service, namespace },
    subsets: [...byPort(replicas)].map(([port, ips]) => ({
      addresses: ips.map((ip) => ({ ip })),
      ports: [{ port, protocol: 'TCP', ...(ref.portName ? { name: ref.portName } : {}) }],
    })),
  };
}

/**
 * EndpointSlices listing every replica as ready and serving. `names` holds
 * the slice name per port and is extended with a fresh `<service>-xxxxx`
 * name for a port not seen before, so rewrites replace the same objects.
 */
export function endpointSlicesFor(
  ref: BackendRef,
  namespace: string,
  replicas: readonly EchoServer[],
  names: Map<number, string>,
): V1EndpointSlice[] {
  return [...byPort(replicas)].map(([port, ips]) => {
    if (!names.has(port)) names.set(port, `${ref.service}-${randomSuffix()}`);
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: names.get(port)!, namespace, labels: { 'kubernetes.io/service-name': ref.service } },
      addressType: 'IPv4',
      endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } })),
      ports: [{ port, protocol: 'TCP', name: ref.portName ?? '' }],
    };
  });
}
