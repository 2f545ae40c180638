import { hostname } from 'node:os';
import { HAProxyDriver } from '../haproxy/index.js';
import type { MessageLevel } from '../haproxy/process/messages.js';
import type { Model } from '../model/types.js';
import { ControllerMetrics } from '../metrics/controller-metrics.js';
import { startHttpServer, type RunningHttpServer } from '../server/http-server.js';
import { apiServerOf, loadKubeConfig, podNamespace } from '../sources/kube-config.js';
import type { GatewayApiCheck } from '../sources/gateway-api.js';
import { KubeSource } from '../sources/kube-source.js';
import { KubeWriter } from '../sources/kube-writer.js';
import { LeaderElector } from '../sources/leader-election.js';
import { ManifestSource, type ManifestError } from '../sources/manifest-source.js';
import { Store } from '../store/store.js';
import { KINDS } from '../store/types.js';
import { adminView } from './admin.js';
import { findBinary } from './find-binary.js';
import { Controller, type PublishSource } from './controller.js';
import type { Logger } from './logger.js';
import type { CliOptions } from './options.js';
import { openStateDir } from './state-dir.js';
import { translateOptionsFrom, VERSION } from './translate-options.js';

export interface RunningController {
  controller: Controller;
  store: Store;
  driver: HAProxyDriver;
  http: RunningHttpServer;
  /** The state folder in use: --state-dir, or a temporary one that shutdown() removes. */
  stateDir: string;
  /** Graceful stop: readiness off, sources stopped, HAProxy finishes in-flight requests. */
  shutdown(): Promise<void>;
}

/** The certificates of `model` with the object each came from (the generated fallback has none). */
function servedCertificates(model: Model | undefined): { namespace: string; name: string; pem: string }[] {
  if (!model) return [];
  return [...model.certificates, model.defaultCertificate]
    .filter((c) => c.source.kind === 'Secret' && c.source.namespace !== '')
    .map((c) => ({ namespace: c.source.namespace, name: c.source.name, pem: c.pem }));
}

