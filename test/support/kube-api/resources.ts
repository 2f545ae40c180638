/**
 * The resource types the test apiserver serves. Each is one row built by
 * {@link resource}; what differs between kinds in kube-apiserver (scope,
 * subresources, create-on-update, delete response, defaulting) is a field
 * here rather than a branch in the request handlers.
 */
import { isPlainObject, type KubeObject } from './json-value.js';

/** Which name syntax the real validation applies to a kind. */
export type NameRule = 'subdomain' | 'label' | 'dns1035';

/** Per-server state a defaulting hook may draw on (kept out of module scope). */
export interface DefaultingContext {
  allocateClusterIP(): string;
}

/** How one group/version/resource behaves. */
export interface ResourceType {
  /** Storage key: objects of one type share it across requests, e.g. `networking.k8s.io/ingresses`. */
  readonly key: string;
  readonly group: string;
  readonly version: string;
  /** `v1` or `group/version`, as written in objects. */
  readonly apiVersion: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Has a `/status` subresource: main writes keep the stored status, `/status` writes keep everything else. */
  readonly hasStatus: boolean;
  /** Has a `/scale` subresource mapping to `spec.replicas`. */
  readonly hasScale: boolean;
  readonly shortNames: readonly string[];
  /** Field selector labels beyond `metadata.name` and `metadata.namespace`. */
  readonly fieldLabels: readonly string[];
  readonly nameRule: NameRule;
  /** PUT of a missing object creates it (kube-apiserver's AllowCreateOnUpdate). */
  readonly allowCreateOnUpdate: boolean;
  /** DELETE answers with the object instead of a success Status (ReturnDeletedObject). */
  readonly deleteReturnsObject: boolean;
  /** Fills server-side defaults on create, as the strategy's PrepareForCreate plus defaulting does. */
  readonly prepareForCreate?: (obj: KubeObject, ctx: DefaultingContext) => void;
  /** Normalises every write (create and update), e.g. Secret `stringData` folding. */
  readonly normalize?: (obj: KubeObject) => void;
}

type ResourceOptions = Partial<Omit<ResourceType, 'key' | 'group' | 'version' | 'apiVersion' | 'plural' | 'kind'>>;

function resource(groupVersion: string, plural: string, kind: string, options: ResourceOptions = {}): ResourceType {
  const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') : ['', groupVersion];
  return Object.freeze({
    key: `${group}/${plural}`,
    group,
    version,
    apiVersion: groupVersion,
    plural,
    kind,
    singular: options.singular ?? kind.toLowerCase(),
    namespaced: options.namespaced ?? true,
    hasStatus: options.hasStatus ?? false,
    hasScale: options.hasScale ?? false,
    shortNames: options.shortNames ?? [],
    fieldLabels: options.fieldLabels ?? [],
    nameRule: options.nameRule ?? 'subdomain',
    allowCreateOnUpdate: options.allowCreateOnUpdate ?? false,
    deleteReturnsObject: options.deleteReturnsObject ?? false,
    prepareForCreate: options.prepareForCreate,
    normalize: options.normalize,
  });
}

function objectField(obj: KubeObject, field: string): Record<string, unknown> {
  const value = obj[field];
  if (isPlainObject(value)) return value;
  const created: Record<string, unknown> = {};
  obj[field] = created;
  return created;
}

const EVENT_FIELDS = [
  'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
  'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath',
  'reason', 'reportingComponent', 'source', 'type',
];

const POD_FIELDS = [
  'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName',
  'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName',
];

function defaultNamespace(obj: KubeObject): void {
  obj.status = { phase: 'Active' };
  objectField(obj, 'spec').finalizers = ['kubernetes'];
}

/** The label kube-apiserver keeps on every Namespace, so namespace selectors can match by name. */
function labelNamespaceName(obj: KubeObject): void {
  if (obj.metadata.name) obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
}

function defaultService(obj: KubeObject, ctx: DefaultingContext): void {
  const spec = objectField(obj, 'spec');
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName' && spec.clusterIP === undefined) spec.clusterIP = ctx.allocateClusterIP();
  if (typeof spec.clusterIP === 'string' && spec.clusterIP !== 'None') spec.clusterIPs ??= [spec.clusterIP];
  if (Array.isArray(spec.ports)) {
    for (const port of spec.ports) {
      if (!isPlainObject(port)) continue;
      port.protocol ??= 'TCP';
      port.targetPort ??= port.port;
    }
  }
  obj.status = { loadBalancer: {} };
}

