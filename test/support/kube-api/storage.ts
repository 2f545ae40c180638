/**
 * The etcd stand-in: every object of every type, one global revision that
 * each write increments (so `metadata.resourceVersion` is comparable across
 * types, like etcd's), and a bounded history of write events. The history
 * serves watches that resume from a resourceVersion and consistent paged
 * lists; anything older than it is answered with 410 Expired by callers.
 *
 * Stored objects are never mutated in place: a write stores a new object,
 * so events and snapshots can share references safely.
 */
import { cloneJson, type KubeObject } from './json-value.js';
import type { ResourceType } from './resources.js';

/** The kind of change a write made. */
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One write, as kept in history and handed to subscribers. */
export interface StoreEvent {
  readonly revision: number;
  readonly type: EventType;
  readonly resource: ResourceType;
  /** The object after the write; for DELETED, the last state stamped with the deletion's revision. */
  readonly object: KubeObject;
  /** The object before the write (absent for ADDED); watches need it to tell selector transitions. */
  readonly prev?: KubeObject;
}

/** Receives every write synchronously, in revision order. */
export type StoreListener = (event: StoreEvent) => void;

/** Storage key of an object inside its type's table: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function keyOf(obj: KubeObject): string {
  return objectKey(obj.metadata.namespace, obj.metadata.name ?? '');
}

function withRevision(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

function byKey(a: [string, KubeObject], b: [string, KubeObject]): number {
  // etcd orders keys bytewise, which is what list order follows.
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Objects, revisions and watch history for one test server. */
export class ObjectStore {
  private revisionValue = 0;
  private compacted = 0;
  private readonly tables = new Map<string, Map<string, KubeObject>>();
  private history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly historyLimit: number) {}

  /** The latest revision: what a list reports as its resourceVersion. */
  get revision(): number {
    return this.revisionValue;
  }

  /** The oldest revision a watch can resume from; every later event is still in history. */
  get oldestResumable(): number {
    return this.compacted;
  }

  private table(type: ResourceType): Map<string, KubeObject> {
    let table = this.tables.get(type.key);
    if (!table) {
      table = new Map();
      this.tables.set(type.key, table);
    }
    return table;
  }

  /** The stored object (shared; callers must copy before mutating). */
  find(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.tables.get(type.key)?.get(objectKey(type.namespaced ? namespace : undefined, name));
  }

  /** Current objects of a type in key order, optionally within one namespace. */
  entries(type: ResourceType, namespace?: string): Array<[string, KubeObject]> {
    const all = [...(this.tables.get(type.key) ?? new Map<string, KubeObject>())];
    const scoped = namespace === undefined ? all : all.filter(([, obj]) => obj.metadata.namespace === namespace);
    return scoped.sort(byKey);
  }

  /**
   * Objects of a type as they were at `revision`, in key order, rebuilt by
   * undoing later history. Undefined when history no longer reaches back that far.
   */
  snapshot(type: ResourceType, revision: number): Array<[string, KubeObject]> | undefined {
    if (revision >= this.revisionValue) return this.entries(type);
    if (revision < this.compacted) return undefined;
    const table = new Map(this.tables.get(type.key) ?? []);
    for (let i = this.history.length - 1; i >= 0 && this.history[i].revision > revision; i--) {
      const event = this.history[i];
      if (event.resource.key !== type.key) continue;
      if (event.type === 'ADDED') table.delete(keyOf(event.object));
      else if (event.prev) table.set(keyOf(event.prev), event.prev);
    }
    return [...table].sort(byKey);
  }

  /** Stores a new or changed object at the next revision and notifies subscribers. Returns what was stored. */
  put(type: ResourceType, obj: KubeObject, eventType: 'ADDED' | 'MODIFIED'): KubeObject {
    const table = this.table(type);
    const key = keyOf(obj);
    const prev = table.get(key);
    const stored = withRevision(cloneJson(obj), this.revisionValue + 1);
    this.revisionValue++;
    table.set(key, stored);
    this.record({ revision: this.revisionValue, type: eventType, resource: type, object: stored, prev });
    return stored;
  }

  /**
   * Removes an object at the next revision. The DELETED event carries `obj`
   * (its final state, e.g. with the last finalizer gone) stamped with that revision.
   */
  remove(type: ResourceType, obj: KubeObject): KubeObject {
    const table = this.table(type);
    const key = keyOf(obj);
    const prev = table.get(key) ?? obj;
    this.revisionValue++;
    table.delete(key);
    const tombstone = withRevision(cloneJson(obj), this.revisionValue);
    this.record({ revision: this.revisionValue, type: 'DELETED', resource: type, object: tombstone, prev });
    return tombstone;
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const drop = this.history.length - this.historyLimit;
      this.compacted = this.history[drop - 1].revision;
      this.history.splice(0, drop);
    }
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Events after `revision` in order, or undefined when some of them were already forgotten. */
  eventsAfter(revision: number): StoreEvent[] | undefined {
    if (revision < this.compacted) return undefined;
    let low = 0;
    let high = this.history.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.history[mid].revision <= revision) low = mid + 1;
      else high = mid;
    }
    return this.history.slice(low);
  }

  /** Forgets all history, as an etcd compaction would. */
  compact(): void {
    this.compacted = this.revisionValue;
    this.history = [];
  }

  /** Registers a listener; the returned function unregisters it. */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
