/**
 * The runner's world: the Kubernetes API test server with the Gateway API CRDs, the GatewayClass,
 * the suite's Secrets, the base manifests with their echo replicas, and the controller as a child
 * process against the server's kubeconfig, with a pool of Gateway addresses on loopback. `stop()`
 * ends every process started here and removes the temporary folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { selfSignedCertificate, type CertificatePair } from '../support/certs.js';
import { eventually } from '../support/eventually.js';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-api/index.js';
import { gatewayApiCrds, readUpstreamCrds } from '../support/kube-api/gateway-api.js';
import { freePort } from '../support/net.js';
import { endpointSlicesFor, planReplicaSets, podFor, startReplicas, LoopbackPool, type Replica } from './backends.js';
import { Applier, withGatewayClass, type Manifest } from './manifests.js';

export const GATEWAY_CLASS = 'gateway-conformance';
export const CONTROLLER_NAME = 'portcullis.dev/gateway-controller';

/** Gateway addresses handed to the controller: 127.0.2.1-16, apart from the Ingress suite's 127.0.1.1. */
export const GATEWAY_ADDRESSES = Array.from({ length: 16 }, (_, i) => `127.0.2.${i + 1}`);

export interface EnvSettings {
  buildRoot: string;
  /** Upstream CRD folder; the project's own CRDs when absent. */
  upstreamCrdDir?: string;
  readyTimeoutMs: number;
  /** Where to copy the controller's log before the temporary folder goes (--controller-log). */
  keepLog?: string;
}

export interface GatewayEnv {
  api: KubeApiServer;
  applier: Applier;
  secrets: Map<string, CertificatePair>;
  /** Echo log lines per pod name (the mirror checks read them). */
  logs: Map<string, string[]>;
  pool: LoopbackPool;
  tmpDir: string;
  /** Why the controller is not running, when it is not. */
  controllerDown(): string | undefined;
  logTail(lines?: number): string;
  /** Applies objects (class placeholder replaced) and starts replicas for their Deployments. */
  applyAll(objects: readonly Manifest[]): Promise<Replica[]>;
  stop(): Promise<void>;
}

/** The Secrets the upstream setup creates in code, keyed `namespace/name`. */
export function suiteSecrets(): Map<string, CertificatePair> {
  const listener = selfSignedCertificate({ hosts: ['*.org', '*.wildcard.org', 'example.org'] });
  return new Map([
    ['gateway-conformance-infra/tls-validity-checks-certificate', listener],
    ['gateway-conformance-infra/tls-checks-certificate', selfSignedCertificate({ hosts: ['abc.example.com'] })],
    ['gateway-conformance-app-backend/tls-passthrough-checks-certificate', selfSignedCertificate({ hosts: ['abc.example.com'] })],
    ['gateway-conformance-web-backend/certificate', selfSignedCertificate({ hosts: ['*'] })],
  ]);
}

function secretObject(key: string, pair: CertificatePair): Manifest {
  const [namespace, name] = key.split('/');
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace },
    data: { 'tls.crt': Buffer.from(pair.certPem).toString('base64'), 'tls.key': Buffer.from(pair.keyPem).toString('base64') },
  };
}

export function controllerArgs(s: EnvSettings, kubeconfig: string, stateDir: string, ports: { http: number; https: number; health: number }): string[] {
  return [
    path.join(s.buildRoot, 'src', 'cli.js'), 'controller', '--kubeconfig', kubeconfig,
    '--gateway-api', 'on', '--gateway-controller-name', CONTROLLER_NAME,
    // The pool Gateways take their status address from, one distinct address per Gateway.
    // The flag takes one address and repeats.
    ...GATEWAY_ADDRESSES.flatMap((a) => ['--gateway-address', a]),
    // The Ingress listener pair on an address and ports of its own, clear of the Ingress suite.
    '--ingress-class', 'portcullis-gateway-conformance', '--bind-address', '127.0.2.254',
    '--http-port', String(ports.http), '--https-port', String(ports.https),
    '--state-dir', stateDir, '--health-port', String(ports.health), '--health-address', '127.0.0.1', '--log-level', 'info',
  ];
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Starts everything; on a failure before the controller, undoes what was started and throws. */
export async function startGatewayEnv(s: EnvSettings): Promise<GatewayEnv> {
  const tmpDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'portcullis-gateway-conformance-'));
  const api = await startKubeApiServer();
  const replicas: Replica[] = [];
  const logs = new Map<string, string[]>();
  const logFile = path.join(tmpDir, 'controller.log');
  let child: ChildProcess | undefined;
  let exitText: string | undefined;
  const stop = async () => {
    if (child) await stopChild(child);
    if (s.keepLog) await fsp.copyFile(logFile, s.keepLog).catch(() => undefined);
    await Promise.all(replicas.map((r) => r.echo.close()));
    await api.close();
    await fsp.rm(tmpDir, { recursive: true, force: true });
  };
  try {
    for (const crd of s.upstreamCrdDir ? readUpstreamCrds(s.upstreamCrdDir) : gatewayApiCrds()) api.create(crd);
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeConfig());
    const applier = new Applier(kc);
    const secrets = suiteSecrets();
    const pool = new LoopbackPool();
    const applyAll = async (objects: readonly Manifest[]): Promise<Replica[]> => {
      const ready = withGatewayClass(objects, GATEWAY_CLASS, CONTROLLER_NAME);
      for (const o of ready.filter((x) => x.kind === 'Namespace')) await applier.apply(o);
      for (const o of ready.filter((x) => x.kind !== 'Namespace')) await applier.apply(o);
      const started = await startReplicas(planReplicaSets(ready), pool, secrets, (pod, line) => logs.set(pod, [...(logs.get(pod) ?? []), line].slice(-1000)));
      replicas.push(...started);
      // The kubelet's part: Ready pods with their addresses, written with their status.
      for (const r of started) api.apply(podFor(r));
      for (const slice of endpointSlicesFor(ready, started)) await applier.apply(slice);
      return started;
    };
    await applier.apply({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: GATEWAY_CLASS }, spec: { controllerName: CONTROLLER_NAME } });
    const kubeconfig = path.join(tmpDir, 'kubeconfig');
    await api.writeKubeConfig(kubeconfig);
    const ports = { http: await freePort('127.0.0.1'), https: await freePort('127.0.0.1'), health: await freePort('127.0.0.1') };
    const log = fs.openSync(logFile, 'w');
    child = spawn(process.execPath, controllerArgs(s, kubeconfig, path.join(tmpDir, 'state'), ports), { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    child.once('exit', (code, signal) => (exitText = `the controller exited (code ${code}, signal ${signal})`));
    const env: GatewayEnv = {
      api, applier, secrets, logs, pool, tmpDir, applyAll, stop,
      controllerDown: () => exitText,
      logTail: (n = 20) => {
        try {
          return fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
        } catch {
          return '';
        }
      },
    };
    for (const [key, pair] of secrets) {
      const [namespace] = key.split('/');
      await applier.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      await applier.apply(secretObject(key, pair));
    }
    await eventually(async () => exitText !== undefined || (await fetch(`http://127.0.0.1:${ports.health}/readyz`)).status === 200,
      { timeoutMs: s.readyTimeoutMs, intervalMs: 200, what: 'the controller to be ready' }).catch((err: Error) => (exitText ??= err.message));
    return env;
  } catch (err) {
    await stop();
    throw err;
  }
}
