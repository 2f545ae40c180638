import type { Server } from '../model/types.js';
import type { EndpointSlice } from '../store/types.js';
import { compareText } from './diagnostics.js';
import { serversFor } from './endpoints.js';
import type { WeightedSource } from './types.js';

/** HAProxy's largest server weight. */
const MAX_WEIGHT = 256;

/**
 * The servers of a weight split: each Service port's servers, weighted so that the port gets its
 * share of the requests whatever its number of ready servers (a port with weight w and n ready
 * servers gives each w/n), scaled so the largest is 256. A port of weight 0 gets weight-0 servers
 * (no new requests). One function for the full translation and the endpoint patch, so both agree.
 */
export function weightedServers(slices: ReadonlyMap<string, EndpointSlice[]>, split: readonly WeightedSource[]): Server[] {
  const parts = split.map((part) => {
    const servers = serversFor(slices.get(part.service) ?? [], { name: part.portName, port: 0 });
    const ready = servers.filter((s) => s.state === 'ready').length;
    return { servers, share: ready > 0 ? part.weight / ready : 0 };
  });
  const top = Math.max(0, ...parts.map((p) => p.share));
  const byKey = new Map<string, Server>();
  for (const { servers, share } of parts) {
    // Any share above 0 keeps at least weight 1: rounding must never turn a backend off.
    const weight = top > 0 && share > 0 ? Math.max(1, Math.round((share / top) * MAX_WEIGHT)) : 0;
    for (const server of servers) {
      const key = `${server.address}:${server.port}`;
      const seen = byKey.get(key);
      // The same endpoint behind two backendRefs takes both shares, as it serves both.
      byKey.set(key, seen ? { ...seen, weight: Math.min(MAX_WEIGHT, (seen.weight ?? 0) + weight) } : { ...server, weight });
    }
  }
  return [...byKey.values()].sort((a, b) => compareText(a.address, b.address) || a.port - b.port);
}
