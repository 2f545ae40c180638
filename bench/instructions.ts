/**
 * What a configuration costs HAProxy per request, counted rather than timed: user-space
 * instructions per request, from Valgrind's callgrind, for the Portcullis-generated configuration
 * with N Ingresses and for the minimal hand-written one (without and with access logs).
 *
 * Requests/s on a shared machine move from one run to the next; an instruction count does not,
 * so this is the figure to compare configurations (and versions of Portcullis) with. It leaves
 * out the kernel's work (sockets, loopback), which is the same for every configuration, so the
 * ratios here are wider than the requests/s ratios of `dataplane`.
 *
 * HAProxy runs under callgrind with instrumentation off while it starts; it is switched on for
 * the measured load only (wrk, keep-alive), then the request count from wrk divides the total.
 *
 *   node dist/bench/instructions.js [--ingresses 1000] [--seconds 5]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { findBinary } from '../src/app/find-binary.js';
import { parseOptions } from '../src/app/options.js';
import { translateOptionsFrom } from '../src/app/translate-options.js';
import { planLayout, render } from '../src/haproxy/index.js';
import { normalise } from '../src/sources/normalise.js';
import { translate } from '../src/translate/index.js';
import type { KubeObject } from '../src/store/types.js';
import { snapshotOf } from '../test/support/fixtures.js';
import { eventually } from '../test/support/eventually.js';
import { freePort, send } from '../test/support/net.js';
import { handWrittenConfig, originConfig } from './haproxy-configs.js';
import { benchObjects, printTable } from './setup.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { ingresses: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '5' } } });
const haproxy = findBinary('haproxy');
const dir = await mkdtemp(join(tmpdir(), 'portcullis-instructions-'));
const originAddress = '127.0.70.1';
const originPort = await freePort(originAddress);
const host = `host-${Math.floor(Number(values.ingresses) / 2)}.bench.example`;

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
await writeFile(join(dir, 'origin.cfg'), originConfig(originAddress, originPort));
children.push(spawn(haproxy, ['-db', '-f', join(dir, 'origin.cfg')], { stdio: 'ignore' }));

const handPort = await freePort();
const loggedPort = await freePort();
const portcullisPort = await freePort();
await writeFile(join(dir, 'hand.cfg'), handWrittenConfig({ port: handPort, originAddress, originPort, accessLogs: false }));
await writeFile(join(dir, 'hand-logged.cfg'), handWrittenConfig({ port: loggedPort, originAddress, originPort, accessLogs: true }));
const headersPort = await freePort();
await writeFile(join(dir, 'hand-headers.cfg'), handWrittenConfig({ port: headersPort, originAddress, originPort, accessLogs: true, headers: true }));
const portcullisCfg = await renderPortcullis(join(dir, 'portcullis'), portcullisPort, {});
const quietPort = await freePort();
const quietCfg = await renderPortcullis(join(dir, 'portcullis-quiet'), quietPort, { 'disable-access-log': 'true' });

const targets = [
  { name: 'hand-written haproxy.cfg', cfg: join(dir, 'hand.cfg'), port: handPort, host },
  { name: 'hand-written + access logs', cfg: join(dir, 'hand-logged.cfg'), port: loggedPort, host },
  { name: 'hand-written + access logs + Ingress headers', cfg: join(dir, 'hand-headers.cfg'), port: headersPort, host },
  { name: `Portcullis, ${values.ingresses} Ingresses`, cfg: portcullisCfg, port: portcullisPort, host },
  // The same route reached through the normalising path: upper case and a port in the Host header.
  { name: `Portcullis, Host "${host.toUpperCase()}:80"`, cfg: portcullisCfg, port: portcullisPort, host: `${host.toUpperCase()}:80` },
  { name: 'Portcullis, disable-access-log', cfg: quietCfg, port: quietPort, host },
];
const rows: (string | number)[][] = [];
let handIr = NaN;
for (const t of targets) {
  const { requests, instructions } = await measure(t.cfg, t.port, t.host);
  const perRequest = instructions / requests;
  if (Number.isNaN(handIr)) handIr = perRequest;
  rows.push([t.name, requests, Math.round(perRequest), `+${Math.round(perRequest - handIr)}`, `${((perRequest / handIr) * 100).toFixed(0)}%`]);
}
printTable(['target', 'requests measured', 'instructions / request', 'vs hand-written', 'ratio'], rows);
children.forEach((c) => c.kill('SIGTERM'));
await rm(dir, { recursive: true, force: true });

/** Renders the bench cluster exactly as the controller would (translate + render), one thread. */
async function renderPortcullis(stateDir: string, port: number, keys: Record<string, string>): Promise<string> {
  const objects = benchObjects({ ingresses: Number(values.ingresses), fillerAddress: originAddress, fillerPort: originPort, configMap: { ...keys, nbthread: '1' } })
    .map((raw) => normalise(raw))
    .filter((o): o is KubeObject => o !== undefined);
  const options = parseOptions(['controller', '--bind-address', '127.0.0.1', '--http-port', String(port), '--https-port', String(await freePort()),
    '--configmap', 'bench/portcullis', '--state-dir', stateDir]);
  const { model, diagnostics } = translate(snapshotOf(objects), translateOptionsFrom(options));
  if (diagnostics.some((d) => d.severity === 'error')) throw new Error(`the bench cluster does not translate cleanly: ${diagnostics[0].message}`);
  const rendered = render(model, planLayout(undefined, model), stateDir);
  await mkdir(join(stateDir, 'run'), { recursive: true });
  for (const file of rendered.files) {
    await mkdir(dirname(join(stateDir, file.path)), { recursive: true });
    await writeFile(join(stateDir, file.path), file.content, { mode: file.mode });
  }
  const cfg = join(stateDir, 'haproxy.cfg');
  await writeFile(cfg, rendered.config);
  return cfg;
}

async function measure(cfg: string, port: number, hostHeader: string): Promise<{ requests: number; instructions: number }> {
  const out = await mkdtemp(join(dir, 'callgrind-'));
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(out, 'cg.%p')}`, haproxy, '-db', '-f', cfg], { stdio: 'ignore' });
  children.push(child);
  try {
    await eventually(async () => (await send({ address: '127.0.0.1', port, host: hostHeader })).status === 200, { timeoutMs: 60_000, intervalMs: 250, what: `${cfg} answering under valgrind` });
    await run('callgrind_control', ['-i', 'on', String(child.pid)]);
    const { stdout } = await run('wrk', ['-t1', '-c8', `-d${values.seconds}s`, '-H', `Host: ${hostHeader}`, `http://127.0.0.1:${port}/`]);
    await run('callgrind_control', ['-i', 'off', String(child.pid)]);
    await run('callgrind_control', ['-d', String(child.pid)]);
    const requests = Number(/(\d+) requests in/.exec(stdout)?.[1]);
    if (/Non-2xx/.test(stdout) || !(requests > 0)) throw new Error(`wrk did not get clean answers from ${cfg}:\n${stdout}`);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    let instructions = 0;
    for (const file of await readdir(out)) {
      // The header's `summary` can read 0 for a dump taken on request; `totals` is the count.
      const totals = /^totals: (\d+)/m.exec(await readFile(join(out, file), 'utf8'));
      instructions += Number(totals?.[1] ?? 0);
    }
    return { requests, instructions };
  } finally {
    child.kill('SIGKILL');
  }
}
