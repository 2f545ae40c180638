import type { Certificate } from '../../model/types.js';
import { certificateId } from '../../model/names.js';
import { objectKey, refOf, type Ingress, type IngressTLS, type Snapshot } from '../../store/types.js';
import { compareText, type Diagnostics } from '../diagnostics.js';
import { checkHost, coveringWildcard } from '../hosts.js';
import { parseObjectKey } from '../option-refs.js';
import { checkTlsSecret, type TlsSecretCheck } from '../pem.js';
import type { TranslateOptions } from '../types.js';

/** Id of the certificate served when no other matches; never a `certificateId` (those hold '_'). */
export const DEFAULT_CERTIFICATE_ID = 'default';

interface Claims {
  snapshot: Snapshot;
  diags: Diagnostics;
  /** Certificates by id; hosts collected as a set until the end. */
  certificates: Map<string, { certificate: Certificate; hosts: Set<string> }>;
  /** SNI host -> `namespace/name` of the Secret that claimed it first. */
  owners: Map<string, string>;
  /** Each Secret is checked once, however many Ingresses name it. */
  checked: Map<string, TlsSecretCheck>;
}

/**
 * Certificates from the `spec.tls` entries of `ingresses` (oldest first). Ingresses naming the same
 * Secret share one certificate with the union of their hosts; when two Secrets claim one host, the
 * oldest Ingress keeps it. A certificate left with no host is dropped: nothing would select it.
 */
export function collectCertificates(ingresses: readonly Ingress[], snapshot: Snapshot, diags: Diagnostics): Certificate[] {
  const claims: Claims = { snapshot, diags, certificates: new Map(), owners: new Map(), checked: new Map() };
  for (const ingress of ingresses) {
    for (const entry of ingress.spec.tls) claimEntry(ingress, entry, claims);
  }
  return [...claims.certificates.values()]
    .filter(({ hosts }) => hosts.size > 0)
    .map(({ certificate, hosts }) => ({ ...certificate, hosts: [...hosts].sort(compareText) }))
    .sort((a, b) => compareText(a.id, b.id));
}

function claimEntry(ingress: Ingress, entry: IngressTLS, claims: Claims): void {
  // An entry without secretName asks for TLS with the default certificate; there is nothing to add.
  if (!entry.secretName) return;
  const source = refOf(ingress);
  const { namespace } = ingress.metadata;
  if (entry.secretName.includes('/')) {
    claims.diags.error('PCL_TLS_SECRET_CROSS_NAMESPACE', source, `Secret "${entry.secretName}" is not in the Ingress's namespace "${namespace}"; it is refused`);
    return;
  }
  const secretKey = `${namespace}/${entry.secretName}`;
  const hosts = entryHosts(ingress, entry, claims.diags);
  const secret = claims.snapshot.secrets.get(secretKey);
  if (!secret) {
    claims.diags.error('PCL_TLS_SECRET_NOT_FOUND', source, `Secret "${secretKey}" does not exist; its hosts get the default certificate`);
    return;
  }
  const check = claims.checked.get(secretKey) ?? checkTlsSecret(secret);
  claims.checked.set(secretKey, check);
  if (!check.ok) {
    claims.diags.error('PCL_TLS_SECRET_INVALID', source, `Secret "${secretKey}" is not a usable TLS Secret: ${check.reason}`);
    return;
  }
  const id = certificateId(namespace, entry.secretName);
  let entryCert = claims.certificates.get(id);
  if (!entryCert) {
    entryCert = { certificate: { id, pem: check.pem, hosts: [], source: refOf(secret) }, hosts: new Set() };
    claims.certificates.set(id, entryCert);
  }
  for (const host of hosts) {
    const owner = claims.owners.get(host) ?? secretKey;
    if (owner !== secretKey) {
      claims.diags.warning('PCL_TLS_HOST_CONFLICT', source, `TLS host "${host}" of Secret "${secretKey}" is ignored: Secret "${owner}" already serves it (the oldest Ingress wins)`);
      continue;
    }
    claims.owners.set(host, secretKey);
    entryCert.hosts.add(host);
  }
}

/** The entry's hosts, or (when it lists none) the hosts of the Ingress's rules. */
function entryHosts(ingress: Ingress, entry: IngressTLS, diags: Diagnostics): string[] {
  if (entry.hosts.length === 0) {
    return ingress.spec.rules.map((rule) => checkHost(rule.host, false)).flatMap((check) => (check.ok ? [check.host] : []));
  }
  const hosts: string[] = [];
  for (const raw of entry.hosts) {
    const check = checkHost(raw, false);
    if (check.ok) hosts.push(check.host);
    else {
      const secret = `${ingress.metadata.namespace}/${entry.secretName}`;
      diags.error('PCL_INVALID_HOST', refOf(ingress), `TLS host ${JSON.stringify(raw)} of Secret "${secret}" is invalid (${check.reason}); it is ignored`);
    }
  }
  return hosts;
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

/** Every SNI name the certificates serve, exact and wildcard, for {@link isCovered}. */
export function servedHosts(certificates: readonly Certificate[]): ReadonlySet<string> {
  return new Set(certificates.flatMap((cert) => cert.hosts));
}

/** True when a certificate serves `host`, by its exact name or by the wildcard covering it. */
export function isCovered(host: string, served: ReadonlySet<string>): boolean {
  if (host === '') return false;
  const wildcard = coveringWildcard(host);
  return served.has(host) || (wildcard !== undefined && served.has(wildcard));
}
