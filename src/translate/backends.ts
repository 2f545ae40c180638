import type { Backend, Server } from '../model/types.js';
import { backendName, backendVariantName, serverKey } from '../model/names.js';
import type { EndpointSlice, ObjectRef, Service, ServiceBackendPort, ServicePort, Snapshot } from '../store/types.js';
import { backendSettings, settingsKey, type BackendSettings } from './annotations/backend-settings.js';
import type { ObjectSettings, SettingsResolver } from './annotations/resolve.js';
import { compareText, type Diagnostics } from './diagnostics.js';
import { indexSlices, noReadyEndpointsMessage, serversFor } from './endpoints.js';
import type { EndpointSource, WeightedSource } from './types.js';
import { weightedServers } from './weights.js';

/** A Service port as a route (or `--default-backend-service`) names it. */
export interface ServiceRef {
  namespace: string;
  name: string;
  port: ServiceBackendPort;
}

/** What looking a ServiceRef up found; every outcome carries the backend to route to. */
type BackendLookup =
  | { status: 'found'; backend: Backend; service: Service; /** Slice port name the servers come from; absent for ExternalName. */ portName?: string }
  | { status: 'no-service'; backend: Backend }
  | { status: 'no-port'; backend: Backend; service: Service };

/**
 * Finds the Service port and its servers. The backend is named after the port NUMBER, so paths
 * naming the same port by name and by number share one backend. When the Service or the port is
 * missing, the backend still exists, empty, named after the port as referenced.
 */
function lookupBackend(snapshot: Snapshot, slices: ReadonlyMap<string, EndpointSlice[]>, ref: ServiceRef): BackendLookup {
  const source = { kind: 'Service', namespace: ref.namespace, name: ref.name };
  const empty = (port: string | number): Backend => ({
    name: backendName(ref.namespace, ref.name, port),
    balance: 'roundrobin',
    servers: [],
    source,
  });
  const key = `${ref.namespace}/${ref.name}`;
  const service = snapshot.services.get(key);
  if (!service) return { status: 'no-service', backend: empty(ref.port.number ?? ref.port.name ?? '') };
  const servicePort = findPort(service, ref.port);
  if (service.spec.type === 'ExternalName') {
    // An ExternalName Service often lists no ports at all: the referenced number is the port.
    const port = servicePort?.port ?? ref.port.number;
    if (port === undefined) return { status: 'no-port', backend: empty(ref.port.name ?? ''), service };
    const address = service.spec.externalName;
    const servers = address ? [{ address, port, state: 'ready' as const }] : [];
    return { status: 'found', backend: { ...empty(port), servers }, service };
  }
  if (!servicePort) return { status: 'no-port', backend: empty(ref.port.number ?? ref.port.name ?? ''), service };
  const servers = serversFor(slices.get(key) ?? [], servicePort);
  return { status: 'found', backend: { ...empty(servicePort.port), servers }, service, portName: servicePort.name ?? '' };
}

function findPort(service: Service, port: ServiceBackendPort): ServicePort | undefined {
  if (port.number !== undefined) return service.spec.ports.find((p) => p.port === port.number);
  return service.spec.ports.find((p) => p.name === port.name);
}

/** How a referenced port reads in messages. */
function describePort(port: ServiceBackendPort): string {
  return port.number !== undefined ? `port ${port.number}` : `port named "${port.name}"`;
}

/** The backends the model uses, built once per name however many routes share them. */
export class BackendTable {
  private readonly byName = new Map<string, BackendLookup>();
  /** Each reference is looked up once, however many paths repeat it. */
  private readonly byRef = new Map<string, BackendLookup>();
  private readonly slices: ReadonlyMap<string, EndpointSlice[]>;
  /** Settings by base backend name, and by base name + Ingress, each worked out once. */
  private readonly settingsCache = new Map<string, { settings: BackendSettings; key: string }>();
  /** Composed backends by name, and the Service ports of their weight split. */
  private readonly composites = new Map<string, readonly WeightedSource[]>();
  private readonly splits = new Map<string, Backend>();
  private readonly splitFeeds = new Set<string>();

