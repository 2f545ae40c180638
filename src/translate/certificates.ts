import type { Certificate } from '../model/types.js';
import { certificateId } from '../model/names.js';
import { objectKey, refOf, type Snapshot } from '../store/types.js';
import { configuredDefaultCertificate } from './annotations/global-settings.js';
import type { SettingsResolver } from './annotations/resolve.js';
import { compareText, type Diagnostics } from './diagnostics.js';
import { coveringWildcard } from './hosts.js';
import { parseObjectKey } from './option-refs.js';
import { checkTlsSecret, type TlsSecretCheck } from './pem.js';
import type { TranslateOptions } from './types.js';

/** Id of the certificate served when no other matches; never a `certificateId` (those hold '_'). */
export const DEFAULT_CERTIFICATE_ID = 'default';

/** What claiming SNI hosts for a Secret gave; the front door that asked words the diagnostics. */
export type CertificateClaim =
  | { status: 'not-found' }
  /** The Secret's data is not loaded yet (the source trims Secrets nothing referenced, and fetches them once named). */
  | { status: 'pending' }
  | { status: 'invalid'; reason: string }
  /** `taken`: hosts another Secret claimed first (`owner` is its `namespace/name`); the others are this Secret's. */
  | { status: 'ok'; taken: { host: string; owner: string }[] };

/**
 * The certificates of one translation, shared by every front door: one per TLS Secret, with the
 * union of the SNI hosts claimed for it, and each host served by the Secret that claimed it first.
 * Front doors claim in the order their conflicts are settled in (for Ingresses, oldest first).
 */
export class CertificateTable {
  /** Certificates by id; hosts collected as a set until the end. */
  private readonly byId = new Map<string, { certificate: Certificate; hosts: Set<string> }>();
  /** SNI host -> `namespace/name` of the Secret that claimed it first. */
  private readonly owners = new Map<string, string>();
  /** Each Secret is checked once, however many objects name it. */
  private readonly checked = new Map<string, TlsSecretCheck>();

  /** Ids listed even without a host: a listener serves them by default (Gateway API). */
  private readonly retained = new Set<string>();

  constructor(private readonly snapshot: Snapshot) {}

  /** Lists the certificate `id` (already claimed) even when it serves no SNI host of its own. */
  retain(id: string): void {
    this.retained.add(id);
  }

  /** Serves `hosts` (already checked) with the TLS Secret `namespace/name`, where no other Secret serves them yet. */
  claim(namespace: string, name: string, hosts: readonly string[]): CertificateClaim {
    const secretKey = `${namespace}/${name}`;
    const secret = this.snapshot.secrets.get(secretKey);
    if (!secret) return { status: 'not-found' };
    if (secret.trimmed) return { status: 'pending' };
    const check = this.checked.get(secretKey) ?? checkTlsSecret(secret);
    this.checked.set(secretKey, check);
    if (!check.ok) return { status: 'invalid', reason: check.reason };
    const id = certificateId(namespace, name);
    let entry = this.byId.get(id);
    if (!entry) {
      entry = { certificate: { id, pem: check.pem, hosts: [], source: refOf(secret) }, hosts: new Set() };
      this.byId.set(id, entry);
    }
    const taken: { host: string; owner: string }[] = [];
    for (const host of hosts) {
      const owner = this.owners.get(host) ?? secretKey;
      if (owner !== secretKey) {
        taken.push({ host, owner });
        continue;
      }
      this.owners.set(host, secretKey);
      entry.hosts.add(host);
    }
    return { status: 'ok', taken };
  }

  /** Every SNI name served, exact and wildcard, for {@link isCovered}. */
  served(): ReadonlySet<string> {
    return new Set(this.owners.keys());
  }

  /** The certificates sorted by id, hosts sorted. One left with no host is dropped unless retained: nothing would select it. */
  list(): Certificate[] {
    return [...this.byId.values()]
      .filter(({ certificate, hosts }) => hosts.size > 0 || this.retained.has(certificate.id))
      .map(({ certificate, hosts }) => ({ ...certificate, hosts: [...hosts].sort(compareText) }))
      .sort((a, b) => compareText(a.id, b.id));
  }
}

/** True when a certificate serves `host`, by its exact name or by the wildcard covering it. */
export function isCovered(host: string, served: ReadonlySet<string>): boolean {
  if (host === '') return false;
  const wildcard = coveringWildcard(host);
  return served.has(host) || (wildcard !== undefined && served.has(wildcard));
}

/** The ConfigMap's `ssl-certificate` when usable, else `--default-ssl-certificate`, else the generated one. */
export function chooseDefaultCertificate(snapshot: Snapshot, options: TranslateOptions, settings: SettingsResolver, diags: Diagnostics): Certificate {
  const configured = configuredDefaultCertificate(settings);
  if (configured) return { id: DEFAULT_CERTIFICATE_ID, pem: configured.pem, hosts: [], source: configured.source };
  return defaultCertificate(snapshot, options, diags);
}

/**
 * The certificate served when no SNI name matches: the `--default-ssl-certificate` Secret when it is
 * usable, else the generated fallback. A bad Secret is reported but never leaves HTTPS without one.
 */
export function defaultCertificate(
  snapshot: Snapshot,
  options: Pick<TranslateOptions, 'defaultSslCertificate' | 'fallbackCertificate'>,
  diags: Diagnostics,
): Certificate {
  const fallback: Certificate = {
    id: DEFAULT_CERTIFICATE_ID,
    pem: options.fallbackCertificate.pem,
    hosts: [],
    source: { kind: 'Secret', namespace: '', name: '(generated)' },
  };
  if (!options.defaultSslCertificate) return fallback;
  const ref = { kind: 'Secret' as const, ...parseObjectKey(options.defaultSslCertificate) };
  const secret = snapshot.secrets.get(objectKey(ref));
  const check = secret ? checkTlsSecret(secret) : ({ ok: false, reason: 'it does not exist' } as const);
  if (check.ok) return { ...fallback, pem: check.pem, source: ref };
  diags.error('PCL_DEFAULT_CERTIFICATE_INVALID', ref, `Secret "${objectKey(ref)}" cannot be the default certificate (${check.reason}); a generated certificate is served`);
  return fallback;
}
