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

/** Certificate from a Secret: `namespace_secret`. */
export function certificateId(namespace: string, secret: string): string {
  return `${safe(namespace)}_${safe(secret)}`;
}

/** Identity of a server across model versions. */
export function serverKey(server: { address: string; port: number }): string {
  return `${server.address}:${server.port}`;
}
