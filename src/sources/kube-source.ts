import * as k8s from '@kubernetes/client-node';
import { EventEmitter } from 'node:events';
import { normalise } from './normalise.js';
import type { Store } from '../store/store.js';
import { CLUSTER_SCOPED_KINDS, GATEWAY_API_GROUP, GATEWAY_API_KINDS, type Kind } from '../store/types.js';
import { Backoff } from '../backoff.js';
import { checkGatewayApiCrds, describeMissing, type GatewayApiCheck, type InstalledKind } from './gateway-api.js';
import { pagedList, reduceRaw, ReducingWatch, type PageFn } from './edge.js';
import { SecretEdge } from './secret-refs.js';

export interface KubeSourceOptions {
  kubeConfig: k8s.KubeConfig;
  store: Store;
  /** Namespaces to watch; empty means all. IngressClasses are cluster-scoped and always watched. */
  namespaces: string[];
  /** `namespace/name` of the ConfigMap to watch, if any (the only ConfigMap we read). */
  configMap?: string;
  /** Secrets named outside the cluster's objects (the default SSL certificate): their data is always kept. */
  keepSecrets?: string[];
  /**
   * Gateway API kinds: `auto` (default) watches those whose CRDs are installed and marks the rest
   * synced-empty; `on` waits, not synced, until every CRD is there; `off` watches none.
   */
  gatewayApi?: 'auto' | 'on' | 'off';
  /** Backoff bounds for restarting a failed informer (default 500 ms to 3 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * The ceiling of the informers' backoff. It bounds how long a change waits once the API server is
 * back after an outage: the last attempt of the outage may have just failed, so the next one comes
 * up to this long after (with 30 s, a change made right after a 60 s outage waited 23.5 s). A
 * retry every 3 s per informer is little load even for an API server that is struggling.
 */
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 3000;

interface WatchSpec {
  kind: Kind;
  path: string;
  list: () => Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>;
  fieldSelector?: string;
}

/**
 * Feeds the store from the Kubernetes API with one list+watch per kind (and namespace).
 *
 * client-node's ListWatch handles 410 Gone (relist) and watch timeouts itself, but stops for good on
 * any other error (STYLE.md §5); here each one is restarted with exponential backoff, one pending
 * timer per informer. Handlers only write to the store, which never throws.
 *
 * Gateway API kinds are watched per kind, where the CRD check finds them installed; Namespaces
 * too (listener namespace selectors read their labels), as soon as any Gateway API kind is watched.
 *
 * Events: 'error' (err, kind) when an informer fails (it is restarted), 'synced' (kind),
 * 'gateway-api' (GatewayApiCheck, message) once the CRDs are read, message set when some are missing,
 * 'stale' (kind) when the first informer fails (the store keeps the last view, which may be out of
 * date) and 'fresh' (ms) once every informer has listed and watches again.
 */
export class KubeSource extends EventEmitter {
  private readonly informers: Entry[] = [];
  private stopped = false;
  private gatewayTimer: NodeJS.Timeout | undefined;
  private staleSince: number | undefined;
  private readonly edge: SecretEdge;

  constructor(private readonly options: KubeSourceOptions) {
    super();
    this.edge = secretEdge(options, (err) => this.emit('error', err, 'Secret'));
  }

  /** Resolves once every informer has listed and opened its watch (or failed and been scheduled). */
  async start(): Promise<void> {
    await Promise.all([this.startAll(watchSpecs(this.options, this.edge)), this.startGatewayApi()]);
  }

  private async startAll(specs: WatchSpec[]): Promise<void> {
    const pendingSync = new Map<Kind, number>();
    for (const spec of specs) pendingSync.set(spec.kind, (pendingSync.get(spec.kind) ?? 0) + 1);
    await Promise.all(specs.map((spec) => this.startOne(spec, pendingSync)));
  }

  /** Reads the CRDs, then watches what is installed; with `on`, checks again with backoff until all are. */
  private async startGatewayApi(backoff = new Backoff(this.options.minBackoffMs ?? MIN_BACKOFF_MS, this.options.maxBackoffMs ?? MAX_BACKOFF_MS)): Promise<void> {
    const { store } = this.options;
    const mode = this.options.gatewayApi ?? 'auto';
    if (mode === 'off') {
      for (const kind of [...GATEWAY_API_KINDS, 'Namespace'] as const) store.markSynced(kind);
      return;
    }
    const check = await checkGatewayApiCrds(this.options.kubeConfig);
    if (this.stopped) return;
    const waiting = mode === 'on' && check.missing.length > 0;
    this.emit('gateway-api', check, check.missing.length ? describeMissing(check, waiting) : undefined);
    if (waiting) {
      this.gatewayTimer = setTimeout(() => void this.startGatewayApi(backoff), backoff.next());
      return;
    }
    for (const { resource } of check.missing) store.markSynced(resource.kind);
    const specs = gatewayApiSpecs(this.options, check, this.edge);
    if (!check.installed.length) store.markSynced('Namespace');
    await this.startAll(specs);
  }

