/**
 * Read semantics: list with selectors, `limit`/`continue` paging over a
 * consistent snapshot (every page is served as of the first page's
 * resourceVersion, like the etcd-backed list), `resourceVersionMatch`, and
 * the Scale view of a workload.
 */
import { badRequest, expired } from './errors.js';
import { cloneJson, isPlainObject, type KubeObject } from './json-value.js';
import { servedAs, type ResourceType } from './resources.js';
import { matchesFilter, type ObjectFilter } from './selectors.js';
import type { ObjectStore } from './storage.js';

/** Query parameters of a list request that affect its result. */
export interface ListQuery {
  filter: ObjectFilter;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

/** A `<Kind>List` response body. */
export interface ListBody {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

interface ContinueToken {
  rv: number;
  start: string;
}

const CONTINUE_TOO_OLD = 'The provided continue parameter is too old to display a consistent list result. '
  + 'You can start a new list without the continue parameter, or use the continue token in this response to '
  + 'retrieve the remainder of the results. Continuing with an inconsistent list may be hazardous.';

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', ...token })).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (isPlainObject(parsed) && typeof parsed.rv === 'number' && typeof parsed.start === 'string') {
      return { rv: parsed.rv, start: parsed.start };
    }
  } catch {
    // fall through to the 400 below
  }
  throw badRequest(`continue key is not valid: ${text}`);
}

/** Parses a resourceVersion query value; 400 for anything but a non-negative integer. */
export function parseResourceVersion(value: string): number {
  if (!/^\d+$/.test(value)) throw badRequest(`resourceVersion: Invalid value: "${value}": must be a non-negative integer`);
  return Number(value);
}

function snapshotRevision(store: ObjectStore, query: ListQuery, token: ContinueToken | undefined): number {
  if (token) return token.rv;
  const match = query.resourceVersionMatch;
  if (match && !query.resourceVersion) throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (match && match !== 'Exact' && match !== 'NotOlderThan') {
    throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
  }
  if (query.resourceVersion) parseResourceVersion(query.resourceVersion);
  if (match === 'Exact' && query.resourceVersion === '0') {
    throw badRequest('resourceVersionMatch "Exact" is forbidden for resourceVersion "0"');
  }
  return match === 'Exact' ? Number(query.resourceVersion) : store.revision;
}

/** Lists one type as `<Kind>List`, honouring selectors, paging and resourceVersionMatch=Exact. */
export function listObjects(store: ObjectStore, type: ResourceType, query: ListQuery): ListBody {
  const token = query.continueToken ? decodeContinue(query.continueToken) : undefined;
  const revision = snapshotRevision(store, query, token);
  const entries = store.snapshot(type, revision);
  if (!entries) {
    if (!token) throw expired(`too old resource version: ${revision} (${store.oldestResumable + 1})`);
    const error = expired(CONTINUE_TOO_OLD);
    // Like the real server, offer a token that continues from the same key in the latest state.
    error.status.metadata.continue = encodeContinue({ rv: store.revision, start: token.start });
    throw error;
  }
  const matching = entries.filter(([key, obj]) => (!token || key > token.start) && matchesFilter(query.filter, obj));
  const limit = query.limit && query.limit > 0 ? query.limit : matching.length;
  const page = matching.slice(0, limit);
  const metadata: ListBody['metadata'] = { resourceVersion: String(revision) };
  if (matching.length > page.length) {
    metadata.continue = encodeContinue({ rv: revision, start: page[page.length - 1][0] });
    // The real server omits the count when a selector filters the rest of the list.
    const selective = query.filter.labels.requirements.length + query.filter.fields.requirements.length > 0;
    if (!selective) metadata.remainingItemCount = matching.length - page.length;
  }
  return {
    kind: `${type.kind}List`,
    apiVersion: type.apiVersion,
    metadata,
    items: page.map(([, obj]) => cloneJson(servedAs(type, obj))),
  };
}

function selectorString(selector: unknown): string {
  if (!isPlainObject(selector)) return '';
  const parts: string[] = [];
  if (isPlainObject(selector.matchLabels)) {
    for (const [k, v] of Object.entries(selector.matchLabels)) parts.push(`${k}=${String(v)}`);
  }
  if (Array.isArray(selector.matchExpressions)) {
    for (const expr of selector.matchExpressions) {
      if (!isPlainObject(expr)) continue;
      const values = Array.isArray(expr.values) ? expr.values.join(',') : '';
      const op = String(expr.operator);
      if (op === 'Exists') parts.push(String(expr.key));
      else if (op === 'DoesNotExist') parts.push(`!${String(expr.key)}`);
      else parts.push(`${String(expr.key)} ${op.toLowerCase()} (${values})`);
    }
  }
  return parts.join(',');
}

/** The `autoscaling/v1` Scale view of an object with `spec.replicas`. */
export function scaleOf(obj: KubeObject): KubeObject {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const status = isPlainObject(obj.status) ? obj.status : {};
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorString(spec.selector) },
  };
}
