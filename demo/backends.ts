/**
 * The demo's stand-in pods: an echo server for every endpoint the manifest folder's EndpointSlices
 * list, answering with the names a pod in a cluster would have in its environment (pod, namespace,
 * Service, and the Ingress routing to that Service, as the conformance echo contract sets them).
 */
import { readFile } from 'node:fs/promises';
import { listManifestFiles, parseManifests } from '../src/sources/manifest-source.js';
import { TreeWatcher } from '../src/sources/watch-tree.js';
import type { Ingress, IngressBackend } from '../src/store/types.js';
import { startEchoServer, type EchoEnv, type EchoServer } from '../test/support/echo-server.js';

/** One listed endpoint and who it is. Services and Ingresses are sorted, and joined by "," when echoed. */
export interface DemoEndpoint {
  address: string;
  port: number;
  pod: string;
  namespace: string;
  services: string[];
  ingresses: string[];
}

/** Every address:port the folder's EndpointSlices list. A file that does not parse is skipped: the controller reports it. */
export async function listedEndpoints(dir: string): Promise<Map<string, DemoEndpoint>> {
  const objects = [];
  for (const file of await listManifestFiles(dir)) {
    try {
      objects.push(...parseManifests(await readFile(file, 'utf8')));
    } catch {
      continue;
    }
  }
  // Which Ingresses name each Service (namespace/name): what INGRESS_NAME is for that Service's pods.
  const ingressesOf = new Map<string, Set<string>>();
  for (const ingress of objects) {
    if (ingress.kind !== 'Ingress') continue;
    for (const service of backendServices(ingress)) {
      const key = `${ingress.metadata.namespace}/${service}`;
      ingressesOf.set(key, (ingressesOf.get(key) ?? new Set()).add(ingress.metadata.name));
    }
  }
  const found = new Map<string, DemoEndpoint>();
  for (const slice of objects) {
    if (slice.kind !== 'EndpointSlice') continue;
    const namespace = slice.metadata.namespace;
    const service = slice.metadata.labels['kubernetes.io/service-name'] ?? '';
    for (const endpoint of slice.endpoints) {
      for (const address of endpoint.addresses) {
        for (const port of slice.ports) {
          if (!port.port) continue;
          const key = `${address}:${port.port}`;
          // A pod selected by two Services (blue-green after a switch) is listed in both slices.
          const e = found.get(key) ?? { address, port: port.port, pod: endpoint.targetRef?.name ?? key, namespace, services: [], ingresses: [] };
          e.services = [...new Set([...e.services, service])].sort();
          e.ingresses = [...new Set([...e.ingresses, ...(ingressesOf.get(`${namespace}/${service}`) ?? [])])].sort();
          found.set(key, e);
        }
      }
    }
  }
  return found;
}

function backendServices(ingress: Ingress): string[] {
  const backends: (IngressBackend | undefined)[] = [ingress.spec.defaultBackend];
  for (const rule of ingress.spec.rules) for (const path of rule.http?.paths ?? []) backends.push(path.backend);
  return backends.flatMap((b) => (b?.service ? [b.service.name] : []));
}

/** The environment a backend echoes for an endpoint. */
export function echoEnv(e: DemoEndpoint): Required<EchoEnv> {
  return { POD_NAME: e.pod, NAMESPACE: e.namespace, SERVICE_NAME: e.services.join(','), INGRESS_NAME: e.ingresses.join(',') };
}

/**
 * A demo backend for every endpoint the folder lists, kept in step with the folder while it runs,
 * so walkthroughs that add endpoints (a rollout, a flip) get live pods, and an Ingress edited to
 * name another Service is what the pods of that Service report.
 */
export class DemoBackends {
  private readonly running = new Map<string, { server: EchoServer; env: Required<EchoEnv> }>();
  private watcher: TreeWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    this.watcher = new TreeWatcher(this.dir, () => {
      clearTimeout(this.timer);
      // One sync at a time, so that an endpoint is never started twice.
      this.timer = setTimeout(() => (this.syncing = this.syncing.then(() => this.sync()).catch((err: Error) => void process.stderr.write(`demo backends: ${err.message}\n`))), 30);
    });
    await this.watcher.start();
    await this.sync();
  }

  async close(): Promise<void> {
    this.watcher?.close();
    clearTimeout(this.timer);
    await Promise.all([...this.running.values()].map((b) => b.server.close()));
  }

  private async sync(): Promise<void> {
    for (const [key, e] of await listedEndpoints(this.dir)) {
      const running = this.running.get(key);
      // The echo server reads its env object on every request: updating it in place is enough.
      if (running) Object.assign(running.env, echoEnv(e));
      else {
        const env = echoEnv(e);
        this.running.set(key, { server: await startEchoServer({ host: e.address, port: e.port, env }), env });
      }
    }
  }
}
