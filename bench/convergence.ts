/**
 * Convergence: time from a write to the Kubernetes API (an EndpointSlice PUT over HTTP) until
 * HAProxy sends traffic to the new endpoint, with N Ingresses loaded. Also counts reloads, and
 * reports the memory of the controller and of HAProxy once the changes are done.
 *
 *   node dist/bench/convergence.js [--ingresses 1000] [--changes 200]
 */
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startEchoServer } from '../test/support/echo-server.js';
import { endpointSlice, ingress, service } from '../test/support/objects.js';
import { percentile, printTable, servedBy as probe, startBenchStack } from './setup.js';

const { values } = parseArgs({ options: { ingresses: { type: 'string', default: '1000' }, changes: { type: 'string', default: '200' } } });
const ingresses = Number(values.ingresses);
const changes = Number(values.changes);

const filler = await startEchoServer({ host: '127.0.60.1', port: 8080, env: { POD_NAME: 'filler', SERVICE_NAME: 'filler', NAMESPACE: 'bench', INGRESS_NAME: '' } });
const probes = [
  await startEchoServer({ host: '127.0.61.1', port: 8080, env: { POD_NAME: 'a', SERVICE_NAME: 'probe', NAMESPACE: 'bench', INGRESS_NAME: 'probe' } }),
  await startEchoServer({ host: '127.0.61.2', port: 8080, env: { POD_NAME: 'b', SERVICE_NAME: 'probe', NAMESPACE: 'bench', INGRESS_NAME: 'probe' } }),
];
const loadStarted = performance.now();
const stack = await startBenchStack({ ingresses, fillerAddress: '127.0.60.1', fillerPort: 8080 });
const startupMs = performance.now() - loadStarted;
const port = [{ name: 'http', port: 8080 }];
stack.api.create(service('bench', 'probe', [{ name: 'http', port: 80, targetPort: 8080 }]));
stack.api.create(endpointSlice('bench', 'probe', [{ address: '127.0.61.1', pod: 'a' }], port, 'probe-slice'));
stack.api.create(ingress('bench', 'probe', [{ host: 'probe.bench.example', paths: [{ service: 'probe', port: 80 }] }]));

// Each probe is a new connection: it measures what a new client sees. (A single keep-alive probe
// connection running in this same process as the API test server delayed the server's watch
// writes by one event; see docs/benchmarks.md.)
const agent = new Agent({ keepAlive: false });
const servedBy = () => probe(stack.address, stack.httpPort, 'probe.bench.example', agent);

const until = async (pod: string, timeoutMs: number) => {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) if ((await servedBy()) === pod) return true;
  return false;
};

if (!(await until('a', 60_000))) throw new Error('the probe route never served');
const countersBefore = await stack.baseline(1);
const samples: number[] = [];
let timeouts = 0;
for (let i = 1; i <= changes; i++) {
  const [address, pod] = i % 2 ? ['127.0.61.2', 'b'] : ['127.0.61.1', 'a'];
  const body = endpointSlice('bench', 'probe', [{ address, pod }], port, 'probe-slice');
  const started = performance.now();
  const res = await fetch(`${stack.api.url}/apis/discovery.k8s.io/v1/namespaces/bench/endpointslices/probe-slice`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`PUT failed: ${res.status}`);
  if (await until(pod, 5_000)) samples.push(performance.now() - started);
  else timeouts++;
}
const countersAfter = await stack.counters();
const memory = await stack.memory();
const ms = (v: number) => v.toFixed(1);
printTable(
  ['ingresses', 'changes', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'timeouts', 'reloads', 'server commands', 'startup to ready s', 'controller MiB', 'HAProxy MiB'],
  [[ingresses, changes, ms(percentile(samples, 50)), ms(percentile(samples, 90)), ms(percentile(samples, 99)), ms(Math.max(...samples)), timeouts,
    countersAfter.reloads - countersBefore.reloads, (countersAfter.runtimeCommands.server ?? 0) - (countersBefore.runtimeCommands.server ?? 0), (startupMs / 1000).toFixed(1),
    memory.controllerMiB.toFixed(0), memory.haproxyMiB.toFixed(0)]],
);
agent.destroy();
await stack.close();
await Promise.all([filler.close(), ...probes.map((p) => p.close())]);
