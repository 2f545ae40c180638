/** Model builders for the haproxy layer's tests. */
import { DEFAULT_TIMEOUTS, type Backend, type Certificate, type Draft, type GlobalSettings, type Listener, type Model, type Route, type Server, type SourceRef } from '../../../src/model/types.js';

export function source(name: string, kind = 'Ingress', namespace = 'default'): SourceRef {
  return { kind, namespace, name };
}

export function globalSettings(overrides: Partial<Draft<GlobalSettings>> = {}): Draft<GlobalSettings> {
  return {
    bindAddress: '127.0.0.1',
    httpPort: 18080,
    httpsPort: 18443,
    maxconn: 2000,
    nbthread: 1,
    timeouts: { ...DEFAULT_TIMEOUTS },
    hardStopAfter: 2000,
    serverHeader: 'portcullis',
    ...overrides,
  };
}

export function server(address: string, port: number, state: Server['state'] = 'ready'): Draft<Server> {
  return { address, port, state };
}

export function backend(name: string, servers: Draft<Server>[]): Draft<Backend> {
  return { name, balance: 'roundrobin', servers, source: source(name, 'Service') };
}

export function route(host: string, path: string, match: Route['match'], backendName: string, extra: Partial<Draft<Route>> = {}): Draft<Route> {
  return { host, path, match, backend: backendName, source: source(`ing-${host || 'any'}${path}`), ...extra };
}

/** A listener beyond the default pair, from a Gateway named after it. */
export function listener(name: string, address: string, port: number, protocol: Listener['protocol'], extra: Partial<Draft<Listener>> = {}): Draft<Listener> {
  return { name, address, port, protocol, source: source(`gw-${name}`, 'Gateway'), ...extra };
}

export function certificate(id: string, pem: string, hosts: string[]): Draft<Certificate> {
  return { id, pem, hosts, source: source(id, 'Secret') };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Freezes a model and everything in it, as the renderer and planner may assume: code that changed a
 * model in place would throw in a test instead of rendering a stale configuration.
 */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A model with sorted lists, as `translate` would produce it; a fresh draft a test may still patch. */
export function model(parts: Omit<Partial<Draft<Model>>, 'defaultCertificate'> & { defaultCertificate: Draft<Certificate> }): Draft<Model> {
  const order = (a: Draft<Route>, b: Draft<Route>) => cmp(a.host, b.host) || cmp(a.path, b.path) || cmp(a.match, b.match);
  const routes = [...(parts.routes ?? [])].sort(order);
  return {
    global: parts.global ?? globalSettings(),
    routes,
    ...(parts.defaultBackend === undefined ? {} : { defaultBackend: parts.defaultBackend }),
    backends: [...(parts.backends ?? [])].sort((a, b) => cmp(a.name, b.name)),
    certificates: [...(parts.certificates ?? [])].sort((a, b) => cmp(a.id, b.id)),
    defaultCertificate: parts.defaultCertificate,
  } as Draft<Model>;
}