  constructor(
    private readonly snapshot: Snapshot,
    private readonly diags: Diagnostics,
    /** Annotations and ConfigMap; without it every backend has the default settings. */
    private readonly resolver?: SettingsResolver,
  ) {
    this.slices = indexSlices(snapshot);
  }

  /**
   * The backend for `ref`, named by `referrer`. A missing Service or port is an error, but the route
   * is kept on an empty backend: clients then get 503 (the route exists, its servers do not) rather
   * than 404, and the route comes alive as soon as the Service appears, without a reload.
   * `route` is the annotated object the request came through (an Ingress), whose settings apply
   * under the Service's.
   */
  resolve(referrer: ObjectRef, ref: ServiceRef, route?: ObjectSettings): string {
    const refKey = `${ref.namespace}/${ref.name}/${ref.port.number ?? ''}/${ref.port.name ?? ''}`;
    const lookup = this.byRef.get(refKey) ?? lookupBackend(this.snapshot, this.slices, ref);
    this.byRef.set(refKey, lookup);
    const service = `Service "${ref.namespace}/${ref.name}"`;
    if (lookup.status === 'no-service') {
      this.diags.error('PCL_SERVICE_NOT_FOUND', referrer, `${service} does not exist; requests for it get 503`);
    } else if (lookup.status === 'no-port') {
      this.diags.error('PCL_SERVICE_PORT_NOT_FOUND', referrer, `${service} has no ${describePort(ref.port)}; requests for it get 503`);
    }
    const backend = this.withSettings(lookup, route);
    if (!this.byName.has(backend.name)) this.byName.set(backend.name, { ...lookup, backend });
    return backend.name;
  }

  /**
   * The backend with the settings of its Service (and the ConfigMap). When `route` changes any of
   * them, requests through that object get a variant of their own, named after the settings, so
   * the policy lives in the backend section and costs nothing on other routes.
   */
  private withSettings(lookup: BackendLookup, route: ObjectSettings | undefined): Backend {
    const { resolver } = this;
    const base = lookup.backend;
    if (!resolver) return base;
    const service = lookup.status === 'no-service' ? undefined : resolver.of(lookup.service);
    const plain = this.cachedSettings(base.name, () => backendSettings(resolver, [service], base.name, this.diags));
    if (!route) return { ...base, ...plain.settings };
    const { kind, namespace, name } = route.ref;
    const own = this.cachedSettings(`${base.name} ${kind}/${namespace}/${name}`, () => backendSettings(resolver, [service, route], base.name, this.diags));
    if (own.key === plain.key) return { ...base, ...plain.settings };
    return { ...base, ...own.settings, name: backendVariantName(base.name, own.key), source: { kind, namespace, name } };
  }

  private cachedSettings(id: string, build: () => BackendSettings): { settings: BackendSettings; key: string } {
    let entry = this.settingsCache.get(id);
    if (!entry) {
      const settings = build();
      entry = { settings, key: settingsKey(settings) };
      this.settingsCache.set(id, entry);
    }
    return entry;
  }

  /**
   * What a Service port gives, for a front door that composes a backend of its own: the backend
   * `resolve` would name (not added to the model), the Service (absent when missing) and the slice
   * port name the servers come from. No diagnostic: the caller words its own.
   */
  lookup(ref: ServiceRef): { backend: Backend; service?: Service; portName?: string; found: boolean } {
    const refKey = `${ref.namespace}/${ref.name}/${ref.port.number ?? ''}/${ref.port.name ?? ''}`;
    const lookup = this.byRef.get(refKey) ?? lookupBackend(this.snapshot, this.slices, ref);
    this.byRef.set(refKey, lookup);
    const service = lookup.status === 'no-service' ? undefined : lookup.service;
    const portName = lookup.status === 'found' ? lookup.portName : undefined;
    return { backend: this.withSettings(lookup, undefined), service, portName, found: lookup.status === 'found' };
  }

