import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { planLayout, render, RenderRefusedError, validateConfig, type Rendered } from '../haproxy/index.js';
import { ManifestSource, type ManifestError } from '../sources/manifest-source.js';
import { Store } from '../store/store.js';
import { translate } from '../translate/index.js';
import type { CliOptions } from './options.js';
import { findBinary } from './find-binary.js';
import { translateOptionsFrom } from './translate-options.js';

/**
 * `portcullis render --manifests DIR`: prints the HAProxy configuration and map files the
 * controller would run (certificate files are named, never printed), one line per problem on
 * stderr, and exits 1 when an object was rejected. With `--out DIR` the files are written there
 * and checked with `haproxy -c`.
 */
export async function renderCommand(options: CliOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const store = new Store();
  const source = new ManifestSource(options.manifests!, store);
  const manifestErrors: ManifestError[] = [];
  source.on('error', (e: ManifestError) => manifestErrors.push(e));
  await source.start(false);
  // Without --out or --state-dir the paths only show where a controller would keep the files.
  const stateDir = resolve(options.out ?? options.stateDir ?? join(tmpdir(), `portcullis-${process.pid}`));
  const result = translate(store.snapshot(), translateOptionsFrom(options));
  let rendered: Rendered;
  try {
    rendered = render(result.model, planLayout(undefined, result.model), stateDir);
  } catch (e) {
    if (!(e instanceof RenderRefusedError)) throw e;
    const s = e.source;
    err.write(`error ${e.code} ${s ? `${s.kind} ${s.namespace ? s.namespace + '/' : ''}${s.name}` : ''}: ${e.message}\n`);
    return 1;
  }

  out.write(`# ${join(stateDir, 'haproxy.cfg')}\n${rendered.config}`);
  for (const file of rendered.files) {
    if (file.path.endsWith('.pem')) out.write(`\n# ${join(stateDir, file.path)} (certificate and key, ${file.content.length} bytes, not shown)\n`);
    else out.write(`\n# ${join(stateDir, file.path)}\n${file.content}`);
  }
  for (const e of manifestErrors) err.write(`error PCL_ERR_MANIFEST_PARSE ${e.file}: ${e.message}\n`);
  for (const d of result.diagnostics) err.write(`${d.severity} ${d.code} ${d.source.kind} ${d.source.namespace ? d.source.namespace + '/' : ''}${d.source.name}: ${d.message}\n`);
  let failed = manifestErrors.length > 0 || result.diagnostics.some((d) => d.severity === 'error');

  if (options.out) {
    await writeFiles(options.out, rendered.config, rendered.files);
    const check = await validateConfig(findBinary(options.haproxyBin), join(options.out, 'haproxy.cfg'));
    if (!check.ok) {
      err.write(`error PCL_ERR_HAPROXY_VALIDATION haproxy -c rejected the configuration:\n${check.output}\n`);
      failed = true;
    } else err.write(`haproxy -c: configuration is valid (${join(options.out, 'haproxy.cfg')})\n`);
  }
  return failed ? 1 : 0;
}

async function writeFiles(dir: string, config: string, files: { path: string; content: string; mode: number }[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'haproxy.cfg'), config);
  for (const file of files) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true, mode: 0o700 });
    await writeFile(join(dir, file.path), file.content, { mode: file.mode });
  }
}
