import { refOf, type Ingress, type IngressTLS } from '../../store/types.js';
import type { CertificateTable } from '../certificates.js';
import type { Diagnostics } from '../diagnostics.js';
import { checkHost } from '../hosts.js';

/**
 * Claims the SNI hosts of the `spec.tls` entries of `ingresses` (oldest first) in the shared table.
 * Ingresses naming the same Secret share one certificate with the union of their hosts; when two
 * Secrets claim one host, the oldest Ingress keeps it.
 */
export function claimCertificates(ingresses: readonly Ingress[], certificates: CertificateTable, diags: Diagnostics): void {
  for (const ingress of ingresses) {
    for (const entry of ingress.spec.tls) claimEntry(ingress, entry, certificates, diags);
  }
}

function claimEntry(ingress: Ingress, entry: IngressTLS, certificates: CertificateTable, diags: Diagnostics): void {
  // An entry without secretName asks for TLS with the default certificate; there is nothing to add.
  if (!entry.secretName) return;
  const source = refOf(ingress);
  const { namespace } = ingress.metadata;
  if (entry.secretName.includes('/')) {
    diags.error('PCL_TLS_SECRET_CROSS_NAMESPACE', source, `Secret "${entry.secretName}" is not in the Ingress's namespace "${namespace}"; it is refused`);
    return;
  }
  const secretKey = `${namespace}/${entry.secretName}`;
  const claim = certificates.claim(namespace, entry.secretName, entryHosts(ingress, entry, diags));
  if (claim.status === 'not-found') {
    diags.error('PCL_TLS_SECRET_NOT_FOUND', source, `Secret "${secretKey}" does not exist; its hosts get the default certificate`);
  } else if (claim.status === 'pending') {
    // Its data arrives in a moment; a warning now would be an Event about nothing.
  } else if (claim.status === 'invalid') {
    diags.error('PCL_TLS_SECRET_INVALID', source, `Secret "${secretKey}" is not a usable TLS Secret: ${claim.reason}`);
  } else {
    for (const { host, owner } of claim.taken) {
      diags.warning('PCL_TLS_HOST_CONFLICT', source, `TLS host "${host}" of Secret "${secretKey}" is ignored: Secret "${owner}" already serves it (the oldest Ingress wins)`);
    }
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
