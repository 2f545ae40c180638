/**
 * The demo: no cluster, the manifests in examples/demo, a demo backend for every endpoint those
 * manifests list, and the controller driving a real HAProxy. `--smoke` sends a few requests,
 * prints what answered and exits (non-zero if anything failed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { listManifestFiles, parseManifests } from '../src/sources/manifest-source.js';
import { TreeWatcher } from '../src/sources/watch-tree.js';
import { startEchoServer, type EchoServer } from '../test/support/echo-server.js';
import { send } from '../test/support/net.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      manifests: { type: 'string', default: join(root, 'examples', 'demo') },
      'http-port': { type: 'string', default: '8080' },
      'https-port': { type: 'string', default: '8443' },
      'health-port': { type: 'string', default: '10254' },
      smoke: { type: 'boolean', default: false },
    },
  });
  const dir = resolve(values.manifests!);
  const backends = new DemoBackends(dir);
  await backends.start();
  const stateDir = await mkdtemp(join(tmpdir(), 'portcullis-demo-'));
  const controller = spawn(process.execPath, [
    join(here, '..', 'src', 'cli.js'), 'controller', '--manifests', dir,
    '--http-port', values['http-port']!, '--https-port', values['https-port']!, '--bind-address', '127.0.0.1',
    '--health-port', values['health-port']!, '--health-address', '127.0.0.1', '--state-dir', stateDir,
  ], { stdio: values.smoke ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  const output: string[] = [];
  controller.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  controller.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const stop = async () => {
    await stopController(controller);
    await backends.close();
    // The folder holds private keys: gone with the demo, even if the controller had to be killed.
    await rm(stateDir, { recursive: true, force: true });
  };
  try {
    await waitReady(Number(values['health-port']), controller);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${output.join('')}`);
    await stop();
    return 1;
  }
  const http = `http://127.0.0.1:${values['http-port']}`;
  if (values.smoke) {
    const ok = await smoke(Number(values['http-port']), Number(values['https-port']));
    await stop();
    return ok ? 0 : 1;
  }
  process.stdout.write(
    [
      '',
      'Portcullis demo is running: HAProxy serves the Ingresses in ' + dir,
      `  curl -i -H 'Host: demo.localhost' ${http}/             (302 to HTTPS: the host has a TLS Secret)`,
      `  curl -k --resolve demo.localhost:${values['https-port']}:127.0.0.1 https://demo.localhost:${values['https-port']}/   (TLS by SNI)`,
      `  curl -k --resolve demo.localhost:${values['https-port']}:127.0.0.1 https://demo.localhost:${values['https-port']}/api/users   (another Service)`,
      `  curl -H 'Host: shop.apps.localhost' ${http}/            (wildcard host)`,
      `  metrics: http://127.0.0.1:${values['health-port']}/metrics   state: http://127.0.0.1:${values['health-port']}/admin/state`,
      'Edit the files in that folder and the changes apply while it runs. Ctrl-C stops.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((r) => {
    process.once('SIGINT', r);
    process.once('SIGTERM', r);
  });
  await stop();
  return 0;
}

/** Every address:port the folder's EndpointSlices list, with the names a backend reports. */
async function listedEndpoints(dir: string): Promise<Map<string, { address: string; port: number; pod: string; service: string; namespace: string }>> {
  const found = new Map<string, { address: string; port: number; pod: string; service: string; namespace: string }>();
  for (const file of await listManifestFiles(dir)) {
    let objects: ReturnType<typeof parseManifests> = [];
    try {
      objects = parseManifests(await readFile(file, 'utf8'));
    } catch {
      continue; // a half-written file; the controller reports it
    }
    for (const slice of objects) {
      if (slice.kind !== 'EndpointSlice') continue;
      for (const endpoint of slice.endpoints) {
        for (const address of endpoint.addresses) {
          for (const port of slice.ports) {
            if (!port.port) continue;
            const key = `${address}:${port.port}`;
            found.set(key, {
              address, port: port.port, pod: endpoint.targetRef?.name ?? key,
              service: slice.metadata.labels['kubernetes.io/service-name'] ?? '', namespace: slice.metadata.namespace,
            });
          }
        }
      }
    }
  }
  return found;
}

/**
 * A demo backend (an echo server) for every endpoint the folder lists, kept in step with the
 * folder while it runs, so walkthroughs that add endpoints (a rollout, a flip) get live pods.
 */
class DemoBackends {
  private readonly running = new Map<string, EchoServer>();
  private watcher: TreeWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    this.watcher = new TreeWatcher(this.dir, () => {
      clearTimeout(this.timer);
      // One sync at a time, so that an endpoint is never started twice.
      this.timer = setTimeout(() => (this.syncing = this.syncing.then(() => this.sync()).catch((err: Error) => void process.stderr.write(`demo backends: ${err.message}\n`))), 30);
    });
    await this.watcher.start();
    await this.sync();
  }

  async close(): Promise<void> {
    this.watcher?.close();
    clearTimeout(this.timer);
    await Promise.all([...this.running.values()].map((b) => b.close()));
  }

  private async sync(): Promise<void> {
    for (const [key, e] of await listedEndpoints(this.dir)) {
      if (this.running.has(key)) continue;
      this.running.set(key, await startEchoServer({ host: e.address, port: e.port, env: { POD_NAME: e.pod, NAMESPACE: e.namespace, SERVICE_NAME: e.service, INGRESS_NAME: '' } }));
    }
  }
}

async function waitReady(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the controller exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the controller did not become ready within 30 s');
}

async function smoke(httpPort: number, httpsPort: number): Promise<boolean> {
  const checks: { host: string; path: string; https?: boolean; status: number; service?: string; location?: string }[] = [
    { host: 'demo.localhost', path: '/', status: 302, location: `https://demo.localhost:${httpsPort}/` },
    { host: 'demo.localhost', path: '/', https: true, status: 200, service: 'web' },
    { host: 'demo.localhost', path: '/api/users', https: true, status: 200, service: 'api' },
    { host: 'shop.apps.localhost', path: '/', status: 200, service: 'web' },
    { host: 'unknown.localhost', path: '/', status: 404 },
  ];
  let ok = true;
  for (const c of checks) {
    const res = await send({ address: '127.0.0.1', port: c.https ? httpsPort : httpPort, host: c.host, path: c.path, https: c.https });
    const served = res.json?.service as string | undefined;
    const pass = res.status === c.status && served === c.service && (c.location === undefined || res.headers.location === c.location);
    ok &&= pass;
    const where = res.headers.location ? ` to ${res.headers.location}` : served ? ` from ${served}` : '';
    process.stdout.write(`${pass ? 'ok  ' : 'FAIL'} ${c.https ? 'https' : 'http'}://${c.host}${c.path} -> ${res.status}${where}\n`);
  }
  return ok;
}

async function stopController(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

main().then((code) => process.exit(code));
