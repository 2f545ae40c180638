import { spawn, type ChildProcess } from 'node:child_process';
import { request, type Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKubeApiServer, type KubeApiServer } from '../test/support/kube-api/index.js';
import { eventually } from '../test/support/eventually.js';
import { freePort } from '../test/support/net.js';
import { endpointSlice, ingress, ingressClass, namespace, service } from '../test/support/objects.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface BenchStack {
  api: KubeApiServer;
  controller: ChildProcess;
  address: string;
  httpPort: number;
  healthPort: number;
  dir: string;
  /** performance.now() when the controller was started (its objects already loaded). */
  spawnedAt: number;
  /** GET /admin/counters of the controller. */
  counters(): Promise<{ reloads: number; restarts: number; runtimeCommands: Record<string, number> }>;
  /**
   * Counters once the reload that adding the measured route caused is booked: HAProxy serves the
   * route a moment before the controller has confirmed the new worker and counted the reload.
   */
  baseline(expectedReloads: number): Promise<{ reloads: number; restarts: number; runtimeCommands: Record<string, number> }>;
  /** Memory in MiB (proportional set size): the controller, and HAProxy's processes together. */
  memory(): Promise<{ controllerMiB: number; haproxyMiB: number }>;
  close(): Promise<void>;
}

/**
 * The API test server loaded with `ingresses` Ingresses (each its own host, Service and
 * EndpointSlice, all pointing at `fillerAddress`), and the controller as a separate process, as
 * it runs in production, so that its work never shares an event loop with the measuring code.
 */
export async function startBenchStack(options: {
  ingresses: number; fillerAddress: string; fillerPort: number; address?: string;
  /** ConfigMap keys for the controller (`--configmap bench/portcullis`). */
  configMap?: Record<string, string>;
  /** A `taskset` CPU list for the controller and so its HAProxy, e.g. "0". */
  cpus?: string;
  /** The cluster to load instead of {@link benchObjects} (bench/scale.ts builds its own). */
  objects?: Iterable<object>;
}): Promise<BenchStack> {
  const address = options.address ?? '127.0.0.1';
  const api = await startKubeApiServer({ historyLimit: 100_000 });
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-'));
  await api.writeKubeConfig(join(dir, 'kubeconfig'));
  api.create(namespace('bench'));
  for (const obj of options.objects ?? benchObjects(options)) api.create(obj);
  const httpPort = await freePort(address);
  const healthPort = await freePort();
  const log = join(dir, 'controller.log');
  await writeFile(log, '');
  const args = [
    resolve(here, '..', 'src', 'cli.js'), 'controller', '--kubeconfig', join(dir, 'kubeconfig'), '--state-dir', join(dir, 'state'),
    '--bind-address', address, '--http-port', String(httpPort), '--https-port', String(await freePort(address)),
    '--health-port', String(healthPort), '--health-address', '127.0.0.1', '--log-level', process.env.BENCH_LOG_LEVEL ?? 'warn', '--shutdown-grace', '1',
    ...(options.configMap ? ['--configmap', 'bench/portcullis'] : []),
  ];
  // HAProxy inherits the controller's CPU affinity.
  const [command, argv] = options.cpus ? ['taskset', ['-c', options.cpus, process.execPath, ...args]] : [process.execPath, args];
  const spawnedAt = performance.now();
  const controller = spawn(command, argv, { stdio: ['ignore', process.env.BENCH_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'] });
  // Whatever fails in a benchmark, the controller (and its HAProxy) must not outlive it.
  process.on('exit', () => controller.kill('SIGKILL'));
  const counters = async () => (await (await fetch(`http://127.0.0.1:${healthPort}/admin/counters`)).json()) as Awaited<ReturnType<BenchStack['counters']>>;
  await eventually(async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200, { timeoutMs: 120_000, intervalMs: 200, what: 'controller ready' });
  return {
    api,
    controller,
    address,
    httpPort,
    healthPort,
    dir,
    spawnedAt,
    counters,
    async baseline(expectedReloads) {
      return eventually(async () => {
        const c = await counters();
        return c.reloads >= expectedReloads ? c : undefined;
      }, { timeoutMs: 30_000, what: 'the setup reload to be counted' });
    },
    async memory() {
      const pid = controller.pid!;
      return { controllerMiB: await pssMiB([pid]), haproxyMiB: await pssMiB(await descendants(pid)) };
    },
    async close() {
      const exited = new Promise((r) => controller.once('exit', r));
      controller.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (controller.exitCode === null) controller.kill('SIGKILL');
      await api.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The bench cluster: `ingresses` Ingresses, each its own host (`host-N.bench.example`, paths `/`
 * and `/api-N`), Service and EndpointSlice pointing at the filler address; our IngressClass; and
 * the ConfigMap `bench/portcullis` when keys are given.
 */
export function benchObjects(options: { ingresses: number; fillerAddress: string; fillerPort: number; configMap?: Record<string, string> }): object[] {
  const objects: object[] = [ingressClass()];
  if (options.configMap) objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'portcullis', namespace: 'bench' }, data: options.configMap });
  for (let i = 0; i < options.ingresses; i++) {
    objects.push(service('bench', `svc-${i}`, [{ name: 'http', port: 80, targetPort: options.fillerPort }]));
    objects.push(endpointSlice('bench', `svc-${i}`, [{ address: options.fillerAddress }], [{ name: 'http', port: options.fillerPort }]));
    objects.push(ingress('bench', `ing-${i}`, [{ host: `host-${i}.bench.example`, paths: [{ path: '/', service: `svc-${i}`, port: 80 }, { path: `/api-${i}`, service: `svc-${i}`, port: 80 }] }]));
  }
  return objects;
}

/**
 * Proportional set size of `pids` in MiB: shared pages (HAProxy's master and worker share most of
 * theirs) are split between the processes that share them instead of counted once per process.
 */
async function pssMiB(pids: number[]): Promise<number> {
  let kib = 0;
  for (const pid of pids) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    kib += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
  }
  return kib / 1024;
}

/** Every process below `pid` (HAProxy's master and workers, below the controller). */
async function descendants(pid: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The parent pid is the second field after the command name, which is in parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const visit = (p: number) => (children.get(p) ?? []).forEach((c) => (out.push(c), visit(c)));
  visit(pid);
  return out;
}

/** p-th percentile (0..100) of a list of numbers, nearest-rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Prints rows as a Markdown table (the format docs/benchmarks.md records). */
export function printTable(headers: string[], rows: (string | number)[][]): void {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  process.stdout.write([line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n') + '\n');
}

/**
 * The pod that answered `host` at `address:port` (the echo backends' JSON `pod`), or why none did:
 * `status N` for an answer without one, `error` for no answer. `agent: false` is a fresh connection.
 */
export function servedBy(address: string, port: number, host: string, agent: Agent | false): Promise<string> {
  return new Promise<string>((resolve) => {
    const req = request({ host: address, port, path: '/', headers: { host }, agent }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        try {
          resolve(String((JSON.parse(body) as { pod?: string }).pod));
        } catch {
          resolve(`status ${res.statusCode}`);
        }
      });
    });
    req.on('error', () => resolve('error'));
    req.end();
  });
}
