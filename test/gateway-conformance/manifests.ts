/**
 * Manifests as the suite applies them: YAML documents with `{GATEWAY_CLASS_NAME}` in every
 * Gateway's class, rewritten the way the upstream applier does (every Gateway's
 * `spec.gatewayClassName` set to the class under test, every GatewayClass's
 * `spec.controllerName` to the controller's name), then created or updated through the real client.
 */
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

export const CLASS_PLACEHOLDER = '{GATEWAY_CLASS_NAME}';

/** A manifest object: the fields every object has, and the rest as the YAML gave it. */
export type Manifest = KubernetesObject & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: Record<string, unknown> } & Record<string, unknown>;

/** Every non-empty document of a YAML text; a document that is not an object with kind and name is refused. */
export function parseManifests(text: string, origin: string): Manifest[] {
  const out: Manifest[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length) throw new Error(`${origin}: document ${i + 1}: ${doc.errors[0].message}`);
    const obj = doc.toJS() as unknown;
    if (obj === null || obj === undefined) return;
    const m = obj as Partial<Manifest>;
    if (typeof m !== 'object' || !m.apiVersion || !m.kind || !m.metadata?.name) throw new Error(`${origin}: document ${i + 1} has no apiVersion, kind or metadata.name`);
    out.push(m as Manifest);
  });
  return out;
}

/** The objects with the class placeholder replaced, as copies (the input is left alone). */
export function withGatewayClass(objects: readonly Manifest[], className: string, controllerName: string): Manifest[] {
  return objects.map((o) => {
    const copy = structuredClone(o);
    if (copy.apiVersion.startsWith('gateway.networking.k8s.io/')) {
      if (copy.kind === 'Gateway') copy.spec = { ...copy.spec, gatewayClassName: className };
      if (copy.kind === 'GatewayClass') copy.spec = { ...copy.spec, controllerName };
    }
    return copy;
  });
}

/** `namespace/name` of an object, or its name when cluster-scoped. */
export function objectKey(o: { metadata: { name: string; namespace?: string } }): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

/** Creates, replaces and deletes manifest objects of any served kind. */
export class Applier {
  private readonly api: KubernetesObjectApi;

  constructor(kubeConfig: KubeConfig) {
    this.api = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  /** Create, or replace the spec (and labels) of an existing object, as the Go applier's update does. */
  async apply(obj: Manifest): Promise<void> {
    const current = await this.read(obj);
    if (!current) {
      await this.api.create(obj);
      return;
    }
    const next = { ...current, ...obj, metadata: { ...current.metadata, ...obj.metadata, resourceVersion: current.metadata?.resourceVersion } };
    delete (next as { status?: unknown }).status;
    await this.api.replace(next);
  }

  async read(obj: Manifest): Promise<Manifest | undefined> {
    try {
      return (await this.api.read({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace } })) as Manifest;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  /** Deletes the object; one already gone is fine. */
  async remove(obj: Manifest): Promise<void> {
    try {
      await this.api.delete({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace } });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }

}
