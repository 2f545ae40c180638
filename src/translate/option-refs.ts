import type { ServiceBackendPort } from '../store/types.js';

/** `namespace/name` as given on the command line; a value without '/' has an empty namespace. */
export function parseObjectKey(value: string): { namespace: string; name: string } {
  const slash = value.indexOf('/');
  return slash < 0 ? { namespace: '', name: value } : { namespace: value.slice(0, slash), name: value.slice(slash + 1) };
}

/** `namespace/name[:port]`, the port by number or by name; no port means the Service's first. */
export function parseServiceOption(value: string): { namespace: string; name: string; port?: ServiceBackendPort } {
  const colon = value.lastIndexOf(':');
  const key = parseObjectKey(colon < 0 ? value : value.slice(0, colon));
  if (colon < 0) return key;
  const port = value.slice(colon + 1);
  return { ...key, port: /^\d+$/.test(port) ? { number: Number(port) } : { name: port } };
}
