import type { Condition } from '../gateway-report.js';
import type { GroupKind, LabelSelector, ReferenceGrant, Snapshot } from '../../store/types.js';
import { GATEWAY_API_GROUP } from '../../store/types.js';

/** A condition the specification names; `True` conditions carry their type as reason unless told. */
export function condition(type: string, ok: boolean, reason: string, message: string): Condition {
  return { type, status: ok ? 'True' : 'False', reason, message };
}

export const HTTP_ROUTE_KIND: GroupKind = { group: GATEWAY_API_GROUP, kind: 'HTTPRoute' };

/**
 * True when a ReferenceGrant in `to.namespace` lets `from` (a kind in a namespace) refer to the
 * object `to`. Same-namespace references need none.
 */
export function referencePermitted(
  snapshot: Snapshot,
  from: GroupKind & { namespace: string },
  to: GroupKind & { namespace: string; name: string },
): boolean {
  if (from.namespace === to.namespace) return true;
  const grants: ReferenceGrant[] = [];
  for (const grant of snapshot.referenceGrants.values()) if (grant.metadata.namespace === to.namespace) grants.push(grant);
  return grants.some(
    (grant) =>
      grant.spec.from.some((f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace) &&
      grant.spec.to.some((t) => t.group === to.group && t.kind === to.kind && (t.name === undefined || t.name === '' || t.name === to.name)),
  );
}

/** metav1.LabelSelector semantics; an operator this version does not know matches nothing. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) if (labels[key] !== value) return false;
  for (const e of selector.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === 'In' && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) return false;
  }
  return true;
}
