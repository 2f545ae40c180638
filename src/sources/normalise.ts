import type {
  ConfigMap,
  Endpoint,
  EndpointSlice,
  HTTPIngressPath,
  Ingress,
  IngressBackend,
  IngressClass,
  IngressRule,
  Kind,
  KubeObject,
  ObjectMeta,
  Secret,
  Service,
  ServicePort,
} from '../store/types.js';
import { CLUSTER_SCOPED_KINDS, GATEWAY_API_GROUP } from '../store/types.js';
import { GATEWAY_API_RESOURCES } from './gateway-api.js';
import { arr, isRecord, isString, rec, str, stringMap, timestamp } from './raw.js';
import { normaliseGatewayApi } from './normalise-gateway.js';
import { TRIMMED } from './edge.js';

/**
 * Turns a raw object (a list item with `Date` fields, a watch event's JSON, or parsed YAML) into the
 * store's plain shape. This is the one place where the differences between those sources are
 * absorbed (STYLE.md §5): timestamps become ISO strings, absent arrays and maps become empty ones,
 * Secret `stringData` is folded into `data`, Gateway API schema defaults are filled in
 * (normalise-gateway.ts), a Secret the source trimmed (edge.ts) becomes `trimmed: true` without
 * data. Unknown kinds return undefined.
 */
export function normalise(raw: unknown, kindHint?: Kind): KubeObject | undefined {
  if (!isRecord(raw)) return undefined;
  // Items of a list response usually carry no kind; the caller knows what it listed.
  const kind = kindOf(kindHint && raw.kind === undefined ? { ...raw, kind: kindHint } : raw);
  if (!kind) return undefined;
  const metadata = normaliseMeta(raw.metadata, kind);
  switch (kind) {
    case 'Ingress':
      return normaliseIngress(raw, metadata);
    case 'IngressClass':
      return { kind, metadata, spec: { controller: str(rec(raw.spec).controller) ?? '' } } satisfies IngressClass;
    case 'Service':
      return normaliseService(raw, metadata);
    case 'EndpointSlice':
      return normaliseSlice(raw, metadata);
    case 'Secret':
      return normaliseSecret(raw, metadata);
    case 'ConfigMap':
      return { kind, metadata, data: stringMap(raw.data) } satisfies ConfigMap;
    case 'Namespace':
      return { kind, metadata };
    default:
      return normaliseGatewayApi(kind, raw, metadata);
  }
}

/** Kinds are identified by `kind`, accepting the group-qualified apiVersions the API serves. */
function kindOf(raw: Record<string, unknown>): Kind | undefined {
  const kind = raw.kind;
  const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
  const allowed: Record<string, string[]> = {
    Ingress: ['networking.k8s.io/v1'],
    IngressClass: ['networking.k8s.io/v1'],
    Service: ['v1'],
    EndpointSlice: ['discovery.k8s.io/v1'],
    Secret: ['v1'],
    ConfigMap: ['v1'],
    Namespace: ['v1'],
    ...Object.fromEntries(GATEWAY_API_RESOURCES.map((r) => [r.kind, r.versions.map((v) => `${GATEWAY_API_GROUP}/${v}`)])),
  };
  if (typeof kind !== 'string' || !(kind in allowed)) return undefined;
  // Watch and list items from the API always carry kind/apiVersion once the source sets them;
  // a manifest may omit apiVersion, which we accept rather than drop the object.
  if (apiVersion && !allowed[kind].includes(apiVersion)) return undefined;
  return kind as Kind;
}

function normaliseMeta(raw: unknown, kind: Kind): ObjectMeta {
  const m = rec(raw);
  const namespaced = !CLUSTER_SCOPED_KINDS.has(kind);
  return {
    namespace: namespaced ? (str(m.namespace) ?? 'default') : '',
    name: str(m.name) ?? '',
    uid: str(m.uid) ?? '',
    resourceVersion: str(m.resourceVersion) ?? '',
    generation: typeof m.generation === 'number' ? m.generation : 0,
    creationTimestamp: timestamp(m.creationTimestamp),
    labels: stringMap(m.labels),
    annotations: stringMap(m.annotations),
  };
}

function normaliseIngress(raw: Record<string, unknown>, metadata: ObjectMeta): Ingress {
  const spec = rec(raw.spec);
  const lb = rec(rec(raw.status).loadBalancer);
  return {
    kind: 'Ingress',
    metadata,
    spec: {
      ingressClassName: str(spec.ingressClassName),
      defaultBackend: spec.defaultBackend === undefined ? undefined : backend(spec.defaultBackend),
      tls: arr(spec.tls).map((t) => {
        const r = rec(t);
        return { hosts: arr(r.hosts).filter(isString), secretName: str(r.secretName) };
      }),
      rules: arr(spec.rules).map(rule),
    },
    status: {
      loadBalancer: {
        ingress: arr(lb.ingress).map(lbIngress),
      },
    },
  };
}

