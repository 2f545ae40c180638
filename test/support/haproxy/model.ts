/** Model builders for the haproxy layer's tests. */
import { DEFAULT_TIMEOUTS, type Backend, type Certificate, type GlobalSettings, type Model, type Route, type Server, type SourceRef } from '../../../src/model/types.js';

export function source(name: string, kind = 'Ingress', namespace = 'default'): SourceRef {
  return { kind, namespace, name };
}

export function globalSettings(overrides: Partial<GlobalSettings> = {}): GlobalSettings {
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

export function server(address: string, port: number, state: Server['state'] = 'ready'): Server {
  return { address, port, state };
}

export function backend(name: string, servers: Server[]): Backend {
  return { name, balance: 'roundrobin', servers, source: source(name, 'Service') };
}

export function route(host: string, path: string, match: Route['match'], backendName: string, extra: Partial<Route> = {}): Route {
  return { host, path, match, backend: backendName, source: source(`ing-${host || 'any'}${path}`), ...extra };
}

export function certificate(id: string, pem: string, hosts: string[]): Certificate {
  return { id, pem, hosts, source: source(id, 'Secret') };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A model with sorted lists, as `translate` would produce it. */
export function model(parts: Omit<Partial<Model>, 'defaultCertificate'> & { defaultCertificate: Certificate }): Model {
  const order = (a: Route, b: Route) => cmp(a.host, b.host) || cmp(a.path, b.path) || cmp(a.match, b.match);
  const routes = [...(parts.routes ?? [])].sort(order);
  return {
    global: parts.global ?? globalSettings(),
    routes,
    ...(parts.defaultBackend === undefined ? {} : { defaultBackend: parts.defaultBackend }),
    backends: [...(parts.backends ?? [])].sort((a, b) => cmp(a.name, b.name)),
    certificates: [...(parts.certificates ?? [])].sort((a, b) => cmp(a.id, b.id)),
    defaultCertificate: parts.defaultCertificate,
  };
}