  /** Whether some informer failed and has not listed again since: the view may be out of date. */
  get stale(): boolean {
    return this.staleSince !== undefined;
  }

  private checkFresh(): void {
    if (this.staleSince === undefined || this.informers.some((e) => e.failed)) return;
    const ms = Date.now() - this.staleSince;
    this.staleSince = undefined;
    this.emit('fresh', ms);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.gatewayTimer);
    this.edge.stop();
    for (const entry of this.informers) {
      clearTimeout(entry.timer);
      void entry.informer.stop();
    }
  }

  private async startOne(spec: WatchSpec, pendingSync: Map<Kind, number>): Promise<void> {
    const watch = new ReducingWatch(this.options.kubeConfig, (obj) => reduceRaw(obj, spec.kind, this.edge.rules));
    const informer = new k8s.ListWatch(spec.path, watch, spec.list, false, undefined, spec.fieldSelector);
    const entry: Entry = { spec, informer, backoff: new Backoff(this.options.minBackoffMs ?? MIN_BACKOFF_MS, this.options.maxBackoffMs ?? MAX_BACKOFF_MS), failed: false, synced: false, run: async () => {} };
    this.informers.push(entry);
    const { store } = this.options;
    const upsert = (obj: k8s.KubernetesObject) => {
      const normalised = normalise(obj, spec.kind);
      if (normalised) store.upsert(normalised);
    };
    informer.on('add', upsert);
    informer.on('update', upsert);
    informer.on('delete', (obj) => {
      const meta = obj.metadata ?? {};
      store.delete(spec.kind, !CLUSTER_SCOPED_KINDS.has(spec.kind) && meta.namespace ? `${meta.namespace}/${meta.name}` : `${meta.name}`);
    });
    informer.on('error', (err) => {
      entry.failed = true;
      this.restartLater(entry, err);
    });
    entry.run = async () => {
      entry.failed = false;
      try {
        // Resolves once listed and watching; a failed list resolves too, after an 'error' callback.
        await informer.start();
      } catch (err) {
        entry.failed = true;
        this.restartLater(entry, err);
      }
      if (entry.failed) return;
      entry.backoff.reset();
      this.checkFresh();
      if (entry.synced) return;
      entry.synced = true;
      const left = (pendingSync.get(spec.kind) ?? 1) - 1;
      pendingSync.set(spec.kind, left);
      if (left === 0) {
        store.markSynced(spec.kind);
        this.emit('synced', spec.kind);
      }
    };
    await entry.run();
  }

  private restartLater(entry: Entry, err: unknown): void {
    if (this.stopped || entry.timer) return;
    this.emit('error', err, entry.spec.kind);
    if (this.staleSince === undefined) {
      this.staleSince = Date.now();
      this.emit('stale', entry.spec.kind);
    }
    const delay = entry.backoff.next();
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (!this.stopped) void entry.run();
    }, delay);
  }
}

interface Entry {
  spec: WatchSpec;
  informer: k8s.ListWatch<k8s.KubernetesObject>;
  timer?: NodeJS.Timeout;
  backoff: Backoff;
  failed: boolean;
  synced: boolean;
  run: () => Promise<void>;
}

/** The Secret edge of a source: which Secrets keep their data, and the fetch of those trimmed earlier. */
function secretEdge(options: KubeSourceOptions, onError: (err: unknown) => void): SecretEdge {
  const { store, kubeConfig, configMap, keepSecrets, minBackoffMs, maxBackoffMs } = options;
  return new SecretEdge({ store, kubeConfig, configMap, keepSecrets, onError, minBackoffMs, maxBackoffMs });
}

