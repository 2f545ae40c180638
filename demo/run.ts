/**
 * The demo: no cluster, the manifests in examples/demo, a demo backend for every endpoint those
 * manifests list, and the controller driving a real HAProxy. `--smoke` sends a few requests,
 * prints what answered and exits (non-zero if anything failed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DemoBackends } from './backends.js';
import { parseDemoArgs } from './options.js';
import { send } from '../test/support/net.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');

async function main(): Promise<number> {
  const options = parseDemoArgs(process.argv.slice(2), root);
  // Listening from the start: a Ctrl-C or SIGTERM while the controller starts must still end in a
  // clean stop, not in the default action that would leave HAProxy and the state folder behind.
  const stopRequested = new Promise<void>((r) => {
    process.once('SIGINT', () => r());
    process.once('SIGTERM', () => r());
  });
  const dir = resolve(options.manifests);
  const backends = new DemoBackends(dir);
  await backends.start();
  // The demo chooses the state folder so that it can remove it, private keys included, at exit.
  const stateDir = await mkdtemp(join(tmpdir(), 'portcullis-demo-'));
  const controller = spawn(process.execPath, [
    join(here, '..', 'src', 'cli.js'), 'controller', '--manifests', dir,
    '--http-port', String(options.httpPort), '--https-port', String(options.httpsPort), '--bind-address', '127.0.0.1',
    '--health-port', String(options.healthPort), '--health-address', '127.0.0.1', '--state-dir', stateDir,
  ], { stdio: options.smoke ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
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
    await waitReady(options.healthPort, controller);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${output.join('')}`);
    await stop();
    return 1;
  }
  if (options.smoke) {
    const ok = await smoke(options.httpPort, options.httpsPort);
    await stop();
    return ok ? 0 : 1;
  }
  const http = `http://127.0.0.1:${options.httpPort}`;
  const https = `--resolve demo.localhost:${options.httpsPort}:127.0.0.1 https://demo.localhost:${options.httpsPort}`;
  process.stdout.write(
    [
      '',
      'Portcullis demo is running: HAProxy serves the Ingresses in ' + dir,
      `  curl -i -H 'Host: demo.localhost' ${http}/             (302 to HTTPS: the host has a TLS Secret)`,
      `  curl -k ${https}/   (TLS by SNI)`,
      `  curl -k ${https}/api/users   (another Service)`,
      `  curl -H 'Host: shop.apps.localhost' ${http}/            (wildcard host)`,
      `  metrics: http://127.0.0.1:${options.healthPort}/metrics   state: http://127.0.0.1:${options.healthPort}/admin/state`,
      'Edit the files in that folder and the changes apply while it runs. Ctrl-C stops.',
      '',
    ].join('\n'),
  );
  await stopRequested;
  await stop();
  return 0;
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
  const checks: { host: string; path: string; https?: boolean; status: number; service?: string; ingress?: string; location?: string }[] = [
    { host: 'demo.localhost', path: '/', status: 302, location: `https://demo.localhost:${httpsPort}/` },
    { host: 'demo.localhost', path: '/', https: true, status: 200, service: 'web', ingress: 'demo' },
    { host: 'demo.localhost', path: '/api/users', https: true, status: 200, service: 'api', ingress: 'demo' },
    { host: 'shop.apps.localhost', path: '/', status: 200, service: 'web', ingress: 'demo' },
    { host: 'unknown.localhost', path: '/', status: 404 },
  ];
  let ok = true;
  for (const c of checks) {
    const res = await send({ address: '127.0.0.1', port: c.https ? httpsPort : httpPort, host: c.host, path: c.path, https: c.https });
    const served = res.json?.service as string | undefined;
    const pass = res.status === c.status && served === c.service && res.json?.ingress === c.ingress && (c.location === undefined || res.headers.location === c.location);
    ok &&= pass;
    const where = res.headers.location ? ` to ${res.headers.location}` : served ? ` from ${served} (Ingress ${String(res.json?.ingress)})` : '';
    process.stdout.write(`${pass ? 'ok  ' : 'FAIL'} ${c.https ? 'https' : 'http'}://${c.host}${c.path} -> ${res.status}${where}\n`);
  }
  return ok;
}

/** SIGTERM, then the controller's whole shutdown grace (25 s) and some: killing it sooner would orphan HAProxy. */
async function stopController(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 35_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

main().then((code) => process.exit(code));