/** `stringData` is write-only: the server folds it into base64 `data`. */
function foldSecretStringData(obj: KubeObject): void {
  obj.type ??= 'Opaque';
  if (!isPlainObject(obj.stringData)) return;
  const data = objectField(obj, 'data');
  for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  delete obj.stringData;
}

/** Every resource type served, in discovery order. */
export const RESOURCE_TYPES: readonly ResourceType[] = Object.freeze([
  resource('v1', 'namespaces', 'Namespace', {
    namespaced: false, hasStatus: true, shortNames: ['ns'], nameRule: 'label', deleteReturnsObject: true,
    fieldLabels: ['status.phase'], prepareForCreate: defaultNamespace, normalize: labelNamespaceName,
  }),
  resource('v1', 'services', 'Service', {
    hasStatus: true, shortNames: ['svc'], nameRule: 'dns1035', allowCreateOnUpdate: true, deleteReturnsObject: true,
    prepareForCreate: defaultService,
  }),
  resource('v1', 'endpoints', 'Endpoints', { singular: 'endpoints', shortNames: ['ep'], allowCreateOnUpdate: true }),
  resource('v1', 'secrets', 'Secret', { fieldLabels: ['type'], normalize: foldSecretStringData }),
  resource('v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  resource('v1', 'events', 'Event', { shortNames: ['ev'], allowCreateOnUpdate: true, fieldLabels: EVENT_FIELDS }),
  resource('v1', 'pods', 'Pod', {
    hasStatus: true, shortNames: ['po'], deleteReturnsObject: true, fieldLabels: POD_FIELDS,
    prepareForCreate: (obj) => { obj.status = { phase: 'Pending' }; },
  }),
  resource('networking.k8s.io/v1', 'ingresses', 'Ingress', {
    hasStatus: true, shortNames: ['ing'], prepareForCreate: (obj) => { obj.status = { loadBalancer: {} }; },
  }),
  resource('networking.k8s.io/v1', 'ingressclasses', 'IngressClass', { namespaced: false }),
  resource('discovery.k8s.io/v1', 'endpointslices', 'EndpointSlice', { fieldLabels: ['addressType'] }),
  resource('apps/v1', 'deployments', 'Deployment', {
    hasStatus: true, hasScale: true, shortNames: ['deploy'],
    prepareForCreate: (obj) => {
      objectField(obj, 'spec').replicas ??= 1;
      obj.status = {};
    },
  }),
  resource('coordination.k8s.io/v1', 'leases', 'Lease', { allowCreateOnUpdate: true }),
  resource('events.k8s.io/v1', 'events', 'Event', { shortNames: ['ev'], allowCreateOnUpdate: true }),
]);

/** Lookups over a resource table by URL coordinates or by object type. */
export class ResourceRegistry {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();

  constructor(readonly types: readonly ResourceType[] = RESOURCE_TYPES) {
    for (const type of types) {
      this.byPath.set(`${type.apiVersion}/${type.plural}`, type);
      this.byKind.set(`${type.apiVersion}/${type.kind}`, type);
    }
  }

  /** The type served at `/api(s)/<groupVersion>/<plural>`, if any. */
  findByPath(groupVersion: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${groupVersion}/${plural}`);
  }

  /** The type of objects with this `apiVersion` and `kind`, if served. */
  findByKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }

  /** Types under one group/version, for discovery. */
  inGroupVersion(groupVersion: string): ResourceType[] {
    return this.types.filter((t) => t.apiVersion === groupVersion);
  }

  /** Named API groups with their versions (the core group is served at `/api`). */
  groups(): Array<{ name: string; versions: string[] }> {
    const groups = new Map<string, Set<string>>();
    for (const t of this.types) {
      if (!t.group) continue;
      const versions = groups.get(t.group) ?? new Set<string>();
      versions.add(t.version);
      groups.set(t.group, versions);
    }
    return [...groups].map(([name, versions]) => ({ name, versions: [...versions] }));
  }
}

/** `ingresses.networking.k8s.io`, or `pods` for the core group: how errors name a resource. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** `Ingress.networking.k8s.io`, or `Pod`: how validation errors name a kind. */
export function qualifiedKind(type: ResourceType): string {
  return type.group ? `${type.kind}.${type.group}` : type.kind;
}
