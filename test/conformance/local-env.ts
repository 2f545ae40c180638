/**
 * Local mode: an in-process Kubernetes API test server plus the controller
 * as a child process, on loopback only. Everything started here is stopped
 * by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startKubeApiServer } from '../support/kube-api/index.js';
import { freePort } from '../support/net.js';
import { Cluster } from './cluster.js';

/** Settings for {@link startLocalEnvironment}. */
export interface LocalSettings {
  buildRoot: string;
  ingressClass: string;
  address: string;
  httpPort: number;
  httpsPort: number;
  readyTimeoutMs?: number;
}

/** A running local environment. */
export interface LocalEnvironment {
  cluster: Cluster;
  tmpDir: string;
  logFile: string;
  /** Last `lines` lines of the controller's output. */
  logTail(lines?: number): string;
  /** Stops the controller and the API server; `removeFiles` also deletes `tmpDir`. */
  stop(removeFiles?: boolean): Promise<void>;
}

/** Controller name the IngressClass points at. */
export const CONTROLLER_NAME = 'portcullis.dev/ingress-controller';

function probe(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/readyz', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

async function waitReady(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the controller exited early (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    if ((await probe(port)) === 200) return;
    await sleep(200);
  }
  throw new Error(`the controller was not ready within ${timeoutMs} ms`);
}

function readTail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '';
  }
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const ac = new AbortController();
  const timedOut = await Promise.race([
    exited.then(() => false),
    sleep(graceMs, true, { signal: ac.signal }).catch(() => false),
  ]);
  ac.abort();
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

function controllerArgs(s: LocalSettings, kubeconfig: string, stateDir: string, healthPort: number): string[] {
  return [
    path.join(s.buildRoot, 'src', 'cli.js'), 'controller',
    '--kubeconfig', kubeconfig,
    '--ingress-class', s.ingressClass,
    '--bind-address', s.address,
    '--publish-address', s.address,
    '--http-port', String(s.httpPort),
    '--https-port', String(s.httpsPort),
    '--state-dir', stateDir,
    '--health-port', String(healthPort),
    // Keep the admin server on loopback; its default is every interface.
    '--health-address', '127.0.0.1',
    '--log-level', 'info',
  ];
}

/** Starts the API server, creates the IngressClass and starts the controller. */
export async function startLocalEnvironment(s: LocalSettings): Promise<LocalEnvironment> {
  const tmpDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'portcullis-conformance-'));
  const logFile = path.join(tmpDir, 'controller.log');
  const kubeconfig = path.join(tmpDir, 'kubeconfig');
  const api = await startKubeApiServer();
  let child: ChildProcess | undefined;
  let log: fs.WriteStream | undefined;
  const stop = async (removeFiles = false) => {
    if (child) await stopChild(child, 15_000);
    if (log) await new Promise<void>((resolve) => log!.end(() => resolve()));
    await api.close();
    if (removeFiles) await fsp.rm(tmpDir, { recursive: true, force: true });
  };
  try {
    await api.writeKubeConfig(kubeconfig);
    const cluster = Cluster.fromString(api.kubeConfig());
    await cluster.ensureIngressClass({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: s.ingressClass },
      spec: { controller: CONTROLLER_NAME },
    });
    const healthPort = await freePort();
    log = fs.createWriteStream(logFile);
    await new Promise<void>((resolve, reject) => log!.once('open', () => resolve()).once('error', reject));
    child = spawn(process.execPath, controllerArgs(s, kubeconfig, path.join(tmpDir, 'state'), healthPort), {
      stdio: ['ignore', log, log],
    });
    await waitReady(child, healthPort, s.readyTimeoutMs ?? 30_000);
    return { cluster, tmpDir, logFile, logTail: (n = 40) => readTail(logFile, n), stop };
  } catch (err) {
    await stop();
    const tail = readTail(logFile, 80);
    throw new Error(`${err instanceof Error ? err.message : String(err)}${tail ? `\ncontroller output:\n${tail}` : ''}`);
  }
}
