/**
 * Every HAProxy identifier the model uses is built here, so the naming scheme lives in one place.
 * Identifiers only ever contain [A-Za-z0-9._-]: anything else is replaced, which keeps them safe in
 * configuration text, map values and Runtime API commands without quoting. Kubernetes names never
 * contain '_', so the '_' separator cannot make two different objects collide.
 */

function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9.-]/g, '-');
}

/** Backend for one Service port: `namespace_service_port` (port by number or by name). */
export function backendName(namespace: string, service: string, port: string | number): string {
  return `${safe(namespace)}_${safe(service)}_${safe(String(port))}`;
}

/**
 * A backend for the same Service port as `base` (a `backendName`) with settings of its own (an
 * annotated Ingress): `base_hash`, where `hash` is a short stable hash of `settingsKey`, a canonical
 * text of the settings. Equal settings share one backend; changed settings make a new name.
 */
export function backendVariantName(base: string, settingsKey: string): string {
  return `${base}_${shortHash(settingsKey)}`;
}

/**
 * 48 bits of FNV-1a 64 as 12 hex digits: stable across processes and versions (unlike a seeded hash),
 * and enough that two settings of one Service port never meet the same name in practice.
 */
function shortHash(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0').slice(0, 12);
}

/** Certificate from a Secret: `namespace_secret`. */
export function certificateId(namespace: string, secret: string): string {
  return `${safe(namespace)}_${safe(secret)}`;
}

/** Identity of a server across model versions. */
export function serverKey(server: { address: string; port: number }): string {
  return `${server.address}:${server.port}`;
}

/**
 * PEM file for TLS to backends, from a Secret: `ca_namespace_secret` (CA bundle) or
 * `crt_namespace_secret` (client certificate). The extra '_' keeps them apart from `certificateId`.
 */
export function serverPemId(kind: 'ca' | 'crt', namespace: string, secret: string): string {
  return `${kind}_${safe(namespace)}_${safe(secret)}`;
}

/**
 * A listener of a Gateway: `namespace_gateway_port` in `[a-z0-9_-]`. Listener names become frontend
 * names and crt-list stems, which HAProxy text allows up to 63 characters: a longer one keeps its
 * head and port and gains a hash of the whole, so two long names never meet.
 */
export function gatewayListenerName(namespace: string, gateway: string, port: number): string {
  const lower = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const full = `${lower(namespace)}_${lower(gateway)}_${port}`;
  if (full.length <= 63) return full;
  const tail = `_${shortHash(full)}_${port}`;
  return `${full.slice(0, 63 - tail.length)}${tail}`;
}
