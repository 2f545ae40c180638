/**
 * Data plane: requests/s and latency through the Portcullis-generated HAProxy configuration with
 * N Ingresses loaded, against a minimal hand-written haproxy.cfg to the same origin and against
 * the origin directly, in one run. The origin is itself an HAProxy answering 200 from memory, so
 * the backend is never the bottleneck. Load comes from wrk.
 *
 * On a machine with few cores, wrk, the origin and the proxy under test fight for them, and the
 * figures measure the scheduler more than the proxy. So by default (when `taskset` exists and
 * there are at least 2 CPUs) each proxy under test runs alone on CPU 0 with one thread, and wrk
 * and the origin share the other CPUs: requests/s is then what one core of HAProxy serves with
 * that configuration. Targets are interleaved round by round, so a slow spell of the machine
 * hits them all; the table gives the median and the best round.
 *
 *   node dist/bench/dataplane.js [--ingresses 1000] [--seconds 3] [--connections 32] [--rounds 10] [--no-pin]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { findBinary } from '../src/app/find-binary.js';
import { eventually } from '../test/support/eventually.js';
import { freePort, send } from '../test/support/net.js';
import { handWrittenConfig, originConfig } from './haproxy-configs.js';
import { percentile, printTable, startBenchStack } from './setup.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    ingresses: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '3' }, connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '10' }, 'no-pin': { type: 'boolean', default: false },
  },
});
const cpus = availableParallelism();
const pin = !values['no-pin'] && cpus >= 2 && (await run('taskset', ['-p', String(process.pid)]).then(() => true, () => false));
/** CPU list for the proxies under test, and for wrk and the origin. */
const proxyCpus = '0';
const loadCpus = cpus > 2 ? `1-${cpus - 1}` : '1';
const loadThreads = pin ? Math.max(1, cpus - 1) : 2;
const haproxy = findBinary('haproxy');
const dir = await mkdtemp(join(tmpdir(), 'portcullis-dataplane-'));
const originAddress = '127.0.70.1';
const originPort = 8080;

const origin = await startHAProxy('origin', pin ? loadCpus : undefined, originConfig(originAddress, originPort, pin ? [`nbthread ${loadThreads}`] : []));
const handPort = await freePort();
const loggedPort = await freePort();
const proxyGlobal = pin ? ['nbthread 1'] : [];
const hand = await startHAProxy('hand-written', pin ? proxyCpus : undefined, handWrittenConfig({ port: handPort, originAddress, originPort, accessLogs: false, global: proxyGlobal }));
// The same minimal config, logging every request the way Portcullis does by default, to tell the
// cost of access logs apart from the cost of routing.
const handLogged = await startHAProxy('hand-written-logged', pin ? proxyCpus : undefined, handWrittenConfig({ port: loggedPort, originAddress, originPort, accessLogs: true, global: proxyGlobal }));
// And with the headers an Ingress controller adds: what is left between it and Portcullis is routing.
const headersPort = await freePort();
const handHeaders = await startHAProxy('hand-written-headers', pin ? proxyCpus : undefined, handWrittenConfig({ port: headersPort, originAddress, originPort, accessLogs: true, headers: true, global: proxyGlobal }));
const startStack = (keys: Record<string, string>) => startBenchStack({
  ingresses: Number(values.ingresses), fillerAddress: originAddress, fillerPort: originPort,
  configMap: { ...keys, ...(pin ? { nbthread: '1' } : {}) }, ...(pin ? { cpus: proxyCpus } : {}),
});
// Portcullis as installed (traffic log on), and with `disable-access-log`, to compare each with
// the hand-written configuration that logs the same way.
const stack = await startStack({});
const quiet = await startStack({ 'disable-access-log': 'true' });
const host = `host-${Math.floor(Number(values.ingresses) / 2)}.bench.example`;
for (const s of [stack, quiet]) {
  await eventually(async () => (await send({ address: s.address, port: s.httpPort, host })).status === 200, { what: 'the bench route', timeoutMs: 60_000 });
}

