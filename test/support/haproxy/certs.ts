/** Self-signed test certificates made with the openssl CLI (P-256 keys: fast to generate). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM of a certificate for `commonName` (plus `altNames`) followed by its private key. */
export function makeCertificatePem(commonName: string, altNames: string[] = [commonName]): string {
  const dir = mkdtempSync(join(tmpdir(), 'pcl-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const crt = join(dir, 'crt.pem');
    const san = altNames.map((n) => `DNS:${n}`).join(',');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=${san}`, '-keyout', key, '-out', crt,
    ], { stdio: 'ignore' });
    return readFileSync(crt, 'utf8') + readFileSync(key, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
