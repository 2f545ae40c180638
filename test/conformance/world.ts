/**
 * Per-scenario state (upstream `state.Scenario`) and the actions the steps
 * perform: namespaces, Ingresses, backends, requests, and the cleanup that
 * runs after every scenario.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Ingress } from '@kubernetes/client-node';
import YAML from 'yaml';
import { selfSignedCertificate } from '../support/certs.js';
import type { EchoServer } from '../support/echo-server.js';
import {
  AddressAllocator,
  backendRefs,
  endpointSlicesFor,
  endpointsFor,
  serviceFor,
  startReplica,
  type BackendRef,
} from './backends.js';
import { captureRoundTrip, type Capture } from './client.js';
import { describeApiError, isRetryable, type Cluster } from './cluster.js';

/** Settings a scenario needs from the runner. */
export interface WorldSettings {
  ingressClass: string;
  waitForStatusMs: number;
  pollIntervalMs: number;
  scaleSettleMs: number;
  requestTimeoutMs: number;
  ports: { http: number; https: number };
}

interface Backend {
  ref: BackendRef;
  replicas: EchoServer[];
  sliceNames: Map<number, string>;
}

/** Everything one scenario created, and what it has observed so far. */
export class ScenarioWorld {
  namespace = '';
  ingressName = '';
  ipOrFqdn = '';
  captured?: Capture;
  /** Load-balancing results: status code → distinct pod names. */
  readonly podsByStatus = new Map<number, Set<string>>();
  private readonly backends = new Map<string, Backend>();
  private readonly secrets: string[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly addresses: AddressAllocator,
    private readonly settings: WorldSettings,
    private readonly signal?: AbortSignal,
  ) {}

  /** `a new random namespace` */
  async newNamespace(): Promise<void> {
    this.namespace = await this.cluster.createNamespace();
  }

