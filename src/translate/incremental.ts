import type { Backend } from '../model/types.js';
import type { Snapshot } from '../store/types.js';
import { compareDiagnostics } from './diagnostics.js';
import { indexSlices, noReadyEndpointsMessage, serversFor } from './endpoints.js';
import type { Diagnostic, EndpointSource, TranslateResult } from './types.js';
import { weightedServers } from './weights.js';

/**
 * The result `translate` would give after EndpointSlice changes only, computed from the previous
 * result: the servers of the backends fed by `services` (`namespace/name`) are rebuilt, and so are
 * those Services' "no ready endpoint" warnings; everything else is kept, by reference, so the
 * HAProxy planner can skip it. Pure.
 *
 * Endpoint churn (rolling updates, scaling, blue-green flips) is the change a controller sees most,
 * and a full translation grows with the number of Ingresses; this does not. Callers must use it only
 * when nothing but EndpointSlices changed since `previous` was computed from the same options; the
 * test suite checks it equals a full translation.
 */
export function patchEndpoints(previous: TranslateResult, snapshot: Snapshot, services: ReadonlySet<string>): TranslateResult | undefined {
  const sources = previous.endpointSources;
  if (!sources) return undefined;
  if ([...services].some((service) => previous.splitServices?.has(service))) return undefined;
  const slices = indexSlices(snapshot);
  let changed = false;
  const backends = previous.model.backends.map((backend): Backend => {
    const source = sources.get(backend.name);
    if (!source || !feeds(source, services)) return backend;
    const servers = source.split
      ? weightedServers(slices, source.split)
      : serversFor(slices.get(source.service) ?? [], { name: source.portName, port: 0 });
    if (sameServers(servers, backend.servers)) return backend;
    changed = true;
    return { ...backend, servers };
  });
  const diagnostics = noReadyWarnings(previous, backends, services);
  if (!changed && diagnostics === previous.diagnostics) return previous;
  return { ...previous, model: changed ? { ...previous.model, backends } : previous.model, diagnostics };
}

/** The previous diagnostics with the "no ready endpoint" warnings of `services` worked out again. */
function noReadyWarnings(previous: TranslateResult, backends: readonly Backend[], services: ReadonlySet<string>): Diagnostic[] {
  // Like the full translation: a Service is warned about when any of its backends lacks a ready server.
  const lacking = new Map<string, boolean>();
  for (const backend of backends) {
    const source = previous.endpointSources!.get(backend.name);
    // A weight split is warned about through its Services' own backends, never as a whole.
    if (!source || source.split || !services.has(source.service)) continue;
    lacking.set(source.service, (lacking.get(source.service) ?? false) || !backend.servers.some((s) => s.state === 'ready'));
  }
  const isAffected = (d: Diagnostic) => d.code === 'PCL_NO_READY_ENDPOINTS' && lacking.has(`${d.source.namespace}/${d.source.name}`);
  const kept = previous.diagnostics.filter((d) => !isAffected(d));
  const added: Diagnostic[] = [];
  for (const [service, isLacking] of lacking) {
    if (!isLacking) continue;
    const [namespace, name] = service.split('/');
    added.push({ severity: 'warning', code: 'PCL_NO_READY_ENDPOINTS', source: { kind: 'Service', namespace, name }, message: noReadyEndpointsMessage(namespace, name) });
  }
  if (!added.length && kept.length === previous.diagnostics.length) return previous.diagnostics;
  return [...kept, ...added].sort(compareDiagnostics);
}

function feeds(source: EndpointSource, services: ReadonlySet<string>): boolean {
  return source.split ? source.split.some((part) => services.has(part.service)) : services.has(source.service);
}

function sameServers(a: readonly Backend['servers'][number][], b: readonly Backend['servers'][number][]): boolean {
  return a.length === b.length && a.every((s, i) => s.address === b[i].address && s.port === b[i].port && s.state === b[i].state && s.weight === b[i].weight);
}
