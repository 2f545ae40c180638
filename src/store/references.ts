/**
 * Which Secrets something references, so that sources keep the data of those alone: a busy cluster
 * holds tens of thousands of Secrets (Helm releases, service-account tokens) that routing never
 * reads, and keeping their data costs hundreds of megabytes.
 *
 * Deliberately generous: keeping one Secret too many costs a few kilobytes, one too few breaks a
 * route until it is fetched. References are read by shape, not resolved: cross-namespace rules,
 * ReferenceGrants and which annotation prefix wins are translate's business.
 */
import { CLUSTER_SCOPED_KINDS, objectKey, type KubeObject, type StoreChange } from './types.js';

/**
 * Annotation (and ConfigMap) keys whose value names a Secret, without their prefix. A test checks
 * this against every key translate declares as a Secret.
 */
export const SECRET_ANNOTATION_KEYS: readonly string[] = ['auth-secret', 'server-ca', 'server-crt', 'ssl-certificate'];

const SECRET_KEYS = new Set(SECRET_ANNOTATION_KEYS);

/** Store keys (`namespace/name`) of the Secrets one object names. */
export function secretsReferencedBy(obj: KubeObject): string[] {
  const ns = obj.metadata.namespace;
  const out: string[] = [];
  const named = (value: string | undefined, namespace = ns) => {
    if (!value) return;
    const slash = value.indexOf('/');
    out.push(slash < 0 ? objectKey({ namespace, name: value }) : objectKey({ namespace: value.slice(0, slash), name: value.slice(slash + 1) }));
  };
  const secretRef = (ref: { group: string; kind: string; name: string; namespace?: string }) => {
    if (ref.group === '' && ref.kind === 'Secret') out.push(objectKey({ namespace: ref.namespace ?? ns, name: ref.name }));
  };
  switch (obj.kind) {
    case 'Ingress':
      for (const tls of obj.spec.tls) named(tls.secretName);
      for (const [key, value] of Object.entries(obj.metadata.annotations)) if (SECRET_KEYS.has(key.slice(key.lastIndexOf('/') + 1))) named(value.trim());
      break;
    case 'ConfigMap':
      // Global keys: a bare name has no namespace to resolve against but the ConfigMap's own.
      for (const [key, value] of Object.entries(obj.data)) if (SECRET_KEYS.has(key)) named(value.trim());
      break;
    case 'Gateway':
      for (const listener of obj.spec.listeners) for (const ref of listener.tls?.certificateRefs ?? []) secretRef(ref);
      break;
    case 'BackendTLSPolicy':
      for (const ref of obj.spec.validation.caCertificateRefs) secretRef(ref);
      break;
    default:
      break;
  }
  return out;
}

/** Kinds whose objects can name Secrets. */
export const REFERRING_KINDS = ['Ingress', 'ConfigMap', 'Gateway', 'BackendTLSPolicy'] as const;

/**
 * The referenced set, kept up to date from the store's changes: per referring object the keys it
 * names, and a count per Secret so that a Secret two Ingresses name stays referenced when one goes.
 */
export class SecretReferences {
  private readonly byReferrer = new Map<string, string[]>();
  private readonly counts = new Map<string, number>();

  /** `always`: Secrets referenced from outside the cluster's objects (--default-ssl-certificate). */
  constructor(private readonly always: readonly string[] = []) {}

  has(secretKey: string): boolean {
    return (this.counts.get(secretKey) ?? 0) > 0 || this.always.includes(secretKey);
  }

  /** Applies one store change; returns the Secret keys that became referenced by it. */
  update(change: StoreChange): string[] {
    if (!(REFERRING_KINDS as readonly string[]).includes(change.kind) || CLUSTER_SCOPED_KINDS.has(change.kind)) return [];
    const referrer = `${change.kind}/${change.key}`;
    const before = this.byReferrer.get(referrer) ?? [];
    const after = change.object ? [...new Set(secretsReferencedBy(change.object))] : [];
    if (after.length) this.byReferrer.set(referrer, after);
    else this.byReferrer.delete(referrer);
    for (const key of before) {
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    }
    const added: string[] = [];
    for (const key of after) {
      const count = this.counts.get(key) ?? 0;
      if (count === 0 && !this.always.includes(key)) added.push(key);
      this.counts.set(key, count + 1);
    }
    return added.filter((key) => !before.includes(key));
  }
}
