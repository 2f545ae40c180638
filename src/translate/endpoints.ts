import type { Server, ServerState } from '../model/types.js';
import { serverKey } from '../model/names.js';
import {
  SERVICE_NAME_LABEL,
  type EndpointConditions,
  type Service,
  type ServicePort,
  type Snapshot,
} from '../store/types.js';
import { compareText } from './diagnostics.js';

/** FQDN slices are deprecated and unused by the endpoint-slice controller; only IPs become servers. */
const IP_ADDRESS_TYPES = new Set(['IPv4', 'IPv6']);

/**
 * The servers behind one Service port, from every EndpointSlice of the Service. The slice port is
 * found by the Service port's name (both unnamed also match) and gives the server port, which is
 * the Pod's target port. An address listed by several slices counts once, `ready` winning over
 * `drain`. Sorted by address, then port.
 */
export function serversFor(snapshot: Snapshot, service: Service, servicePort: ServicePort): Server[] {
  const byKey = new Map<string, Server>();
  const wanted = servicePort.name ?? '';
  for (const slice of snapshot.endpointSlices.values()) {
    if (slice.metadata.namespace !== service.metadata.namespace) continue;
    if (slice.metadata.labels[SERVICE_NAME_LABEL] !== service.metadata.name) continue;
    if (!IP_ADDRESS_TYPES.has(slice.addressType)) continue;
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
