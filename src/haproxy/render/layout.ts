/**
 * Server slots. Every backend is rendered with a fixed number of `server` lines; servers keep their
 * slot for as long as they exist, so adding, removing or draining an endpoint changes one slot
 * through the Runtime API and never renumbers the others.
 */
import { serverKey } from '../../model/names.js';
import type { Model, Server } from '../../model/types.js';
import type { Layout } from '../types.js';

/** Fewest slots a backend gets, so that small Services can grow a little without `add server`. */
export const MIN_SLOTS = 4;

/** HAProxy name of slot `index` (0-based). */
export function slotName(index: number): string {
  return `s${index + 1}`;
}

/** Slots for `needed` servers: a power of two, at least MIN_SLOTS, to leave room to grow. */
export function slotCapacity(needed: number): number {
  let capacity = MIN_SLOTS;
  while (capacity < needed) capacity *= 2;
  return capacity;
}

/** The backend's servers by `serverKey`; the first of any duplicates wins. */
export function serversByKey(servers: readonly Server[]): Map<string, Server> {
  const byKey = new Map<string, Server>();
  for (const server of servers) {
    const key = serverKey(server);
    if (!byKey.has(key)) byKey.set(key, server);
  }
  return byKey;
}

function placeServers(previous: readonly (string | null)[] | undefined, keys: string[]): (string | null)[] {
  const wanted = new Set(keys);
  const placed = new Set<string>();
  const slots = (previous ?? []).map((key) => {
    if (key === null || !wanted.has(key) || placed.has(key)) return null;
    placed.add(key);
    return key;
  });
  const incoming = keys.filter((key) => !placed.has(key));
  const free = slots.filter((key) => key === null).length;
  if (incoming.length > free) {
    const grown = slotCapacity(slots.length - free + incoming.length);
    while (slots.length < grown) slots.push(null);
  }
  for (const key of incoming) slots[slots.indexOf(null)] = key;
  return slots;
}

/**
 * Pure: assigns each backend's servers to stable slots. Servers present in `prev` keep their slot;
 * removed servers free theirs; new servers take the lowest free slots. A backend only grows (to the
 * next power of two) when its free slots run out, and never shrinks, so growth costs `add server`
 * commands, not a reload.
 */
export function planLayout(prev: Layout | undefined, model: Model, prevModel?: Model): Layout {
  const backends: Record<string, readonly (string | null)[]> = {};
  // A backend handed over as the same object keeps its slots as they are, array and all.
  const previous = new Set(prevModel?.backends ?? []);
  const unchanged = new Set(model.backends.filter((b) => previous.has(b)).map((b) => b.name));
  for (const backend of model.backends) {
    if (unchanged.has(backend.name) && prev?.backends[backend.name]) {
      backends[backend.name] = prev.backends[backend.name];
      continue;
    }
    const keys = [...serversByKey(backend.servers).keys()];
    const previous = prev?.backends[backend.name];
    backends[backend.name] = previous ? placeServers(previous, keys) : placeServers(new Array(slotCapacity(keys.length)).fill(null), keys);
  }
  return { backends };
}