  /**
   * Adds a backend a front door composed (a weight split, the filters of one route rule), whose
   * servers are those of `split`, weighted; its name must be its own. Returns the name.
   */
  addComposite(backend: Omit<Backend, 'servers'>, split: readonly WeightedSource[]): string {
    if (this.byName.has(backend.name)) return backend.name;
    const servers = weightedServers(this.slices, split);
    this.composites.set(backend.name, split);
    this.byName.set(backend.name, { status: 'no-service', backend: { ...backend, servers } });
    return backend.name;
  }

  /**
   * A weight split: one backend with the settings of `parts[0]`, named after the parts and `owner`
   * (the object whose weights these are), not after the weights, so a weight change stays a runtime
   * change; it holds the servers of every part
   * with weights that give each part its `share` of new requests. Its servers are rebuilt by a full
   * translation only: the Services feeding it are in `splitServices`.
   */
  split(owner: ObjectRef, parts: readonly { backend: string; share: number }[]): string {
    const first = this.byName.get(parts[0].backend)!.backend;
    const name = backendVariantName(first.name, `split ${owner.kind}/${owner.namespace}/${owner.name} ${parts.map((p) => p.backend).join(' ')}`);
    const servers = splitServers(parts.map((p) => ({ servers: this.byName.get(p.backend)!.backend.servers, share: p.share })));
    this.splits.set(name, { ...first, name, servers });
    for (const part of parts) {
      const lookup = this.byName.get(part.backend)!;
      if (lookup.status === 'found') this.splitFeeds.add(`${lookup.service.metadata.namespace}/${lookup.service.metadata.name}`);
    }
    return name;
  }

  /** `namespace/name` of the Services whose endpoints feed a weight split. */
  splitServices(): Set<string> {
    return new Set(this.splitFeeds);
  }

  /** Where each backend's servers come from, so an EndpointSlice change can be applied to them alone. */
  endpointSources(): Map<string, EndpointSource> {
    const sources = new Map<string, EndpointSource>();
    for (const [name, lookup] of this.byName) {
      const split = this.composites.get(name);
      if (split && split.length > 0) {
        sources.set(name, { service: split[0].service, portName: split[0].portName, split });
        continue;
      }
      if (lookup.status !== 'found' || lookup.portName === undefined) continue;
      sources.set(name, { service: `${lookup.service.metadata.namespace}/${lookup.service.metadata.name}`, portName: lookup.portName });
    }
    return sources;
  }

  /** The backends, sorted by name; warns once per Service that has no ready server. */
  list(): Backend[] {
    const backends: Backend[] = [];
    for (const lookup of this.byName.values()) {
      backends.push(lookup.backend);
      if (lookup.status !== 'found' || lookup.backend.servers.some((s) => s.state === 'ready')) continue;
      const { namespace, name } = lookup.service.metadata;
      this.diags.warning('PCL_NO_READY_ENDPOINTS', { kind: 'Service', namespace, name }, noReadyEndpointsMessage(namespace, name));
    }
    backends.push(...this.splits.values());
    return backends.sort((a, b) => compareText(a.name, b.name));
  }
}

/** HAProxy's largest server weight: the heaviest server of a split gets it, for the finest steps. */
const MAX_WEIGHT = 256;

/**
 * Servers of every part, each weighted `share / ready servers of its part`, scaled so the heaviest
 * is 256 (a part with a share never rounds down to 0). A server in several parts counts once, with
 * the weights added.
 */
function splitServers(parts: readonly { servers: readonly Server[]; share: number }[]): Server[] {
  const perServer = parts.map((p) => p.share / Math.max(1, p.servers.filter((s) => s.state === 'ready').length));
  const scale = MAX_WEIGHT / Math.max(...perServer, Number.MIN_VALUE);
  const byKey = new Map<string, Server>();
  parts.forEach((part, i) => {
    const weight = part.share > 0 ? Math.max(1, Math.round(perServer[i] * scale)) : 0;
    for (const server of part.servers) {
      const key = serverKey(server);
      const seen = byKey.get(key);
      byKey.set(key, { ...server, weight: Math.min(MAX_WEIGHT, (seen?.weight ?? 0) + weight) });
    }
  });
  return [...byKey.values()].sort((a, b) => compareText(a.address, b.address) || a.port - b.port);
}
