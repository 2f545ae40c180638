/**
 * Churn: rolling updates and blue-green flips under continuous load, with N Ingresses loaded.
 * Reports failed requests and reloads (targets: 0 and 0).
 *
 *   node dist/bench/churn.js [--ingresses 1000] [--rollouts 5] [--flips 20]
 */
import { parseArgs } from 'node:util';
import { startEchoServer, type EchoServer } from '../test/support/echo-server.js';
import { startLoad } from '../test/support/load.js';
import { eventually } from '../test/support/eventually.js';
import { send } from '../test/support/net.js';
import { endpointSlice, ingress, service, type SliceEndpoint } from '../test/support/objects.js';
import { printTable, startBenchStack } from './setup.js';

const { values } = parseArgs({ options: { ingresses: { type: 'string', default: '1000' }, rollouts: { type: 'string', default: '5' }, flips: { type: 'string', default: '20' } } });
const backends: EchoServer[] = [];
const addr = (group: number, i: number) => `127.0.${group}.${i}`;
for (const [group, version] of [[81, 'blue'], [82, 'green']] as const) {
  for (let i = 1; i <= 4; i++) {
    backends.push(await startEchoServer({ host: addr(group, i), port: 8080, env: { POD_NAME: `${version}-${i}`, SERVICE_NAME: version, NAMESPACE: 'bench', INGRESS_NAME: 'app' } }));
  }
}
backends.push(await startEchoServer({ host: '127.0.80.1', port: 8080, env: { POD_NAME: 'filler', SERVICE_NAME: 'filler', NAMESPACE: 'bench', INGRESS_NAME: '' } }));
const stack = await startBenchStack({ ingresses: Number(values.ingresses), fillerAddress: '127.0.80.1', fillerPort: 8080 });
const port = [{ name: 'http', port: 8080 }];
const setEndpoints = (eps: SliceEndpoint[]) =>
  fetch(`${stack.api.url}/apis/discovery.k8s.io/v1/namespaces/bench/endpointslices/app-slice`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(endpointSlice('bench', 'app', eps, port, 'app-slice')),
  });
stack.api.create(service('bench', 'app', [{ name: 'http', port: 80, targetPort: 8080 }]));
stack.api.create(endpointSlice('bench', 'app', [1, 2, 3, 4].map((i) => ({ address: addr(81, i) })), port, 'app-slice'));
stack.api.create(ingress('bench', 'app', [{ host: 'app.bench.example', paths: [{ service: 'app', port: 80 }] }]));
const servingOnly = (who: string) =>
  eventually(async () => {
    for (let i = 0; i < 8; i++) if ((await send({ address: stack.address, port: stack.httpPort, host: 'app.bench.example' })).json?.service !== who) return false;
    return true;
  }, { timeoutMs: 30_000, what: `${who} serving` });
await servingOnly('blue');

const before = await stack.baseline(1);
const load = startLoad({ address: stack.address, port: stack.httpPort, host: 'app.bench.example', concurrency: 8, maxDurationMs: 600_000 });
const pause = () => new Promise((r) => setTimeout(r, 50));
let color: 'blue' | 'green' = 'blue';
for (let r = 0; r < Number(values.rollouts); r++) {
  const [from, to] = color === 'blue' ? [81, 82] : [82, 81];
  const next: 'blue' | 'green' = color === 'blue' ? 'green' : 'blue';
  const current = new Map<string, SliceEndpoint>([1, 2, 3, 4].map((i) => [addr(from, i), { address: addr(from, i) }]));
  for (let i = 1; i <= 4; i++) {
    current.set(addr(to, i), { address: addr(to, i) });
    await setEndpoints([...current.values()]);
    await pause();
    current.set(addr(from, i), { address: addr(from, i), ready: false, serving: true, terminating: true });
    await setEndpoints([...current.values()]);
    await pause();
    current.delete(addr(from, i));
    await setEndpoints([...current.values()]);
    await pause();
  }
  color = next;
  await servingOnly(color);
}
for (let f = 0; f < Number(values.flips); f++) {
  color = color === 'blue' ? 'green' : 'blue';
  await setEndpoints([1, 2, 3, 4].map((i) => ({ address: addr(color === 'blue' ? 81 : 82, i) })));
  await servingOnly(color);
}
const result = await load.stop();
const after = await stack.counters();
printTable(
  ['ingresses', 'rolling updates', 'flips', 'requests', 'failed', 'failed on a reused connection', 'retried', 'reloads', 'server commands'],
  [[values.ingresses!, values.rollouts!, values.flips!, result.sent, result.failed, result.failedOnReused, result.retried, after.reloads - before.reloads, (after.runtimeCommands.server ?? 0) - (before.runtimeCommands.server ?? 0)]],
);
await stack.close();
await Promise.all(backends.map((b) => b.close()));
