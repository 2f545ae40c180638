/**
 * Builders for the Kubernetes objects integration tests create, as the API serves them (plain
 * JSON with apiVersion and kind).
 */

export function namespace(name: string): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function ingressClass(name = 'portcullis', options: { controller?: string; isDefault?: boolean } = {}): object {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name, ...(options.isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) },
    spec: { controller: options.controller ?? 'portcullis.dev/ingress-controller' },
  };
}

export interface Port {
  name?: string;
  port: number;
  targetPort?: number;
}

export function service(ns: string, name: string, ports: Port[] = [{ port: 80, targetPort: 8080 }], extra: object = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: ns, name },
    spec: { ports: ports.map((p) => ({ ...p, protocol: 'TCP' })), ...extra },
  };
}

export interface SliceEndpoint {
  address: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  pod?: string;
}

export function endpointSlice(ns: string, serviceName: string, endpoints: SliceEndpoint[], ports: { name?: string; port: number }[], sliceName = `${serviceName}-abcde`): object {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name: sliceName, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ ...(p.name !== undefined ? { name: p.name } : {}), port: p.port, protocol: 'TCP' })),
    endpoints: endpoints.map((e) => ({
      addresses: [e.address],
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
      ...(e.pod ? { targetRef: { kind: 'Pod', name: e.pod, namespace: ns } } : {}),
    })),
  };
}

export interface Path {
  path?: string;
  pathType?: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  service: string;
  port: number | string;
}

export function ingress(
  ns: string,
  name: string,
  rules: { host?: string; paths: Path[] }[],
  options: { className?: string | null; tls?: { hosts: string[]; secretName: string }[]; defaultBackend?: { service: string; port: number | string }; annotations?: Record<string, string> } = {},
): object {
  const backend = (b: { service: string; port: number | string }) => ({
    service: { name: b.service, port: typeof b.port === 'number' ? { number: b.port } : { name: b.port } },
  });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace: ns, name, ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: {
      ...(options.className === null ? {} : { ingressClassName: options.className ?? 'portcullis' }),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.defaultBackend ? { defaultBackend: backend(options.defaultBackend) } : {}),
      rules: rules.map((r) => ({
        ...(r.host ? { host: r.host } : {}),
        http: { paths: r.paths.map((p) => ({ path: p.path ?? '/', pathType: p.pathType ?? 'Prefix', backend: backend(p) })) },
      })),
    },
  };
}

export function tlsSecret(ns: string, name: string, certPem: string, keyPem: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace: ns, name },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(certPem).toString('base64'), 'tls.key': Buffer.from(keyPem).toString('base64') },
  };
}
