/**
 * Scale: a busy cluster on the Kubernetes API test server. By default 10,000 Ingresses (one host
 * each, 2,000 of them with TLS), 10,000 Services, 50,000 endpoints (five per Service), 2,000 TLS
 * Secrets, 20,000 unrelated Secrets of 20 KB (as Helm releases are) and 5,000 unrelated ConfigMaps;
 * `--ingresses N` scales every count by N/10,000. Prints start to every route serving (the
 * controller started on the loaded API; the sweep that checks each host is included), memory,
 * endpoint change to traffic and Ingress edit between existing backends (with the reloads it cost),
 * beside the figures other controllers publish.
 *
 *   node dist/bench/scale.js [--ingresses 10000] [--changes 50]
 */
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { selfSignedCertificate } from '../test/support/certs.js';
import { startEchoServer } from '../test/support/echo-server.js';
import { endpointSlice, ingress, ingressClass, service, tlsSecret } from '../test/support/objects.js';
import { percentile, printTable, servedBy as probe, startBenchStack } from './setup.js';

const { values } = parseArgs({ options: { ingresses: { type: 'string', default: '10000' }, changes: { type: 'string', default: '50' } } });
const ingresses = Number(values.ingresses);
const changes = Number(values.changes);
const scaled = (full: number) => Math.round((full * ingresses) / 10_000);
const counts = { tls: scaled(2000), unrelatedSecrets: scaled(20_000), configMaps: scaled(5000) };
const ENDPOINTS_PER_SERVICE = 5;

const fillers = await Promise.all(Array.from({ length: ENDPOINTS_PER_SERVICE }, (_, i) =>
  startEchoServer({ host: `127.0.60.${i + 1}`, port: 8080, env: { POD_NAME: `filler-${i}`, SERVICE_NAME: 'filler', NAMESPACE: 'bench', INGRESS_NAME: '' } })));
const probes = await Promise.all(['a', 'b', 'c'].map((pod, i) =>
  startEchoServer({ host: `127.0.61.${i + 1}`, port: 8080, env: { POD_NAME: pod, SERVICE_NAME: 'probe', NAMESPACE: 'bench', INGRESS_NAME: 'probe' } })));
const podAddress: Record<string, string> = { a: '127.0.61.1', b: '127.0.61.2', c: '127.0.61.3' };
const port = [{ name: 'http', port: 8080 }];
const probeSlice = (pod: string) => endpointSlice('bench', 'probe-a', [{ address: podAddress[pod], pod }], port, 'probe-a-slice');
const probeIngress = (svc: string) => ingress('bench', 'probe', [{ host: 'probe.bench.example', paths: [{ service: svc, port: 80 }] }]);

/** The cluster, generated as the API server stores it, so the bench holds no second copy. */
function* cluster(): Generator<object> {
  const { certPem, keyPem } = selfSignedCertificate({ hosts: ['*.bench.example'] });
  yield ingressClass();
  for (let i = 0; i < counts.tls; i++) yield tlsSecret('bench', `tls-${i}`, certPem, keyPem);
  const release = Buffer.alloc(15_000, 'helm release payload ').toString('base64');
  for (let i = 0; i < counts.unrelatedSecrets; i++) {
    yield { apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1', metadata: { name: `sh.helm.release.v1.app-${i}.v1`, namespace: 'bench', labels: { owner: 'helm', name: `app-${i}` } }, data: { release } };
  }
  const settings = 'x'.repeat(2000);
  for (let i = 0; i < counts.configMaps; i++) yield { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `app-config-${i}`, namespace: 'bench' }, data: { settings } };
  const endpoints = fillers.map((_, i) => ({ address: `127.0.60.${i + 1}` }));
  for (let i = 0; i < ingresses; i++) {
    const host = `host-${i}.bench.example`;
    yield service('bench', `svc-${i}`, [{ name: 'http', port: 80, targetPort: 8080 }]);
    yield endpointSlice('bench', `svc-${i}`, endpoints, port);
    yield ingress('bench', `ing-${i}`, [{ host, paths: [{ service: `svc-${i}`, port: 80 }] }], // TLS hosts also answer plain HTTP, so one sweep checks every route.
      i < counts.tls ? { tls: [{ hosts: [host], secretName: `tls-${i}` }], annotations: { 'haproxy.org/ssl-redirect': 'false' } } : {});
  }
  for (const svc of ['probe-a', 'probe-b']) yield service('bench', svc, [{ name: 'http', port: 80, targetPort: 8080 }]);
  yield probeSlice('a');
  yield endpointSlice('bench', 'probe-b', [{ address: podAddress.b, pod: 'b' }], port, 'probe-b-slice');
  yield probeIngress('probe-a');
  // Each probe Service has a route of its own, so both backends exist whichever Service the probe
  // names: the edit moves a path between existing backends. (With probe-a routed by the probe
  // alone, every edit away from it removed its backend and every edit back added it: a reload each.)
  for (const svc of ['probe-a', 'probe-b']) yield ingress('bench', svc, [{ host: `${svc}.bench.example`, paths: [{ service: svc, port: 80 }] }]);
}

