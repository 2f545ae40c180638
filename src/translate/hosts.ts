/** Result of checking a host from an Ingress rule or TLS entry. */
export type HostCheck = { ok: true; host: string } | { ok: false; reason: string };

const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;
const MAX_HOST = 253;
const MAX_LABEL = 63;

/**
 * Lower-cases and checks a host: an RFC 1123 DNS name, or `*.` followed by one (the wildcard stands
 * for exactly one label). IP literals are refused as the API server refuses them. `allowAny` lets
 * an empty or missing host through as '' ("any host"), which rules allow and TLS entries do not.
 */
export function checkHost(raw: string | undefined, allowAny: boolean): HostCheck {
  if (raw === undefined || raw === '') {
    return allowAny ? { ok: true, host: '' } : { ok: false, reason: 'it is empty' };
  }
  const host = raw.toLowerCase();
  const name = host.startsWith('*.') ? host.slice(2) : host;
  const reason = dnsNameProblem(name);
  return reason ? { ok: false, reason } : { ok: true, host };
}

function dnsNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it has no domain after the wildcard';
  if (name.length > MAX_HOST) return `it is longer than ${MAX_HOST} characters`;
  if (IPV4.test(name) || name.includes(':')) return 'it is an IP address or has a port; only DNS names are allowed';
  for (const label of name.split('.')) {
    if (label.length > MAX_LABEL) return `the label "${label}" is longer than ${MAX_LABEL} characters`;
    if (label === '') return 'it has an empty label';
    if (label.includes('*')) return 'a wildcard is only allowed as the whole first label ("*.")';
    if (!LABEL.test(label)) return `the label "${label}" has characters other than letters, digits and inner "-"`;
  }
  return undefined;
}

/**
 * The one wildcard that covers `host`: its first label replaced by '*' (`a.b.com` -> `*.b.com`).
 * A wildcard stands for exactly one label, so no other wildcard covers it; a single-label host or a
 * wildcard host has none.
 */
export function coveringWildcard(host: string): string | undefined {
  const dot = host.indexOf('.');
  return dot > 0 && !host.startsWith('*.') ? `*.${host.slice(dot + 1)}` : undefined;
}

/** How a host reads in messages. */
export function describeHost(host: string): string {
  return host === '' ? 'any host' : `host "${host}"`;
}
