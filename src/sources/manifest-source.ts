import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { normalise } from './normalise.js';
import { TreeWatcher, walkTree } from './watch-tree.js';
import type { Store } from '../store/store.js';
import { KINDS, type Kind, type KubeObject } from '../store/types.js';

export interface ManifestError {
  file: string;
  message: string;
}

/**
 * Treats a folder of YAML/JSON manifests as the cluster: every object of a watched kind (Ingress,
 * IngressClass, Service, EndpointSlice, Secret, ConfigMap, the Gateway API kinds, Namespace),
 * in it (multi-document files, nested folders, `List` kinds)
 * is loaded into the store, and edits, additions and deletions are picked up while running.
 *
 * A file that fails to parse keeps the objects it had before, so a half-saved edit never takes
 * routes down; the error is reported through the 'error' event (ManifestError).
 */
export class ManifestSource extends EventEmitter {
  private readonly perFile = new Map<string, KubeObject[]>();
  private watcher: TreeWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly dir: string,
    private readonly store: Store,
    private readonly debounceMs = 50,
  ) {
    super();
  }

  async start(watchForChanges = true): Promise<void> {
    if (watchForChanges) {
      // Watching starts before the first load so that an edit made during it is not missed.
      this.watcher = new TreeWatcher(this.dir, () => this.scheduleLoad(), (err) => this.emit('error', { file: this.dir, message: String(err) } satisfies ManifestError));
      await this.watcher.start();
    }
    await this.load();
    for (const kind of KINDS) this.store.markSynced(kind);
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    clearTimeout(this.timer);
  }

  /** Resolves when the latest scheduled reload has finished (used by tests and `render`). */
  async settled(): Promise<void> {
    while (this.timer) await new Promise((r) => setTimeout(r, this.debounceMs));
    await this.loading;
  }

  private scheduleLoad(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.loading = this.loading.then(async () => {
        if (this.stopped) return;
        try {
          await this.load();
        } catch (err) {
          // The folder itself went away or became unreadable: keep what was loaded, report it.
          if (!this.stopped) this.emit('error', { file: this.dir, message: (err as Error).message } satisfies ManifestError);
        }
      });
    }, this.debounceMs);
  }

  private async load(): Promise<void> {
    const files = await listManifestFiles(this.dir);
    const seen = new Set(files);
    for (const file of [...this.perFile.keys()]) if (!seen.has(file)) this.perFile.delete(file);
    for (const file of files) {
      try {
        this.perFile.set(file, parseManifests(await readFile(file, 'utf8')));
      } catch (err) {
        // Deleted between listing and reading: the same as not listed.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          this.perFile.delete(file);
          continue;
        }
        this.emit('error', { file: relative(this.dir, file), message: (err as Error).message } satisfies ManifestError);
      }
    }
    const byKind = new Map<Kind, KubeObject[]>(KINDS.map((k) => [k, []]));
    for (const objects of this.perFile.values()) for (const obj of objects) byKind.get(obj.kind)!.push(obj);
    for (const [kind, objects] of byKind) this.store.replaceAll(kind, objects);
  }
}

/** Parses multi-document YAML (or JSON) into store objects; unknown kinds are skipped. */
export function parseManifests(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(doc.errors[0].message);
    const raw = doc.toJS() as unknown;
    const items = isList(raw) ? raw.items : [raw];
    for (const item of items) {
      const obj = normalise(item);
      if (obj) out.push(obj);
    }
  }
  return out;
}

function isList(raw: unknown): raw is { items: unknown[] } {
  return typeof raw === 'object' && raw !== null && Array.isArray((raw as { items?: unknown }).items);
}

/** The manifest files under `dir` (YAML and JSON, hidden names skipped), sorted. */
export async function listManifestFiles(dir: string): Promise<string[]> {
  const { files } = await walkTree(dir);
  return files.filter((f) => /\.(ya?ml|json)$/i.test(f)).sort();
}
