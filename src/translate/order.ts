import type { ObjectMeta } from '../store/types.js';
import { compareText } from './diagnostics.js';

/**
 * Oldest first: creationTimestamp, then namespace, then name. Conflicts are settled in this order so
 * that an existing route is never taken over by a newer object, and so the outcome never depends on
 * the order objects arrived in. A missing or unreadable timestamp sorts as newest.
 */
export function compareAge(a: ObjectMeta, b: ObjectMeta): number {
  const ta = createdAt(a);
  const tb = createdAt(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareText(a.namespace, b.namespace) || compareText(a.name, b.name);
}

function createdAt(meta: ObjectMeta): number {
  const ms = Date.parse(meta.creationTimestamp);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}