  /** `an Ingress resource named "N" with this spec:` */
  async createIngressFromSpec(name: string, specYaml: string): Promise<void> {
    const spec = YAML.parse(specYaml) ?? {};
    await this.createIngressObject({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name }, spec });
  }

  /** `an Ingress resource` (full manifest) */
  async createIngressFromManifest(manifest: string): Promise<void> {
    const ingress = YAML.parse(manifest) as V1Ingress;
    if (!ingress || typeof ingress !== 'object') throw new Error('the Ingress manifest is empty');
    await this.createIngressObject(ingress);
  }

  /** `an Ingress resource in a new random namespace` */
  async createIngressInNewNamespace(manifest: string): Promise<void> {
    await this.newNamespace();
    await this.createIngressFromManifest(manifest);
  }

  /** Creates `ingress` (completed in place) and its backends in the scenario namespace. */
  async createIngressObject(ingress: V1Ingress): Promise<void> {
    if (!this.namespace || this.namespace === 'default') {
      throw new Error(`refusing to create an Ingress in namespace "${this.namespace}"`);
    }
    ingress.metadata = { ...ingress.metadata, namespace: this.namespace };
    ingress.spec = ingress.spec ?? {};
    if (!ingress.spec.ingressClassName) ingress.spec.ingressClassName = this.settings.ingressClass;
    const name = ingress.metadata.name ?? '';
    for (const ref of backendRefs(ingress)) await this.createBackend(name, ref);
    await this.cluster.createIngress(this.namespace, ingress);
    this.ingressName = name;
  }

  private async createBackend(ingressName: string, ref: BackendRef): Promise<void> {
    const replica = await startReplica(this.addresses, { namespace: this.namespace, ingress: ingressName, service: ref.service });
    const backend: Backend = { ref, replicas: [replica], sliceNames: new Map() };
    this.backends.set(ref.service, backend);
    await this.cluster.createService(this.namespace, serviceFor(ref, this.namespace, replica.port));
    await this.writeEndpoints(backend);
  }

  private async writeEndpoints(backend: Backend): Promise<void> {
    await this.cluster.putEndpoints(this.namespace, endpointsFor(backend.ref, this.namespace, backend.replicas));
    for (const slice of endpointSlicesFor(backend.ref, this.namespace, backend.replicas, backend.sliceNames)) {
      await this.cluster.putEndpointSlice(this.namespace, slice);
    }
  }

  /** `a self-signed TLS secret named "S" for the "H" hostname` */
  async createTlsSecret(name: string, host: string): Promise<void> {
    const { certPem, keyPem } = selfSignedCertificate({ hosts: [host] });
    await this.cluster.createSecret(this.namespace, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: this.namespace },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': Buffer.from(certPem).toString('base64'), 'tls.key': Buffer.from(keyPem).toString('base64') },
    });
    this.secrets.push(name);
  }

  /**
   * Polls the Ingress until its status holds an address (immediate first
   * poll); the first IP or hostname wins. Transient API errors keep polling.
   */
  async waitForAddress(): Promise<string> {
    const deadline = Date.now() + this.settings.waitForStatusMs;
    for (;;) {
      try {
        const ingress = await this.cluster.readIngress(this.namespace, this.ingressName);
        const found = (ingress.status?.loadBalancer?.ingress ?? []).flatMap((e) => [e.ip, e.hostname]).filter((a): a is string => !!a);
        if (found.length > 0) return found[0];
      } catch (err) {
        if (!isRetryable(err)) throw new Error(`reading Ingress ${this.namespace}/${this.ingressName}: ${describeApiError(err)}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${this.settings.waitForStatusMs} ms waiting for an address in the Ingress status`);
      await sleep(Math.min(this.settings.pollIntervalMs, left), undefined, { signal: this.signal });
    }
  }

  /** `The Ingress status shows the IP address or FQDN where it is exposed` */
  async expectAddress(): Promise<void> {
    this.ipOrFqdn = await this.waitForAddress();
  }

  /** `The Ingress status should not contain the IP address or FQDN`: passes when the wait fails. */
  async expectNoAddress(): Promise<void> {
    let address: string | undefined;
    try {
      address = await this.waitForAddress();
    } catch (err) {
      if (this.signal?.aborted) throw err;
      return;
    }
    throw new Error(`waiting for Ingress status should not return an IP address or FQDN, but got ${address}`);
  }

  /** Sends one request to the status address and keeps the capture. */
  async send(method: string, scheme: string, hostname: string, path: string): Promise<Capture> {
    if (!this.ipOrFqdn) throw new Error('no Ingress address is known yet');
    this.captured = await captureRoundTrip({
      method,
      scheme,
      hostname,
      path,
      location: this.ipOrFqdn,
      ports: this.settings.ports,
      timeoutMs: this.settings.requestTimeoutMs,
    });
    return this.captured;
  }

  /** `count` sequential GETs to `target`, pods bucketed by status code. */
  async sendMany(count: number, target: { scheme: string; host: string; path: string }): Promise<void> {
    for (let i = 0; i < count; i++) {
      this.signal?.throwIfAborted();
      const { request, response } = await this.send('GET', target.scheme, target.host, target.path);
      const bucket = this.podsByStatus.get(response.statusCode) ?? new Set<string>();
      bucket.add(request.pod);
      this.podsByStatus.set(response.statusCode, bucket);
    }
  }

  /** `The backend deployment "S" for the ingress resource is scaled to N` */
  async scale(service: string, replicas: number): Promise<void> {
    const backend = this.backends.get(service);
    if (!backend) throw new Error(`no backend deployment ${this.ingressName}-${service} exists`);
    while (backend.replicas.length > replicas) await backend.replicas.pop()!.close();
    while (backend.replicas.length < replicas) {
      backend.replicas.push(
        await startReplica(this.addresses, { namespace: this.namespace, ingress: this.ingressName, service }),
      );
    }
    await this.writeEndpoints(backend);
    await sleep(this.settings.scaleSettleMs, undefined, { signal: this.signal });
  }

  /**
   * AfterScenario: delete what the scenario created, Ingress first so the
   * controller stops routing to backends about to vanish, then the namespace
   * (no namespace controller may be running to do it), then stop backends.
   * Errors are collected, not thrown, so every step of the cleanup runs.
   */
  async cleanup(): Promise<string[]> {
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        problems.push(`${what}: ${describeApiError(err)}`);
      }
    };
    const ns = this.namespace;
    if (ns) {
      if (this.ingressName) await attempt(`delete Ingress ${this.ingressName}`, () => this.cluster.deleteIngress(ns, this.ingressName));
      for (const { ref, sliceNames } of this.backends.values()) {
        await attempt(`delete Service ${ref.service}`, () => this.cluster.deleteService(ns, ref.service));
        await attempt(`delete Endpoints ${ref.service}`, () => this.cluster.deleteEndpoints(ns, ref.service));
        for (const slice of sliceNames.values()) {
          await attempt(`delete EndpointSlice ${slice}`, () => this.cluster.deleteEndpointSlice(ns, slice));
        }
      }
      for (const secret of this.secrets) await attempt(`delete Secret ${secret}`, () => this.cluster.deleteSecret(ns, secret));
      await attempt(`delete Namespace ${ns}`, () => this.cluster.deleteNamespace(ns));
    }
    await Promise.all([...this.backends.values()].flatMap((b) => b.replicas.map((r) => r.close())));
    this.backends.clear();
    return problems;
  }
}