/** Wires sources, store, controller, HAProxy and the HTTP server; the process entry calls this. */
export async function runController(options: CliOptions, logger: Logger): Promise<RunningController> {
  const stateDir = openStateDir(options.stateDir);
  const store = new Store();
  const driver = new HAProxyDriver({ bin: findBinary(options.haproxyBin), stateDir: stateDir.path, accessLogs: options.accessLogRelay ? 'relay' : 'inherit' });
  // HAProxy's messages at the level it gave them (see src/haproxy/process/messages.ts).
  driver.on('log', (text: string, _stream: string, level: MessageLevel, pid?: number) => logger[level](text, pid ? { source: 'haproxy', pid } : { source: 'haproxy' }));
  driver.on('exit', (code: number | null, signal: string | null) =>
    logger.error('HAProxy exited unexpectedly; restarting', { code: 'PCL_ERR_HAPROXY_EXITED', exitCode: code, signal }),
  );
  driver.on('restarted', () => logger.info('HAProxy restarted'));

  let writer: KubeWriter | undefined;
  let elector: LeaderElector | undefined;
  let stale: (() => boolean) | undefined;
  let stopSource: () => void;
  let startSource: () => Promise<void>;
  if (options.manifests) {
    const source = new ManifestSource(options.manifests, store);
    source.on('error', (e: ManifestError) => logger.error('manifest could not be read; its objects are kept as they were', { code: 'PCL_ERR_MANIFEST_PARSE', file: e.file, error: e.message }));
    startSource = () => source.start();
    stopSource = () => source.stop();
    logger.info('watching manifests', { dir: options.manifests });
  } else {
    const kubeConfig = loadKubeConfig(options.kubeconfig);
    writer = new KubeWriter(kubeConfig);
    elector = new LeaderElector({
      kubeConfig,
      namespace: options.leaderElectionNamespace ?? podNamespace(kubeConfig),
      name: options.leaderElectionName,
      identity: process.env.POD_NAME || `${hostname()}_${process.pid}`,
      ...options.leaderElection,
    });
    elector.on('error', (err: Error) => logger.warn('leader election request failed', { error: err.message }));
    elector.on('new-leader', (identity: string) => logger.info('leader elected', { identity }));
    const keepSecrets = options.defaultSslCertificate ? [options.defaultSslCertificate] : [];
    const source = new KubeSource({ kubeConfig, store, namespaces: options.namespaces, configMap: options.configMap, gatewayApi: options.gatewayApi, keepSecrets });
    source.on('error', (err: Error, kind: string) => logger.warn('watch failed; restarting with backoff', { code: 'PCL_ERR_KUBE_WATCH', kind, error: err?.message ?? String(err) }));
    source.on('gateway-api', (check: GatewayApiCheck, missing?: string) => {
      writer!.useGatewayApiVersions(check.installed);
      const watched = check.installed.map((i) => `${i.resource.kind} ${i.version}`).join(', ');
      if (missing) logger.warn(missing, { code: 'PCL_ERR_GATEWAY_API_CRDS', ...(watched ? { watched } : {}) });
      else logger.info('watching Gateway API kinds', { watched, bundleVersion: check.bundleVersions.join(', ') });
    });
    source.on('stale', (kind: string) => logger.warn('the view of the cluster is stale: HAProxy serves the last one while the watches reconnect', { code: 'PCL_ERR_KUBE_STALE', kind }));
    source.on('fresh', (ms: number) => logger.info('the view of the cluster is up to date again', { staleMs: ms }));
    stale = () => source.stale;
    startSource = () => source.start();
    stopSource = () => source.stop();
    logger.info('watching the Kubernetes API', { server: apiServerOf(kubeConfig) });
  }

  const metrics: ControllerMetrics = new ControllerMetrics(
    {
      counters: () => driver.counters,
      objectCounts: () => Object.fromEntries(KINDS.map((k) => [k, store.list(k).length])),
      leader: () => (elector ? elector.isLeader() : true),
      certificates: (): ReturnType<typeof servedCertificates> => servedCertificates(controller.model),
      stale: () => stale?.() ?? false,
    },
    { version: VERSION },
  );
  const controller: Controller = new Controller({
    store,
    translateOptions: translateOptionsFrom(options),
    driver,
    logger,
    metrics,
    publish: publishSource(options),
    writeStatus: writer ? (ref, ingress) => writer!.writeIngressStatus(ref, ingress) : undefined,
    gatewayStatus: writer ? { write: (w) => writer!.writeGatewayApiStatus(w), controllerName: options.gatewayControllerName } : undefined,
    recordEvent: writer ? (event) => writer!.recordEvent(event, new Date()) : undefined,
    isLeader: elector ? () => elector!.isLeader() : undefined,
  });
  // Only the leader writes status: the one that just won the lease catches up at once.
  elector?.on('started-leading', () => controller.markDirty());
  let shuttingDown = false;
  const http = await startHttpServer({
    host: options.healthAddress,
    port: options.healthPort,
    handlers: {
      healthy: () => true,
      ready: () => controller.ready && !shuttingDown,
      metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
      admin: (path) => adminView(path, controller, driver),
    },
  });
  logger.info('health server listening', { address: options.healthAddress, port: http.port });
  controller.start();
  elector?.start();
  void startSource().catch((err: Error) => logger.error('source failed to start', { error: err.message }));

  return {
    controller,
    store,
    driver,
    http,
    stateDir: stateDir.path,
    async shutdown() {
      shuttingDown = true;
      stopSource();
      controller.stop();
      await elector?.stop();
      logger.info('shutting down; letting in-flight requests finish', { graceSeconds: options.shutdownGraceMs / 1000 });
      await driver.stop(options.shutdownGraceMs);
      await http.close();
      stateDir.remove();
    },
  };
}

function publishSource(options: CliOptions): PublishSource {
  if (options.publishAddress) return { kind: 'address', value: options.publishAddress };
  if (options.publishService) return { kind: 'service', ...options.publishService };
  return { kind: 'none' };
}
