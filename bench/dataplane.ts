/**
 * Data plane: requests/s and latency through the Portcullis-generated HAProxy configuration with
 * N Ingresses loaded, against a minimal hand-written haproxy.cfg to the same origin and against
 * the origin directly, in one run. The origin is itself an HAProxy answering 200 from memory, so
 * the backend is never the bottleneck. Load comes from wrk.
 *
 *   node dist/bench/dataplane.js [--ingresses 1000] [--seconds 8] [--connections 64] [--rounds 3]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { findBinary } from '../src/app/find-binary.js';
import { eventually, freePort, send } from '../test/support/net.js';
import { percentile, printTable, startBenchStack } from './setup.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: { ingresses: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '8' }, connections: { type: 'string', default: '64' }, rounds: { type: 'string', default: '3' } },
});
const haproxy = findBinary('haproxy');
const dir = await mkdtemp(join(tmpdir(), 'portcullis-dataplane-'));
const originAddress = '127.0.70.1';
const originPort = 8080;

const origin = await startHAProxy('origin', [
  'frontend origin', `  bind ${originAddress}:${originPort}`, '  http-request return status 200 content-type text/plain string "ok"',
]);
const handPort = await freePort();
const loggedPort = await freePort();
// The same minimal config, logging every request the way Portcullis does by default, to tell the
// cost of access logs apart from the cost of routing.
const handLogged = await startHAProxy('hand-written-logged', [
  'frontend main', `  bind 127.0.0.1:${loggedPort}`, '  log stdout format raw local0', '  option httplog', '  default_backend app',
  'backend app', '  balance roundrobin', `  server origin ${originAddress}:${originPort}`,
]);
const hand = await startHAProxy('hand-written', [
  'frontend main', `  bind 127.0.0.1:${handPort}`, '  default_backend app',
  'backend app', '  balance roundrobin', `  server origin ${originAddress}:${originPort}`,
]);
const stack = await startBenchStack({ ingresses: Number(values.ingresses), fillerAddress: originAddress, fillerPort: originPort });
const host = `host-${Math.floor(Number(values.ingresses) / 2)}.bench.example`;
await eventually(async () => (await send({ address: stack.address, port: stack.httpPort, host })).status === 200, { what: 'the bench route', timeoutMs: 60_000 });

const targets = [
  { name: 'origin directly', url: `http://${originAddress}:${originPort}/`, host },
  { name: 'hand-written haproxy.cfg', url: `http://127.0.0.1:${handPort}/`, host },
  { name: 'hand-written + access logs', url: `http://127.0.0.1:${loggedPort}/`, host },
  { name: `Portcullis, ${values.ingresses} Ingresses`, url: `http://${stack.address}:${stack.httpPort}/`, host },
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
const handRps = median(results.get('hand-written haproxy.cfg')!.rps);
printTable(
  ['target', 'requests/s (median)', 'p50 ms', 'p99 ms', 'errors', 'vs hand-written'],
  [...results].map(([name, r]) => [name, Math.round(median(r.rps)), median(r.p50).toFixed(2), median(r.p99).toFixed(2), r.errors, `${((median(r.rps) / handRps) * 100).toFixed(1)}%`]),
);
await stack.close();
for (const p of [origin, hand, handLogged]) p.kill('SIGTERM');
await rm(dir, { recursive: true, force: true });

async function startHAProxy(name: string, lines: string[]): Promise<ChildProcess> {
  const cfg = join(dir, `${name}.cfg`);
  // No maxconn: HAProxy derives it from the file-descriptor limit, as the Portcullis config does.
  await writeFile(cfg, ['global', 'defaults', '  mode http', '  timeout connect 5s', '  timeout client 50s', '  timeout server 50s', '  option http-keep-alive', ...lines, ''].join('\n'));
  await run(haproxy, ['-c', '-q', '-f', cfg]);
  const child = spawn(haproxy, ['-db', '-f', cfg], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  if (child.exitCode !== null) throw new Error(`${name} HAProxy exited at start (code ${child.exitCode})`);
  return child;
}

async function wrk(url: string, hostHeader: string): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const { stdout } = await run('wrk', ['-t2', `-c${values.connections}`, `-d${values.seconds}s`, '--latency', '-H', `Host: ${hostHeader}`, url], { maxBuffer: 1 << 20 });
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
