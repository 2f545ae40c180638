/**
 * Write semantics of kube-apiserver's generic registry: create, update
 * (main and `/status`), delete with finalizers, and namespace termination.
 * Every HTTP write and every direct test write goes through here, so both
 * produce the same objects and the same watch events.
 */
import { randomUUID } from 'node:crypto';
import {
  alreadyExists, ApiError, badRequest, conflict, failureStatus, forbidden, internalError, namespaceNotFound, notFound,
  STALE_OBJECT_MESSAGE, type StatusBody,
} from './errors.js';
import { cloneJson, isPlainObject, jsonEqual, omitKeys, type KubeObject } from './json-value.js';
import { servedAs, type ResourceRegistry, type ResourceType } from './resources.js';
import type { ObjectStore } from './storage.js';
import { validateObject } from './validation.js';

/** How deleting a Namespace treats its contents. */
export type NamespaceDeletion = 'cascade' | 'terminating';

/** Options shared by writes. */
export interface WriteOptions {
  /** `dryRun=All`: validate and answer, store nothing. */
  dryRun?: boolean;
}

/** Options of {@link KubeWrites.create}. */
export interface CreateOptions extends WriteOptions {
  /** Keep a `status` given in the body (test seeding); the API clears it for types with a status subresource. */
  keepStatus?: boolean;
}

/** Options of {@link KubeWrites.update}. */
export interface UpdateOptions extends WriteOptions {
  subresource?: 'status';
  /** Skip the resourceVersion/uid preconditions (test seeding). */
  ignorePreconditions?: boolean;
  /** Create when missing even if the type does not allow create-on-update (test seeding). */
  createIfMissing?: boolean;
  /** Write `status` when the body has one, on the main resource (test seeding). */
  keepStatus?: boolean;
}

/** Outcome of an update: `created` when it created the object (HTTP 201). */
export interface WriteResult {
  object: KubeObject;
  created: boolean;
}

/** DeleteOptions.preconditions. */
export interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

const PROTECTED_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public']);
const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** Top-level keys whose changes do not bump `metadata.generation`. */
const NON_GENERATION_KEYS = ['metadata', 'status', 'kind', 'apiVersion'];

const NAMESPACES_KEY = '/namespaces';

