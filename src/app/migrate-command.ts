import { parseArgs } from 'node:util';
import { ManifestSource, type ManifestError } from '../sources/manifest-source.js';
import { Store } from '../store/store.js';
import { formatReport, migrationReport } from './migrate-report.js';

const USAGE = 'usage: portcullis migrate --manifests DIR [--nginx-configmap NS/NAME] [--format text|json]';

/**
 * `portcullis migrate --manifests DIR`: what serving these Ingresses would change for an
 * ingress-nginx user, per annotation. Reads only; exit 0 when every key is served, 1 when some
 * is not, 2 on a usage error.
 */
export async function migrateCommand(argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let values: { manifests?: string; 'nginx-configmap'?: string; format?: string; kubeconfig?: string };
  try {
    values = parseArgs({
      args: [...argv],
      options: { manifests: { type: 'string' }, kubeconfig: { type: 'string' }, 'nginx-configmap': { type: 'string' }, format: { type: 'string' } },
    }).values;
  } catch (e) {
    err.write(`portcullis migrate: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const format = values.format ?? 'text';
  if (!values.manifests || (format !== 'text' && format !== 'json')) {
    err.write(`portcullis migrate: ${values.kubeconfig ? '--kubeconfig is not read yet; export the objects and use --manifests' : 'needs --manifests DIR and --format text or json'}\n${USAGE}\n`);
    return 2;
  }
  const store = new Store();
  const source = new ManifestSource(values.manifests, store);
  source.on('error', (e: ManifestError) => err.write(`portcullis migrate: ${e.file}: ${e.message}\n`));
  await source.start(false);
  const report = migrationReport(store.snapshot(), values['nginx-configmap']);
  out.write(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.served ? 0 : 1;
}
