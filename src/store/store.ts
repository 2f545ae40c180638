import { EventEmitter } from 'node:events';
import {
  KINDS,
  SNAPSHOT_FIELDS,
  objectKey,
  type Kind,
  type KindMap,
  type KubeObject,
  type Snapshot,
  type StoreChange,
} from './types.js';

export type { StoreChange };

/**
 * The controller's view of the cluster. Sources write into it; the reconcile loop reads immutable
 * snapshots from it. A write that changes nothing (same resourceVersion and content) emits nothing,
 * so a relist or a re-delivered watch event does not trigger work.
 *
 * Events: 'change' (StoreChange) after every effective write.
 */
export class Store extends EventEmitter {
  private readonly byKind = new Map<Kind, Map<string, KubeObject>>();
  private readonly synced = new Set<Kind>();
  private generation = 0;
  private cached: { generation: number; snapshot: Snapshot } | undefined;

  constructor() {
    super();
    for (const kind of KINDS) this.byKind.set(kind, new Map());
  }

  /** Increases on every effective change; lets consumers skip work when nothing moved. */
  get version(): number {
    return this.generation;
  }

  upsert(obj: KubeObject): void {
    const objects = this.byKind.get(obj.kind)!;
    const key = objectKey(obj.metadata);
    const previous = objects.get(key);
    if (previous && sameObject(previous, obj)) return;
    objects.set(key, obj);
    this.changed({ kind: obj.kind, key, type: 'upsert', object: obj, previous });
  }

  delete(kind: Kind, key: string): void {
    const previous = this.byKind.get(kind)!.get(key);
    if (!previous) return;
    this.byKind.get(kind)!.delete(key);
    this.changed({ kind, key, type: 'delete', previous });
  }

  /** Replaces every object of a kind (a relist), emitting only the differences. */
  replaceAll<K extends Kind>(kind: K, objects: Iterable<KindMap[K]>): void {
    const next = new Map<string, KubeObject>();
    for (const obj of objects) next.set(objectKey(obj.metadata), obj);
    for (const key of [...this.byKind.get(kind)!.keys()]) if (!next.has(key)) this.delete(kind, key);
    for (const obj of next.values()) this.upsert(obj);
  }

  get<K extends Kind>(kind: K, key: string): KindMap[K] | undefined {
    return this.byKind.get(kind)!.get(key) as KindMap[K] | undefined;
  }

  list<K extends Kind>(kind: K): KindMap[K][] {
    return [...this.byKind.get(kind)!.values()] as KindMap[K][];
  }

  /** Marks a kind as fully listed once; readiness waits for every watched kind. */
  markSynced(kind: Kind): void {
    if (this.synced.has(kind)) return;
    this.synced.add(kind);
    this.emit('synced', kind);
  }

  isSynced(kinds: readonly Kind[] = KINDS): boolean {
    return kinds.every((k) => this.synced.has(k));
  }

  /** An immutable copy; cached until the next change, so repeated reads cost nothing. */
  snapshot(): Snapshot {
    if (this.cached?.generation === this.generation) return this.cached.snapshot;
    const snapshot = Object.fromEntries(KINDS.map((kind) => [SNAPSHOT_FIELDS[kind], new Map(this.byKind.get(kind)!)])) as unknown as Snapshot;
    this.cached = { generation: this.generation, snapshot };
    return snapshot;
  }

  private changed(change: StoreChange): void {
    this.generation++;
    this.emit('change', change);
  }
}

function sameObject(a: KubeObject, b: KubeObject): boolean {
  // Status writes bump resourceVersion without changing what we route; comparing content as well
  // keeps our own status updates from echoing back as work.
  // The same version with its data fetched after it was trimmed is a change; the other way round,
  // the data already held for that version is kept.
  if (a.metadata.resourceVersion && a.metadata.resourceVersion === b.metadata.resourceVersion) return !(trimmedOf(a) && !trimmedOf(b));
  return JSON.stringify(withoutVersion(a)) === JSON.stringify(withoutVersion(b));
}

function withoutVersion(obj: KubeObject): unknown {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: '' } };
}

function trimmedOf(obj: KubeObject): boolean {
  return obj.kind === 'Secret' && obj.trimmed === true;
}