function specOf(obj: KubeObject): Record<string, unknown> {
  return isPlainObject(obj.spec) ? obj.spec : {};
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Puts kind and apiVersion first, as the real server serialises objects. */
function typed(type: ResourceType, obj: KubeObject): KubeObject {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = obj;
  return { kind: type.kind, apiVersion: type.apiVersion, ...rest } as KubeObject;
}

function decodeObject(type: ResourceType, body: unknown): KubeObject {
  if (!isPlainObject(body)) throw badRequest('the request body must be a JSON object');
  if (body.kind !== undefined && body.kind !== type.kind) {
    throw badRequest(`the kind of the object (${String(body.kind)}) does not match the kind of the resource (${type.kind})`);
  }
  if (body.apiVersion !== undefined && body.apiVersion !== type.apiVersion) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${type.apiVersion})`);
  }
  if (body.metadata !== undefined && !isPlainObject(body.metadata)) throw badRequest('metadata must be an object');
  const obj = cloneJson(body) as KubeObject;
  obj.metadata = (obj.metadata as KubeObject['metadata'] | undefined) ?? {};
  delete obj.metadata.selfLink;
  return obj;
}

/** The object's namespace as the request scopes it; a mismatch with the body is a 400 like the real server's. */
function scopeNamespace(type: ResourceType, obj: KubeObject, namespace: string | undefined): void {
  if (!type.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  const given = obj.metadata.namespace;
  if (given && namespace && given !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = namespace || given || 'default';
}

/** Create, update and delete with kube-apiserver's metadata, status and finalizer rules. */
export class KubeWrites {
  private clusterIPs = 0;

  constructor(
    readonly store: ObjectStore,
    readonly registry: ResourceRegistry,
    private readonly namespaceDeletion: NamespaceDeletion,
  ) {}

  private namespaces(): ResourceType {
    const type = this.registry.findByPath('v1', 'namespaces');
    if (!type) throw new Error('the resource table must serve v1 namespaces');
    return type;
  }

  private allocateClusterIP(): string {
    const n = ++this.clusterIPs;
    return `10.96.${(n >> 8) & 255}.${n & 255}`;
  }

  /** Stored object or 404, shared (copy before changing). */
  current(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.store.find(type, namespace, name);
    if (!found) throw notFound(type, name);
    return servedAs(type, found);
  }

  private generateName(type: ResourceType, obj: KubeObject): void {
    const prefix = obj.metadata.generateName;
    if (obj.metadata.name || typeof prefix !== 'string' || !prefix) return;
    for (let attempt = 0; attempt < 8; attempt++) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
      obj.metadata.name = prefix + suffix;
      if (!this.store.find(type, obj.metadata.namespace, obj.metadata.name)) return;
    }
  }

  private checkNamespaceAcceptsCreate(type: ResourceType, obj: KubeObject): void {
    if (!type.namespaced) return;
    const namespace = obj.metadata.namespace ?? '';
    const ns = this.store.find(this.namespaces(), undefined, namespace);
    if (!ns) throw namespaceNotFound(namespace);
    if (ns.metadata.deletionTimestamp) {
      const why = `unable to create new content in namespace ${namespace} because it is being terminated`;
      const error = forbidden(type, obj.metadata.name ?? '', why);
      error.status.details!.causes = [{ reason: 'NamespaceTerminating', message: why, field: 'metadata.namespace' }];
      throw error;
    }
  }

  /** POST: assigns uid, creationTimestamp, generation and resourceVersion; 409 if the name is taken. */
  create(type: ResourceType, namespace: string | undefined, body: unknown, options: CreateOptions = {}): KubeObject {
    const obj = decodeObject(type, body);
    scopeNamespace(type, obj, namespace);
    if (obj.metadata.resourceVersion) throw internalError('resourceVersion should not be set on objects to be created');
    this.generateName(type, obj);
    type.normalize?.(obj);
    validateObject(type, obj);
    this.checkNamespaceAcceptsCreate(type, obj);
    const name = obj.metadata.name ?? '';
    if (this.store.find(type, obj.metadata.namespace, name)) throw alreadyExists(type, name);
    const givenStatus = obj.status;
    if (type.hasStatus) delete obj.status;
    type.prepareForCreate?.(obj, { allocateClusterIP: () => this.allocateClusterIP() });
    if (options.keepStatus && givenStatus !== undefined) obj.status = givenStatus;
    for (const field of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'resourceVersion'] as const) delete obj.metadata[field];
    Object.assign(obj.metadata, { uid: randomUUID(), creationTimestamp: now(), generation: 1 });
    const result = typed(type, obj);
    return options.dryRun ? result : cloneJson(this.store.put(type, result, 'ADDED'));
  }

  private checkPreconditions(type: ResourceType, existing: KubeObject, given: DeletePreconditions): void {
    const name = existing.metadata.name ?? '';
    if (given.uid && given.uid !== existing.metadata.uid) {
      throw conflict(type, name, `Precondition failed: UID in precondition: ${given.uid}, UID in object meta: ${existing.metadata.uid}`);
    }
    if (given.resourceVersion && given.resourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(type, name, STALE_OBJECT_MESSAGE);
    }
  }

  /** The object an update would store: user-owned parts from the body, server-owned parts from `existing`. */
  private merged(type: ResourceType, existing: KubeObject, obj: KubeObject, options: UpdateOptions): KubeObject {
    let next: KubeObject;
    if (options.subresource === 'status') {
      next = { ...cloneJson(existing), status: obj.status };
    } else {
      next = obj;
      const keepGiven = options.keepStatus && obj.status !== undefined;
      if (type.hasStatus && !keepGiven) next.status = cloneJson(existing.status);
      type.normalize?.(next);
      if (type.key === NAMESPACES_KEY) {
        // Only the finalize subresource may change a namespace's spec.finalizers.
        next.spec = { ...specOf(next), finalizers: cloneJson(specOf(existing).finalizers) };
      }
      const old = existing.metadata;
      next.metadata = {
        ...next.metadata, uid: old.uid, creationTimestamp: old.creationTimestamp,
        deletionTimestamp: old.deletionTimestamp, deletionGracePeriodSeconds: old.deletionGracePeriodSeconds,
        namespace: old.namespace, name: old.name, resourceVersion: old.resourceVersion,
      };
    }
    const specChanged = !jsonEqual(omitKeys(next, NON_GENERATION_KEYS), omitKeys(existing, NON_GENERATION_KEYS));
    next.metadata.generation = (existing.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    return typed(type, next);
  }

  /**
   * PUT: replaces the object (or only its status), 409 on a stale
   * resourceVersion. An update that changes nothing writes nothing and
   * emits no event, as etcd's guaranteed update skips identical bytes.
   */
  update(type: ResourceType, namespace: string | undefined, name: string, body: unknown, options: UpdateOptions = {}): WriteResult {
    const obj = decodeObject(type, body);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    obj.metadata.name = name;
    scopeNamespace(type, obj, namespace);
    const stored = this.store.find(type, obj.metadata.namespace, name);
    const existing = stored && servedAs(type, stored);
    if (!existing) {
      if (options.subresource || !(type.allowCreateOnUpdate || options.createIfMissing)) throw notFound(type, name);
      delete obj.metadata.resourceVersion;
      return { object: this.create(type, obj.metadata.namespace, obj, options), created: true };
    }
    if (!options.ignorePreconditions) this.checkPreconditions(type, existing, obj.metadata);
    const next = this.merged(type, existing, obj, options);
    validateObject(type, next, existing);
    return { object: this.commit(type, existing, next, options), created: false };
  }

  /** Stores `next` over `existing`, finishing a pending deletion once the last finalizer is gone. */
  commit(type: ResourceType, existing: KubeObject, next: KubeObject, options: WriteOptions = {}): KubeObject {
    if (jsonEqual(next, existing) || options.dryRun) return cloneJson(options.dryRun ? next : existing);
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length && type.key !== NAMESPACES_KEY) {
      this.removeObject(type, next);
      return cloneJson(next);
    }
    return cloneJson(this.store.put(type, next, 'MODIFIED'));
  }

  /**
   * DELETE: removes the object, or only marks it (deletionTimestamp) while
   * finalizers remain. The answer is the object for types kube-apiserver
   * returns it for, else a success Status.
   */
  delete(type: ResourceType, namespace: string | undefined, name: string, preconditions: DeletePreconditions = {}, options: WriteOptions = {}): KubeObject | StatusBody {
    const existing = this.current(type, namespace, name);
    this.checkPreconditions(type, existing, preconditions);
    if (type.key === NAMESPACES_KEY) return this.deleteNamespace(type, existing, options);
    if (existing.metadata.finalizers?.length) {
      if (existing.metadata.deletionTimestamp || options.dryRun) return cloneJson(existing);
      return cloneJson(this.store.put(type, this.markDeleting(existing), 'MODIFIED'));
    }
    if (!options.dryRun) this.removeObject(type, existing);
    if (type.deleteReturnsObject) return cloneJson(existing);
    const details = { name, group: type.group || undefined, kind: type.plural, uid: existing.metadata.uid };
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 } as StatusBody;
  }

  private markDeleting(existing: KubeObject): KubeObject {
    const metadata = {
      ...existing.metadata, deletionTimestamp: now(), deletionGracePeriodSeconds: 0,
      generation: (existing.metadata.generation ?? 1) + 1,
    };
    return { ...existing, metadata };
  }

  private removeObject(type: ResourceType, obj: KubeObject, finishNamespace = true): void {
    this.store.remove(type, obj);
    const namespace = obj.metadata.namespace;
    if (finishNamespace && type.namespaced && namespace) this.finishNamespaceIfEmpty(namespace);
  }

  private deleteNamespace(type: ResourceType, existing: KubeObject, options: WriteOptions): KubeObject {
    const name = existing.metadata.name ?? '';
    if (PROTECTED_NAMESPACES.has(name)) throw forbidden(type, name, 'this namespace may not be deleted');
    if (existing.metadata.deletionTimestamp || options.dryRun) return cloneJson(existing);
    const marked = this.store.put(type, { ...this.markDeleting(existing), status: { phase: 'Terminating' } }, 'MODIFIED');
    if (this.namespaceDeletion === 'cascade') this.purgeNamespace(name);
    return cloneJson(marked);
  }

  /** Deletes everything in a namespace, as the namespace controller does, then the namespace if nothing is left. */
  purgeNamespace(namespace: string): void {
    for (const type of this.registry.types) {
      if (!type.namespaced) continue;
      for (const [, obj] of this.store.entries(type, namespace)) {
        if (!obj.metadata.finalizers?.length) this.removeObject(type, obj, false);
        else if (!obj.metadata.deletionTimestamp) this.store.put(type, this.markDeleting(obj), 'MODIFIED');
      }
    }
    this.finishNamespaceIfEmpty(namespace);
  }

  private finishNamespaceIfEmpty(namespace: string): void {
    const nsType = this.namespaces();
    const ns = this.store.find(nsType, undefined, namespace);
    if (!ns?.metadata.deletionTimestamp) return;
    const finalizers = specOf(ns).finalizers;
    if (this.namespaceDeletion === 'terminating' && Array.isArray(finalizers) && finalizers.length) return;
    const empty = this.registry.types.every((t) => !t.namespaced || this.store.entries(t, namespace).length === 0);
    if (empty && !ns.metadata.finalizers?.length) this.store.remove(nsType, ns);
  }

  /** PUT `/namespaces/<name>/finalize`: sets spec.finalizers; once empty, a terminating namespace goes away. */
  finalizeNamespace(name: string, body: unknown): KubeObject {
    const type = this.namespaces();
    const existing = this.current(type, undefined, name);
    const obj = decodeObject(type, body);
    this.checkPreconditions(type, existing, obj.metadata);
    const given = specOf(obj).finalizers;
    const finalizers = Array.isArray(given) ? given : [];
    const next = typed(type, { ...cloneJson(existing), spec: { ...specOf(existing), finalizers } });
    const stored = this.commit(type, existing, next);
    if (existing.metadata.deletionTimestamp && finalizers.length === 0) this.purgeNamespace(name);
    return stored;
  }

  /** Writes spec.replicas only (the `/scale` subresource); 409 on a stale resourceVersion. */
  setReplicas(type: ResourceType, namespace: string | undefined, name: string, replicas: unknown, resourceVersion?: string): KubeObject {
    const existing = this.current(type, namespace, name);
    this.checkPreconditions(type, existing, { resourceVersion });
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      const message = `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`;
      throw new ApiError(failureStatus(422, message, 'Invalid'));
    }
    const spec = specOf(existing);
    const next: KubeObject = { ...cloneJson(existing), spec: { ...cloneJson(spec), replicas } };
    next.metadata.generation = (existing.metadata.generation ?? 1) + (spec.replicas === replicas ? 0 : 1);
    return this.commit(type, existing, next);
  }
}