const stack = await startBenchStack({ ingresses, fillerAddress: '127.0.60.1', fillerPort: 8080, objects: cluster() });
const readyMs = performance.now() - stack.spawnedAt;
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** The pod that answered for `host` (fresh connection: what a new client sees), or why none did. */
const servedBy = (host: string, keepAlive = false) => probe(stack.address, stack.httpPort, host, keepAlive ? agent : false);

// Every host answered by one of its endpoints; hosts that do not yet are asked again.
let pending = Array.from({ length: ingresses }, (_, i) => `host-${i}.bench.example`);
const sweepDeadline = performance.now() + 120_000;
while (pending.length && performance.now() < sweepDeadline) {
  const failed: string[] = [];
  for (let i = 0; i < pending.length; i += 16) {
    const batch = pending.slice(i, i + 16);
    const answers = await Promise.all(batch.map((h) => servedBy(h, true)));
    answers.forEach((pod, j) => (pod.startsWith('filler-') ? undefined : failed.push(batch[j])));
  }
  pending = failed;
}
if (pending.length) throw new Error(`${pending.length} routes never served, e.g. ${pending[0]}`);
const allServingMs = performance.now() - stack.spawnedAt;

const until = async (pod: string, timeoutMs: number) => {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) if ((await servedBy('probe.bench.example')) === pod) return true;
  return false;
};
if (!(await until('a', 60_000))) throw new Error('the probe route never served');

/** Times `changes` writes, each until the probe host is answered by the pod it names. */
async function measure(write: (i: number) => Promise<string>): Promise<{ samples: number[]; timeouts: number }> {
  const samples: number[] = [];
  let timeouts = 0;
  for (let i = 1; i <= changes; i++) {
    const started = performance.now();
    const pod = await write(i);
    if (await until(pod, 5_000)) samples.push(performance.now() - started);
    else timeouts++;
  }
  return { samples, timeouts };
}

const put = async (path: string, body: object) => {
  const res = await fetch(`${stack.api.url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`PUT ${path} failed: ${res.status}`);
};
const beforeEndpoints = await stack.counters();
// Odd changes move probe-a to pod c, even ones back to a; it ends on a.
const endpointRuns = await measure(async (i) => {
  const pod = i % 2 ? 'c' : 'a';
  await put('/apis/discovery.k8s.io/v1/namespaces/bench/endpointslices/probe-a-slice', probeSlice(pod));
  return pod;
});
const beforeEdits = await stack.counters();
if (changes % 2) await put('/apis/discovery.k8s.io/v1/namespaces/bench/endpointslices/probe-a-slice', probeSlice('a'));
const editRuns = await measure(async (i) => {
  const [svc, pod] = i % 2 ? ['probe-b', 'b'] : ['probe-a', 'a'];
  await put('/apis/networking.k8s.io/v1/namespaces/bench/ingresses/probe', probeIngress(svc));
  return pod;
});
const after = await stack.counters();
const memory = await stack.memory();

const ms = (v: number) => v.toFixed(1);
const s = (v: number) => (v / 1000).toFixed(1);
printTable(
  ['ingresses', 'services', 'endpoints', 'TLS Secrets', 'unrelated Secrets (20 KB)', 'unrelated ConfigMaps', 'start to ready s', 'start to every route serving s', 'controller MiB', 'HAProxy MiB'],
  [[ingresses, ingresses, ingresses * ENDPOINTS_PER_SERVICE, counts.tls, counts.unrelatedSecrets, counts.configMaps, s(readyMs), s(allServingMs), memory.controllerMiB.toFixed(0), memory.haproxyMiB.toFixed(0)]],
);
process.stdout.write('\n');
printTable(
  ['change', 'count', 'p50 ms', 'p99 ms', 'max ms', 'timeouts', 'reloads'],
  [
    ['endpoint change to traffic', changes, ms(percentile(endpointRuns.samples, 50)), ms(percentile(endpointRuns.samples, 99)), ms(Math.max(...endpointRuns.samples)), endpointRuns.timeouts, beforeEdits.reloads - beforeEndpoints.reloads],
    ['Ingress edit between existing backends', changes, ms(percentile(editRuns.samples, 50)), ms(percentile(editRuns.samples, 99)), ms(Math.max(...editRuns.samples)), editRuns.timeouts, after.reloads - beforeEdits.reloads],
  ],
);
process.stdout.write('\n');
printTable(
  ['controller', 'published for', 'figure (as issue 14 quotes it)'],
  [
    ['haproxy-ingress (FAQ)', '5,000 Ingresses', '2 s to parse, 8 s to reload'],
    ['Contour (guide)', '10,000 Services + 10,000 Ingresses', '2.6 GB controller memory'],
    ['ingress-nginx (user reports)', '10,000 sites', '500 MB nginx.conf, 15 min first reload'],
  ],
);
agent.destroy();
await stack.close();
await Promise.all([...fillers, ...probes].map((p) => p.close()));
