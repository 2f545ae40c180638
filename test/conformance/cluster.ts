/**
 * The Kubernetes objects the suite reads and writes, through
 * `@kubernetes/client-node`. Works the same against the local API test
 * server and a real cluster.
 */
import {
  ApiException,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  NetworkingV1Api,
  type V1EndpointSlice,
  type V1Endpoints,
  type V1Ingress,
  type V1IngressClass,
  type V1Secret,
  type V1Service,
} from '@kubernetes/client-node';

/** Label on every namespace the suite creates, used to sweep leftovers. */
export const NAMESPACE_LABEL = { key: 'app.kubernetes.io/name', value: 'ingress-conformance' };

/** HTTP status of a client-node error, if it carries one. */
export function apiStatus(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);

/**
 * Whether polling should carry on after this error: server errors, throttling
 * and broken connections are transient; NotFound and the like are not.
 */
export function isRetryable(err: unknown): boolean {
  const status = apiStatus(err);
  if (status !== undefined) return status >= 500 || status === 429;
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
    const message = String((e as { message?: unknown }).message ?? '');
    if (/\b(EOF|socket hang up|other side closed|timeout)\b/i.test(message)) return true;
  }
  return false;
}

/** Short text for an API error, with the server's message when there is one. */
export function describeApiError(err: unknown): string {
  if (err instanceof ApiException) {
    const body = err.body as { message?: string } | string | undefined;
    const message = typeof body === 'object' && body?.message ? body.message : String(body ?? '');
    return `HTTP ${err.code}: ${message || err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Typed operations on the objects the conformance steps touch. */
export class Cluster {
  readonly core: CoreV1Api;
  readonly networking: NetworkingV1Api;
  readonly discovery: DiscoveryV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.networking = kubeConfig.makeApiClient(NetworkingV1Api);
    this.discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
  }

  /** Client for a kubeconfig given as YAML text. */
  static fromString(yaml: string): Cluster {
    const kc = new KubeConfig();
    kc.loadFromString(yaml);
    return new Cluster(kc);
  }

  /** Client for a kubeconfig file. */
  static fromFile(file: string): Cluster {
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    return new Cluster(kc);
  }

  /** Creates `ingress-conformance-<random>` and returns its name. */
  async createNamespace(): Promise<string> {
    const created = await this.core.createNamespace({
      body: {
        metadata: { generateName: 'ingress-conformance-', labels: { [NAMESPACE_LABEL.key]: NAMESPACE_LABEL.value } },
      },
    });
    const name = created.metadata?.name;
    if (!name) throw new Error('the API server returned a namespace without a name');
    return name;
  }

  async deleteNamespace(name: string): Promise<void> {
    await this.core.deleteNamespace({ name, gracePeriodSeconds: 0, propagationPolicy: 'Background' });
  }

  /** Names of namespaces left over from earlier runs. */
  async listSuiteNamespaces(): Promise<string[]> {
    const list = await this.core.listNamespace({ labelSelector: `${NAMESPACE_LABEL.key}=${NAMESPACE_LABEL.value}` });
    return list.items.map((ns) => ns.metadata?.name ?? '').filter(Boolean);
  }

  async createIngress(namespace: string, body: V1Ingress): Promise<V1Ingress> {
    return this.networking.createNamespacedIngress({ namespace, body });
  }

  async readIngress(namespace: string, name: string): Promise<V1Ingress> {
    return this.networking.readNamespacedIngress({ namespace, name });
  }

  async deleteIngress(namespace: string, name: string): Promise<void> {
    await this.networking.deleteNamespacedIngress({ namespace, name, gracePeriodSeconds: 0 });
  }

  /** Creates the IngressClass, or leaves an existing one of that name alone. */
  async ensureIngressClass(body: V1IngressClass): Promise<void> {
    try {
      await this.networking.createIngressClass({ body });
    } catch (err) {
      if (apiStatus(err) !== 409) throw err;
    }
  }

  async createService(namespace: string, body: V1Service): Promise<void> {
    await this.core.createNamespacedService({ namespace, body });
  }

  async deleteService(namespace: string, name: string): Promise<void> {
    await this.core.deleteNamespacedService({ namespace, name, gracePeriodSeconds: 0 });
  }

  /** Creates the Endpoints, or replaces them if they already exist. */
  async putEndpoints(namespace: string, body: V1Endpoints): Promise<void> {
    const name = body.metadata!.name!;
    try {
      const current = await this.core.readNamespacedEndpoints({ namespace, name });
      body.metadata!.resourceVersion = current.metadata?.resourceVersion;
      await this.core.replaceNamespacedEndpoints({ namespace, name, body });
    } catch (err) {
      if (apiStatus(err) !== 404) throw err;
      await this.core.createNamespacedEndpoints({ namespace, body });
    }
  }

  async deleteEndpoints(namespace: string, name: string): Promise<void> {
    await this.core.deleteNamespacedEndpoints({ namespace, name, gracePeriodSeconds: 0 });
  }

  /** Creates the EndpointSlice, or replaces it if it already exists. */
  async putEndpointSlice(namespace: string, body: V1EndpointSlice): Promise<void> {
    const name = body.metadata!.name!;
    try {
      const current = await this.discovery.readNamespacedEndpointSlice({ namespace, name });
      body.metadata!.resourceVersion = current.metadata?.resourceVersion;
      await this.discovery.replaceNamespacedEndpointSlice({ namespace, name, body });
    } catch (err) {
      if (apiStatus(err) !== 404) throw err;
      await this.discovery.createNamespacedEndpointSlice({ namespace, body });
    }
  }

  async deleteEndpointSlice(namespace: string, name: string): Promise<void> {
    await this.discovery.deleteNamespacedEndpointSlice({ namespace, name, gracePeriodSeconds: 0 });
  }

  async createSecret(namespace: string, body: V1Secret): Promise<void> {
    await this.core.createNamespacedSecret({ namespace, body });
  }

  async deleteSecret(namespace: string, name: string): Promise<void> {
    await this.core.deleteNamespacedSecret({ namespace, name, gracePeriodSeconds: 0 });
  }
}
