/**
 * Keeps the data of referenced Secrets, and only theirs (store/references.ts says which). A Secret
 * read while nothing referenced it is stored trimmed; once something names it, one GET fetches its
 * data. That covers both orders: the reference arriving after the trimmed Secret, and a trimmed
 * Secret (a list page reduced just before the reference arrived) reaching the store after it.
 */
import * as k8s from '@kubernetes/client-node';
import type { Store } from '../store/store.js';
import { REFERRING_KINDS, SecretReferences } from '../store/references.js';
import { objectKey, type Secret, type StoreChange } from '../store/types.js';
import { Backoff } from '../backoff.js';
import { normalise } from './normalise.js';
import type { EdgeRules } from './edge.js';
import { rec } from './raw.js';

export interface SecretEdgeOptions {
  store: Store;
  kubeConfig: k8s.KubeConfig;
  /** Secrets named outside the cluster's objects (the --default-ssl-certificate), `namespace/name`. */
  keepSecrets?: readonly string[];
  configMap?: string;
  onError: (err: unknown) => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

const LISTED_FIRST = ['Ingress', 'ConfigMap'] as const;

export class SecretEdge {
  readonly references: SecretReferences;
  readonly rules: EdgeRules;
  private readonly core: k8s.CoreV1Api;
  private readonly inFlight = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly listener = (change: StoreChange) => this.changed(change);
  private stopped = false;

  constructor(private readonly options: SecretEdgeOptions) {
    this.references = new SecretReferences(options.keepSecrets ?? []);
    this.rules = { keepSecret: (key) => this.references.has(key), configMap: options.configMap };
    this.core = options.kubeConfig.makeApiClient(k8s.CoreV1Api);
    for (const kind of REFERRING_KINDS) for (const object of options.store.list(kind)) this.references.update({ kind, key: objectKey(object.metadata), type: 'upsert', object });
    options.store.on('change', this.listener);
  }

  /**
   * Resolves once Ingresses and the ConfigMap are listed (or after `timeoutMs`), so that the Secret
   * list keeps the right data from its first page instead of fetching it afterwards. Gateway API
   * kinds are not waited for (their CRDs may be missing for a long time); the few Secrets Gateways
   * name are fetched when trimmed.
   */
  referencesListed(timeoutMs = 10_000): Promise<void> {
    const { store } = this.options;
    if (store.isSynced(LISTED_FIRST)) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        store.off('synced', check);
        resolve();
      };
      const check = () => {
        if (store.isSynced(LISTED_FIRST)) finish();
      };
      const timer = setTimeout(finish, timeoutMs).unref();
      store.on('synced', check);
    });
  }

  stop(): void {
    this.stopped = true;
    this.options.store.off('change', this.listener);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private changed(change: StoreChange): void {
    if (change.kind === 'Secret') {
      if (change.object && (change.object as Secret).trimmed && this.references.has(change.key)) this.fetch(change.key);
      return;
    }
    for (const key of this.references.update(change)) if (this.options.store.get('Secret', key)?.trimmed) this.fetch(key);
  }

  private needsData(key: string): boolean {
    return !this.stopped && this.references.has(key) && this.options.store.get('Secret', key)?.trimmed === true;
  }

  private fetch(key: string, backoff?: Backoff): void {
    if (this.inFlight.has(key) || this.timers.has(key)) return;
    this.inFlight.add(key);
    const slash = key.indexOf('/');
    const request = { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
    this.core.readNamespacedSecret(request).then(
      (raw) => {
        this.inFlight.delete(key);
        const secret = normalise(raw, 'Secret');
        // A watch event may have brought the data meanwhile; only a still-trimmed Secret is replaced.
        if (secret && this.needsData(key)) this.options.store.upsert(secret);
      },
      (err: unknown) => {
        this.inFlight.delete(key);
        // Gone: the watch reports the deletion. Anything else is tried again while still needed.
        if (rec(err).code === 404 || !this.needsData(key)) return;
        this.options.onError(err);
        const next = backoff ?? new Backoff(this.options.minBackoffMs ?? 500, this.options.maxBackoffMs ?? 30_000);
        this.timers.set(key, setTimeout(() => {
          this.timers.delete(key);
          if (this.needsData(key)) this.fetch(key, next);
        }, next.next()));
      },
    );
  }
}
