/**
 * Files under the state directory. Every write is atomic (temporary file + rename), so HAProxy,
 * when it (re)loads, sees either the old or the new version of a file, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RenderedFile } from '../types.js';

/** Directories whose content is entirely rendered: files not rendered any more are removed. */
const OWNED_DIRS = ['maps', 'certs'];
const OWNED_FILE = /\.(map|pem|txt)$/;

export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temp, content, { mode, flag: 'wx' });
    // The mode given to writeFile is filtered by the umask; certificates must be exactly 0600.
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Content by relative path, as last written to a directory. */
export type WrittenFiles = ReadonlyMap<string, string>;

/**
 * Makes `dir` hold exactly `files` (plus what is not in the owned directories). Files whose
 * content equals `previous` are not rewritten. Resolves with the new content map.
 */
export async function syncFiles(dir: string, files: readonly RenderedFile[], previous?: WrittenFiles): Promise<WrittenFiles> {
  const written = new Map<string, string>();
  for (const file of files) {
    if (previous?.get(file.path) !== file.content) await writeFileAtomic(join(dir, file.path), file.content, file.mode);
    written.set(file.path, file.content);
  }
  for (const sub of OWNED_DIRS) {
    const entries = await readdir(join(dir, sub)).catch(() => [] as string[]);
    for (const name of entries) {
      const rel = `${sub}/${name}`;
      if (!written.has(rel) && (OWNED_FILE.test(name) || name.includes('.tmp-'))) await rm(join(dir, rel), { force: true });
    }
  }
  return written;
}
