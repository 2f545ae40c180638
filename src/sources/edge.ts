/**
 * The source's edge for a busy cluster: lists read in pages, and every object reduced to what
 * routing needs before anything keeps it. client-node's ListWatch caches every raw object it
 * lists or watches, so the reduction happens before it sees them: in the list function it calls
 * and in the Watch it is given, not later in the store.
 */
import * as k8s from '@kubernetes/client-node';
import { CLUSTER_SCOPED_KINDS, objectKey, type Kind } from '../store/types.js';
import { isRecord, rec, str } from './raw.js';

/** Items per list request, as client-go's informers page (500). */
export const LIST_PAGE_SIZE = 500;

/** Marks a raw Secret whose data was dropped; normalise turns it into `trimmed: true`. */
export const TRIMMED = Symbol('trimmed');

/** Annotations written by tools that no route reads and that can be as large as the object. */
const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

export interface EdgeRules {
  /** Whether the Secret with this store key is referenced now (its data is then kept). */
  keepSecret(key: string): boolean;
  /** `namespace/name` of the controller's own ConfigMap, the one ConfigMap whose data is read. */
  configMap?: string;
}

/** Reduces one raw object in place (a list item or a watch event's object) and returns it. */
export function reduceRaw<T>(raw: T, kind: Kind, rules: EdgeRules): T {
  if (!isRecord(raw)) return raw;
  const meta = rec(raw.metadata);
  delete meta.managedFields;
  const annotations = rec(meta.annotations);
  for (const key of DROPPED_ANNOTATIONS) delete annotations[key];
  const key = CLUSTER_SCOPED_KINDS.has(kind) ? String(meta.name) : objectKey({ namespace: String(meta.namespace ?? ''), name: String(meta.name) });
  // TLS Secrets keep their data whoever names them: they are few next to the Secrets that make a
  // busy cluster big (Helm releases, tokens), and a certificate must be there the moment an Ingress
  // or a Gateway names it, not one fetch later.
  if (kind === 'Secret' && raw.type !== 'kubernetes.io/tls' && !rules.keepSecret(key)) {
    delete raw.data;
    delete raw.stringData;
    (raw as Record<symbol, unknown>)[TRIMMED] = true;
  } else if (kind === 'ConfigMap' && key !== rules.configMap) {
    delete raw.data;
    delete raw.binaryData;
  }
  return raw;
}

type ListPage = k8s.KubernetesListObject<k8s.KubernetesObject>;

/** One page of a list: `limit` items from `continue` on. */
export type PageFn = (page: { limit: number; _continue?: string }) => Promise<ListPage>;

/** How often a list whose continue token expired (410) is started again before it fails. */
const EXPIRED_RESTARTS = 3;

/**
 * A whole list read page by page, each page reduced as it arrives, so that at most one page of
 * full objects is held at a time and no single request outlasts the API server's timeout. A continue
 * token that expires mid-list restarts the list from the top (a consistent snapshot is needed to
 * tell deletions apart); after a few such restarts the error goes to the caller, which backs off.
 */
export async function listInPages(fetchPage: PageFn, reduce: (item: k8s.KubernetesObject) => k8s.KubernetesObject, pageSize = LIST_PAGE_SIZE): Promise<ListPage> {
  for (let attempt = 0; ; attempt++) {
    try {
      const items: k8s.KubernetesObject[] = [];
      let page = await fetchPage({ limit: pageSize });
      const resourceVersion = page.metadata?.resourceVersion;
      for (;;) {
        for (const item of page.items ?? []) items.push(reduce(item));
        // Typed lists deserialise it as `_continue`; custom-object lists are plain JSON.
        const next = page.metadata?._continue ?? str(rec(page.metadata).continue);
        if (!next) break;
        page = await fetchPage({ limit: pageSize, _continue: next });
      }
      return { apiVersion: page.apiVersion, kind: page.kind, metadata: { resourceVersion }, items };
    } catch (err) {
      if (attempt >= EXPIRED_RESTARTS || !isExpired(err)) throw err;
    }
  }
}

/** The list function a ListWatch calls: paged, each item reduced by `rules`. */
export function pagedList(kind: Kind, fetchPage: PageFn, rules: EdgeRules): () => Promise<ListPage> {
  return () => listInPages(fetchPage, (item) => reduceRaw(item, kind, rules));
}

function isExpired(err: unknown): boolean {
  const e = rec(err);
  return e.code === 410 || e.statusCode === 410;
}

/** A Watch that reduces each event's object before ListWatch caches it and the handlers see it. */
export class ReducingWatch extends k8s.Watch {
  constructor(config: k8s.KubeConfig, private readonly reduce: (obj: unknown) => unknown) {
    super(config);
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(path, queryParams, (phase, obj, watchObj) => callback(phase, phase === 'ERROR' ? obj : this.reduce(obj), watchObj), done);
  }
}