function lbIngress(raw: unknown): { ip?: string; hostname?: string } {
  const r = rec(raw);
  return { ...(str(r.ip) ? { ip: str(r.ip) } : {}), ...(str(r.hostname) ? { hostname: str(r.hostname) } : {}) };
}

function rule(raw: unknown): IngressRule {
  const r = rec(raw);
  const out: IngressRule = {};
  if (str(r.host) !== undefined) out.host = str(r.host);
  if (r.http !== undefined) {
    out.http = {
      paths: arr(rec(r.http).paths).map((p): HTTPIngressPath => {
        const pr = rec(p);
        return {
          ...(str(pr.path) !== undefined ? { path: str(pr.path) } : {}),
          pathType: (str(pr.pathType) ?? '') as HTTPIngressPath['pathType'],
          backend: backend(pr.backend),
        };
      }),
    };
  }
  return out;
}

function backend(raw: unknown): IngressBackend {
  const b = rec(raw);
  const out: IngressBackend = {};
  if (b.service !== undefined) {
    const s = rec(b.service);
    const p = rec(s.port);
    out.service = {
      name: str(s.name) ?? '',
      port: {
        ...(str(p.name) ? { name: str(p.name) } : {}),
        ...(typeof p.number === 'number' ? { number: p.number } : {}),
      },
    };
  }
  if (b.resource !== undefined) {
    const r = rec(b.resource);
    out.resource = { apiGroup: str(r.apiGroup), kind: str(r.kind) ?? '', name: str(r.name) ?? '' };
  }
  return out;
}

function normaliseService(raw: Record<string, unknown>, metadata: ObjectMeta): Service {
  const spec = rec(raw.spec);
  const lb = rec(rec(raw.status).loadBalancer);
  return {
    kind: 'Service',
    metadata,
    status: { loadBalancer: { ingress: arr(lb.ingress).map(lbIngress) } },
    spec: {
      type: str(spec.type),
      externalName: str(spec.externalName),
      clusterIP: str(spec.clusterIP),
      selector: spec.selector === undefined ? undefined : stringMap(spec.selector),
      externalIPs: arr(spec.externalIPs).filter(isString),
      ports: arr(spec.ports).map((p): ServicePort => {
        const r = rec(p);
        const target = r.targetPort;
        return {
          ...(str(r.name) ? { name: str(r.name) } : {}),
          port: typeof r.port === 'number' ? r.port : Number(r.port),
          ...(typeof target === 'number' || typeof target === 'string' ? { targetPort: target } : {}),
          ...(str(r.protocol) ? { protocol: str(r.protocol) } : {}),
          ...(str(r.appProtocol) ? { appProtocol: str(r.appProtocol) } : {}),
        };
      }),
    },
  };
}

function normaliseSlice(raw: Record<string, unknown>, metadata: ObjectMeta): EndpointSlice {
  return {
    kind: 'EndpointSlice',
    metadata,
    addressType: str(raw.addressType) ?? 'IPv4',
    endpoints: arr(raw.endpoints).map((e): Endpoint => {
      const r = rec(e);
      const c = rec(r.conditions);
      const t = r.targetRef === undefined ? undefined : rec(r.targetRef);
      return {
        addresses: arr(r.addresses).filter(isString),
        conditions: {
          ...(typeof c.ready === 'boolean' ? { ready: c.ready } : {}),
          ...(typeof c.serving === 'boolean' ? { serving: c.serving } : {}),
          ...(typeof c.terminating === 'boolean' ? { terminating: c.terminating } : {}),
        },
        ...(t ? { targetRef: { kind: str(t.kind), name: str(t.name), namespace: str(t.namespace) } } : {}),
      };
    }),
    ports: arr(raw.ports).map((p) => {
      const r = rec(p);
      return {
        ...(str(r.name) !== undefined ? { name: str(r.name) } : {}),
        ...(typeof r.port === 'number' ? { port: r.port } : {}),
        ...(str(r.protocol) ? { protocol: str(r.protocol) } : {}),
        ...(str(r.appProtocol) ? { appProtocol: str(r.appProtocol) } : {}),
      };
    }),
  };
}

function normaliseSecret(raw: Record<string, unknown>, metadata: ObjectMeta): Secret {
  if ((raw as Record<symbol, unknown>)[TRIMMED]) return { kind: 'Secret', metadata, type: str(raw.type) ?? 'Opaque', data: {}, trimmed: true };
  const data = stringMap(raw.data);
  // stringData is write-only on the API, but manifests use it; it wins over data, as on the server.
  for (const [k, v] of Object.entries(stringMap(raw.stringData))) data[k] = Buffer.from(v, 'utf8').toString('base64');
  return { kind: 'Secret', metadata, type: str(raw.type) ?? 'Opaque', data };
}
