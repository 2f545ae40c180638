import type { Server, ServerState } from '../model/types.js';
import { serverKey } from '../model/names.js';
import {
  SERVICE_NAME_LABEL,
  type EndpointConditions,
  type EndpointSlice,
  type ServicePort,
  type Snapshot,
} from '../store/types.js';
import { compareText } from './diagnostics.js';

/** FQDN slices are deprecated and unused by the endpoint-slice controller; only IPs become servers. */
const IP_ADDRESS_TYPES = new Set(['IPv4', 'IPv6']);

/**
 * The IP EndpointSlices of each Service, keyed `namespace/service`, built in one pass so that
 * finding a Service's servers does not scan every slice in the cluster.
 */
export function indexSlices(snapshot: Snapshot): Map<string, EndpointSlice[]> {
  const index = new Map<string, EndpointSlice[]>();
  for (const slice of snapshot.endpointSlices.values()) {
    const service = slice.metadata.labels[SERVICE_NAME_LABEL];
    if (!service || !IP_ADDRESS_TYPES.has(slice.addressType)) continue;
    const key = `${slice.metadata.namespace}/${service}`;
    const list = index.get(key);
    if (list) list.push(slice);
    else index.set(key, [slice]);
  }
  return index;
}

/**
 * The servers behind one Service port, from the Service's EndpointSlices. The slice port is found
 * by the Service port's name (both unnamed also match) and gives the server port, which is the
 * Pod's target port. An address listed by several slices counts once, `ready` winning over `drain`.
 * Sorted by address, then port.
 */
export function serversFor(slices: readonly EndpointSlice[], servicePort: ServicePort): Server[] {
  const byKey = new Map<string, Server>();
  const wanted = servicePort.name ?? '';
  for (const slice of slices) {
    const port = slice.ports.find((p) => (p.name ?? '') === wanted)?.port;
    if (port === undefined) continue;
    for (const endpoint of slice.endpoints) {
      const state = serverState(endpoint.conditions);
      if (!state) continue;
      for (const address of endpoint.addresses) {
        const server: Server = { address, port, state };
        const key = serverKey(server);
        if (byKey.get(key)?.state !== 'ready') byKey.set(key, server);
      }
    }
  }
  return [...byKey.values()].sort((a, b) => compareText(a.address, b.address) || a.port - b.port);
}

/** The warning for a Service port with no ready server, worded in one place for both translation paths. */
export function noReadyEndpointsMessage(namespace: string, name: string): string {
  return `Service "${namespace}/${name}" has no ready endpoint; requests for it get 503`;
}

/**
 * Endpoint conditions as the EndpointSlice API defines their absence: `ready` unknown counts as
 * ready, `serving` unknown follows `ready`, `terminating` unknown is false. A terminating endpoint
 * that still serves is drained: it finishes its connections but gets no new requests.
 */
export function serverState(conditions: EndpointConditions): ServerState | undefined {
  const ready = conditions.ready ?? true;
  const serving = conditions.serving ?? ready;
  const terminating = conditions.terminating ?? false;
  if (ready) return 'ready';
  return serving && terminating ? 'drain' : undefined;
}
