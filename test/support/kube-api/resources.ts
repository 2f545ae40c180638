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
  /** Name of the CustomResourceDefinition that makes this type served; absent for built-in kinds. */
  readonly definedBy?: string;
}

export type ResourceOptions = Partial<Omit<ResourceType, 'key' | 'group' | 'version' | 'apiVersion' | 'plural' | 'kind'>>;

/** One row of a resource table; versions of one group and plural share storage. */
export function resource(groupVersion: string, plural: string, kind: string, options: ResourceOptions = {}): ResourceType {
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
    definedBy: options.definedBy,
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
  // Storing one makes the server serve its kinds (see custom-resources.ts).
  resource('apiextensions.k8s.io/v1', 'customresourcedefinitions', 'CustomResourceDefinition', {
    namespaced: false, hasStatus: true, shortNames: ['crd', 'crds'], prepareForCreate: establishCrd,
  }),
]);

/** What the apiextensions controllers write once a CRD is accepted: its names, Established, the storage version. */
function establishCrd(obj: KubeObject): void {
  const spec = objectField(obj, 'spec');
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isPlainObject) : [];
  const storage = versions.find((v) => v.storage === true)?.name;
  const condition = (type: string, reason: string) => ({ type, status: 'True', reason, message: '', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
  obj.status = {
    acceptedNames: isPlainObject(spec.names) ? spec.names : {},
    conditions: [condition('NamesAccepted', 'NoConflicts'), condition('Established', 'InitialNamesAccepted')],
    storedVersions: storage === undefined ? [] : [storage],
  };
}

/**
 * Lookups over a resource table by URL coordinates or by object type. Built-in types are fixed;
 * custom types come and go with their CustomResourceDefinition.
 */
export class ResourceRegistry {
  private byPath = new Map<string, ResourceType>();
  private byKind = new Map<string, ResourceType>();
  private readonly custom = new Map<string, readonly ResourceType[]>();
  private all: readonly ResourceType[] = [];

  constructor(private readonly builtIn: readonly ResourceType[] = RESOURCE_TYPES) {
    this.index();
  }

  /** Every type served now, in discovery order. */
  get types(): readonly ResourceType[] {
    return this.all;
  }

  /** Serves `types` on behalf of CRD `crdName`, replacing what it served before. */
  define(crdName: string, types: readonly ResourceType[]): void {
    this.custom.set(crdName, types);
    this.index();
  }

  /** Stops serving the types of CRD `crdName`; returns them. */
  undefine(crdName: string): readonly ResourceType[] {
    const gone = this.custom.get(crdName) ?? [];
    this.custom.delete(crdName);
    this.index();
    return gone;
  }

  private index(): void {
    this.all = [...this.builtIn, ...[...this.custom.values()].flat()];
    this.byPath = new Map(this.all.map((type) => [`${type.apiVersion}/${type.plural}`, type]));
    this.byKind = new Map(this.all.map((type) => [`${type.apiVersion}/${type.kind}`, type]));
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
    return this.all.filter((t) => t.apiVersion === groupVersion);
  }

  /** Named API groups with their versions (the core group is served at `/api`). */
  groups(): Array<{ name: string; versions: string[] }> {
    const groups = new Map<string, Set<string>>();
    for (const t of this.all) {
      if (!t.group) continue;
      const versions = groups.get(t.group) ?? new Set<string>();
      versions.add(t.version);
      groups.set(t.group, versions);
    }
    return [...groups].map(([name, versions]) => ({ name, versions: [...versions] }));
  }
}

/**
 * The object as served at `type`'s version. All served versions of a custom resource share one
 * storage and differ only in `apiVersion`, as with a CRD's conversion strategy `None`.
 */
export function servedAs(type: ResourceType, obj: KubeObject): KubeObject {
  return obj.apiVersion === undefined || obj.apiVersion === type.apiVersion ? obj : { ...obj, apiVersion: type.apiVersion };
}

/** `ingresses.networking.k8s.io`, or `pods` for the core group: how errors name a resource. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** `Ingress.networking.k8s.io`, or `Pod`: how validation errors name a kind. */
export function qualifiedKind(type: ResourceType): string {
  return type.group ? `${type.kind}.${type.group}` : type.kind;
}