/** Which list+watch pairs to run: one per kind, per namespace when namespaces are restricted. Lists are paged (edge.ts). */
function watchSpecs(options: KubeSourceOptions, edge: SecretEdge): WatchSpec[] {
  const core = options.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const net = options.kubeConfig.makeApiClient(k8s.NetworkingV1Api);
  const disc = options.kubeConfig.makeApiClient(k8s.DiscoveryV1Api);
  const paged = (kind: Kind, page: unknown) => pagedList(kind, page as PageFn, edge.rules);
  const specs: WatchSpec[] = [
    { kind: 'IngressClass', path: '/apis/networking.k8s.io/v1/ingressclasses', list: paged('IngressClass', (p: object) => net.listIngressClass(p)) },
  ];
  const scopes = options.namespaces.length ? options.namespaces : [''];
  for (const ns of scopes) {
    const at = (group: string, plural: string) => (ns ? `${group}/namespaces/${ns}/${plural}` : `${group}/${plural}`);
    const secrets = paged('Secret', ns ? (p: object) => core.listNamespacedSecret({ ...p, namespace: ns }) : (p: object) => core.listSecretForAllNamespaces(p));
    specs.push(
      {
        kind: 'Ingress',
        path: at('/apis/networking.k8s.io/v1', 'ingresses'),
        list: paged('Ingress', ns ? (p: object) => net.listNamespacedIngress({ ...p, namespace: ns }) : (p: object) => net.listIngressForAllNamespaces(p)),
      },
      {
        kind: 'Service',
        path: at('/api/v1', 'services'),
        list: paged('Service', ns ? (p: object) => core.listNamespacedService({ ...p, namespace: ns }) : (p: object) => core.listServiceForAllNamespaces(p)),
      },
      {
        kind: 'EndpointSlice',
        path: at('/apis/discovery.k8s.io/v1', 'endpointslices'),
        list: paged('EndpointSlice', ns ? (p: object) => disc.listNamespacedEndpointSlice({ ...p, namespace: ns }) : (p: object) => disc.listEndpointSliceForAllNamespaces(p)),
      },
      {
        kind: 'Secret',
        path: at('/api/v1', 'secrets'),
        // Listed once what names Secrets is known, so the first pages keep the right data.
        list: async () => (await edge.referencesListed(), secrets()),
      },
    );
  }
  if (options.configMap) {
    const [namespace, name] = options.configMap.split('/');
    const fieldSelector = `metadata.name=${name}`;
    specs.push({
      kind: 'ConfigMap',
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      list: paged('ConfigMap', (p: object) => core.listNamespacedConfigMap({ ...p, namespace, fieldSelector })),
      fieldSelector,
    });
  } else {
    options.store.markSynced('ConfigMap');
  }
  return specs;
}

/** List+watch pairs for the installed Gateway API kinds, and for Namespaces when any is installed. */
function gatewayApiSpecs(options: KubeSourceOptions, check: GatewayApiCheck, edge: SecretEdge): WatchSpec[] {
  if (!check.installed.length) return [];
  const custom = options.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  const core = options.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const paged = (kind: Kind, page: unknown) => pagedList(kind, page as PageFn, edge.rules);
  const specs: WatchSpec[] = [];
  const scopes = options.namespaces.length ? options.namespaces : [''];
  const spec = ({ resource, version }: InstalledKind, ns: string): WatchSpec => {
    const base = `/apis/${GATEWAY_API_GROUP}/${version}`;
    const request = { group: GATEWAY_API_GROUP, version, plural: resource.plural };
    const { kind } = resource;
    if (!resource.namespaced) return { kind, path: `${base}/${resource.plural}`, list: paged(kind, (p: object) => custom.listClusterCustomObject({ ...request, ...p })) };
    if (ns) return { kind, path: `${base}/namespaces/${ns}/${resource.plural}`, list: paged(kind, (p: object) => custom.listNamespacedCustomObject({ ...request, ...p, namespace: ns })) };
    return { kind, path: `${base}/${resource.plural}`, list: paged(kind, (p: object) => custom.listCustomObjectForAllNamespaces({ group: GATEWAY_API_GROUP, version, resourcePlural: resource.plural, ...p })) };
  };
  for (const installed of check.installed) {
    if (!installed.resource.namespaced) specs.push(spec(installed, ''));
    else for (const ns of scopes) specs.push(spec(installed, ns));
  }
  // With --namespace, only the watched namespaces' labels matter: one field-selected watch each.
  for (const ns of scopes) {
    const fieldSelector = ns ? `metadata.name=${ns}` : undefined;
    specs.push({ kind: 'Namespace', path: '/api/v1/namespaces', list: paged('Namespace', (p: object) => core.listNamespace({ ...p, fieldSelector })), fieldSelector });
  }
  return specs;
}