const targets = [
  { name: 'origin directly', url: `http://${originAddress}:${originPort}/`, host },
  { name: 'hand-written haproxy.cfg', url: `http://127.0.0.1:${handPort}/`, host },
  { name: 'hand-written + access logs', url: `http://127.0.0.1:${loggedPort}/`, host },
  { name: 'hand-written + access logs + Ingress headers', url: `http://127.0.0.1:${headersPort}/`, host },
  { name: `Portcullis, ${values.ingresses} Ingresses`, url: `http://${stack.address}:${stack.httpPort}/`, host },
  { name: 'Portcullis, disable-access-log', url: `http://${quiet.address}:${quiet.httpPort}/`, host },
];
const results = new Map<string, { rps: number[]; p50: number[]; p99: number[]; errors: number }>();
for (let round = 0; round < Number(values.rounds); round++) {
  for (const t of targets) {
    const r = await wrk(t.url, t.host);
    const entry = results.get(t.name) ?? { rps: [], p50: [], p99: [], errors: 0 };
    entry.rps.push(r.rps);
    entry.p50.push(r.p50);
    entry.p99.push(r.p99);
    entry.errors += r.errors;
    results.set(t.name, entry);
  }
}
const median = (v: number[]) => percentile(v, 50);
const ratio = (a: number, b: number) => `${((a / b) * 100).toFixed(1)}%`;
const handRps = median(results.get('hand-written haproxy.cfg')!.rps);
const loggedRps = median(results.get('hand-written + access logs')!.rps);
const headersRps = median(results.get('hand-written + access logs + Ingress headers')!.rps);
process.stdout.write(pin
  ? `Proxies under test pinned to CPU ${proxyCpus} (1 thread); wrk (${loadThreads} threads) and the origin on CPU ${loadCpus}. ${values.rounds} rounds of ${values.seconds} s.\n\n`
  : `Not pinned: wrk, the origin and the proxies share ${cpus} CPUs. ${values.rounds} rounds of ${values.seconds} s.\n\n`);
printTable(
  ['target', 'requests/s (median)', 'best round', 'p50 ms', 'p99 ms', 'errors', 'vs hand-written', 'vs + logs', 'vs + logs + headers'],
  [...results].map(([name, r]) => [
    name, Math.round(median(r.rps)), Math.round(Math.max(...r.rps)), median(r.p50).toFixed(2), median(r.p99).toFixed(2), r.errors,
    ratio(median(r.rps), handRps), ratio(median(r.rps), loggedRps), ratio(median(r.rps), headersRps),
  ]),
);
await stack.close();
await quiet.close();
for (const p of [origin, hand, handLogged, handHeaders]) p.kill('SIGTERM');
await rm(dir, { recursive: true, force: true });

async function startHAProxy(name: string, cpuList: string | undefined, text: string): Promise<ChildProcess> {
  const cfg = join(dir, `${name}.cfg`);
  await writeFile(cfg, text);
  await run(haproxy, ['-c', '-q', '-f', cfg]);
  const child = cpuList ? spawn('taskset', ['-c', cpuList, haproxy, '-db', '-f', cfg], { stdio: 'ignore' }) : spawn(haproxy, ['-db', '-f', cfg], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  if (child.exitCode !== null) throw new Error(`${name} HAProxy exited at start (code ${child.exitCode})`);
  return child;
}

async function wrk(url: string, hostHeader: string): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const wrkArgs = [`-t${loadThreads}`, `-c${values.connections}`, `-d${values.seconds}s`, '--latency', '-H', `Host: ${hostHeader}`, url];
  const { stdout } = pin ? await run('taskset', ['-c', loadCpus, 'wrk', ...wrkArgs], { maxBuffer: 1 << 20 }) : await run('wrk', wrkArgs, { maxBuffer: 1 << 20 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  const lat = (p: string) => toMs(new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout));
  const errors = [...stdout.matchAll(/(connect|read|write|timeout) (\d+)/g)].reduce((n, m) => n + Number(m[2]), 0) + Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  return { rps, p50: lat('50'), p99: lat('99'), errors };
}

function toMs(m: RegExpExecArray | null): number {
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}
