import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/app/logger.js';
import { parseOptions } from '../../src/app/options.js';
import { runController, type RunningController } from '../../src/app/run-controller.js';
import { startEchoServer, type EchoServer } from './echo-server.js';
import { startKubeApiServer, type KubeApiServer } from './kube-api/index.js';
import { eventually } from './eventually.js';
import { freePort, send, type SimpleResponse } from './net.js';

export interface Stack {
  api: KubeApiServer;
  running: RunningController;
  address: string;
  httpPort: number;
  httpsPort: number;
  healthPort: number;
  stateDir: string;
  /** Every log line of the controller (text format). */
  logs: string[];
  /** Starts an echo backend that reports `service`/`pod`; closed with the stack. */
  backend(options: { address: string; port: number; service: string; namespace?: string; pod?: string }): Promise<EchoServer>;
  request(host: string | undefined, path?: string, options?: { https?: boolean; method?: string; headers?: Record<string, string> }): Promise<SimpleResponse>;
  /** Waits until the controller has applied everything the store holds. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole controller against the Kubernetes API test server, in this process (so tests can read
 * its counters), with a real HAProxy on free loopback ports.
 */
export async function startStack(options: { args?: string[]; address?: string } = {}): Promise<Stack> {
  const address = options.address ?? '127.0.0.1';
  const api = await startKubeApiServer({ bookmarkIntervalMs: 200 });
  const stateDir = await mkdtemp(join(tmpdir(), 'portcullis-test-'));
  await api.writeKubeConfig(join(stateDir, 'kubeconfig'));
  const [httpPort, httpsPort] = [await freePort(address), await freePort(address)];
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', format: 'text', write: (line) => logs.push(line) });
  const cli = parseOptions([
    'controller', '--kubeconfig', join(stateDir, 'kubeconfig'), '--state-dir', join(stateDir, 'haproxy'),
    '--bind-address', address, '--http-port', String(httpPort), '--https-port', String(httpsPort),
    '--health-port', '0', '--health-address', '127.0.0.1', '--shutdown-grace', '2', '--access-log-relay',
    ...(options.args ?? []),
  ]);
  const running = await runController(cli, logger);
  const backends: EchoServer[] = [];
  const stack: Stack = {
    api, running, address, httpPort, httpsPort, healthPort: running.http.port, stateDir, logs,
    async backend(b) {
      const server = await startEchoServer({
        host: b.address,
        port: b.port,
        env: { POD_NAME: b.pod ?? `${b.service}-${b.address}`, NAMESPACE: b.namespace ?? 'default', SERVICE_NAME: b.service, INGRESS_NAME: '' },
      });
      backends.push(server);
      return server;
    },
    request(host, path = '/', o = {}) {
      return send({ address, port: o.https ? httpsPort : httpPort, host, path, https: o.https, method: o.method, headers: o.headers });
    },
    async settle() {
      await eventually(() => running.controller.ready, { what: 'controller ready' });
      await running.controller.idle();
    },
    async close() {
      await running.shutdown();
      await Promise.all(backends.map((b) => b.close()));
      await api.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  return stack;
}
