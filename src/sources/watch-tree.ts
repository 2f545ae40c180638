import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Calls `onChange` whenever anything under `root` changes: a file written, created, deleted or
 * replaced, a folder added or removed.
 *
 * Why not `fs.watch(root, { recursive: true })`: on Linux, Node 20 and 22 implement it with one
 * inotify watch per file, and a file replaced by a new inode (`cp`, editors that save through a
 * rename) keeps the watch on the old, unlinked inode, so every later edit of that file goes
 * unnoticed. Watching folders only avoids that: a folder's watch reports events on the names
 * inside it, whatever inode they point to.
 */
export class TreeWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private closed = false;
  private started = false;
  private rescanQueued = false;
  private rescanning: Promise<void> = Promise.resolve();

  constructor(
    private readonly root: string,
    private readonly onChange: () => void,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  async start(): Promise<void> {
    this.started = false;
    await this.rescan();
    this.started = true;
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Brings the set of watched folders in line with the folders that exist now. */
  private rescan(): Promise<void> {
    this.rescanning = this.rescanning.then(async () => {
      this.rescanQueued = false;
      if (this.closed) return;
      const folders = new Set([this.root, ...(await walkTree(this.root)).folders]);
      for (const [dir, w] of this.watchers) {
        if (!folders.has(dir)) {
          w.close();
          this.watchers.delete(dir);
        }
      }
      let added = false;
      for (const dir of folders) {
        if (this.watchers.has(dir) || this.closed) continue;
        added = true;
        try {
          const w = watch(dir, () => this.changed());
          w.on('error', (err) => {
            // A watched folder that disappears errors on some platforms; the rescan drops it.
            w.close();
            this.watchers.delete(dir);
            if (dir === this.root) this.onError(err);
            else this.changed();
          });
          this.watchers.set(dir, w);
        } catch (err) {
          // Removed between listing and watching: the next event's rescan settles it.
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(err as Error);
        }
      }
      // Files may have been written into a new folder before its watch existed.
      if (added && this.started) this.onChange();
    }).catch((err: Error) => this.onError(err));
    return this.rescanning;
  }

  private changed(): void {
    if (this.closed) return;
    this.onChange();
    // A new folder must be watched before files appear in it. One rescan waiting is enough for any
    // number of events: it reads the tree as it is when it runs.
    if (this.rescanQueued) return;
    this.rescanQueued = true;
    void this.rescan();
  }
}

/**
 * Files and folders under `root` (not `root` itself). A folder removed while it is being read
 * counts as empty: trees change under a watcher, and the next event sets things right. Only the
 * root missing is an error.
 */
export async function walkTree(root: string): Promise<{ files: string[]; folders: string[] }> {
  const files: string[] = [];
  const folders: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (dir !== root && ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return;
      throw err;
    }
    for (const e of entries) {
      // Hidden names are skipped: editors' swap files, and the `..data` folders of a mounted
      // ConfigMap, whose files are also reached through the symlinks beside them.
      if (e.name.startsWith('.')) continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        folders.push(path);
        await visit(path);
      } else if (e.isFile() || (e.isSymbolicLink() && (await isFile(path)))) files.push(path);
    }
  };
  await visit(root);
  return { files, folders };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false; // a dangling link
  }
}
