/**
 * Reloads: forced HAProxy reloads under continuous load from clients that never retry (half on
 * keep-alive connections, half on a fresh connection per request, GET and POST alternating).
 * Reports failed requests (target: 0) and how long old workers lingered.
 *
 *   node dist/bench/reloads.js [--reloads 200] [--interval 100] [--concurrency 8] [--https]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startEchoServer } from '../test/support/echo-server.js';
import { makeCertificatePem } from '../test/support/certs.js';
import { createHarness } from '../test/support/haproxy/harness.js';
import { backend, certificate, globalSettings, model, route, server } from '../test/support/haproxy/model.js';
import { startLoad } from '../test/support/load.js';
import { printTable } from './setup.js';

const { values } = parseArgs({
  options: {
    reloads: { type: 'string', default: '200' },
    interval: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '8' },
    https: { type: 'boolean', default: false },
  },
});
const reloads = Number(values.reloads);
const echoes = await Promise.all([1, 2].map((i) => startEchoServer({ host: '127.0.0.7', port: 0, env: { SERVICE_NAME: 'app', POD_NAME: `app-${i}` } })));
// The production default (30 min) bounds old workers; none should need it.
const h = await createHarness({ hardStopAfterMs: 1_800_000 });
const fallback = certificate('t_fallback', makeCertificatePem('default.test'), []);
/** With or without one extra backend: each switch is a reload. */
const build = (extra: boolean) => model({
  global: globalSettings({ httpPort: h.httpPort, httpsPort: h.httpsPort }),
  backends: [
    backend('t_app_80', echoes.map((e) => server(e.host, e.port))),
    ...(extra ? [backend('t_extra_80', [server(echoes[0].host, echoes[0].port)])] : []),
  ],
  routes: [route('app.test', '/', 'prefix', 't_app_80'), ...(extra ? [route('extra.test', '/', 'prefix', 't_extra_80')] : [])],
  defaultCertificate: fallback,
});
const started = await h.driver.start(build(false));
if (started.error) throw new Error(started.error.message);

const load = startLoad({
  address: '127.0.0.1', port: values.https ? h.httpsPort : h.httpPort, host: 'app.test', https: values.https,
  concurrency: Number(values.concurrency), maxDurationMs: 3_600_000, maxRequests: Number.MAX_SAFE_INTEGER,
});
let failedReloads = 0;
let maxOldWorkers = 0;
const t0 = Date.now();
for (let i = 1; i <= reloads; i++) {
  if ((await h.driver.apply(build(i % 2 === 1))).error) failedReloads++;
  await sleep(Number(values.interval));
  maxOldWorkers = Math.max(maxOldWorkers, (await h.proc()).oldWorkers.length);
}
// How long after the last reload, with the load still running, until no old worker is left.
const tLast = Date.now();
while ((await h.proc()).oldWorkers.length > 0 && Date.now() - tLast < 60_000) await sleep(25);
const drainMs = Date.now() - tLast;
const seconds = (Date.now() - t0) / 1000;
const r = await load.stop();
const kinds = ['keep-alive GET', 'keep-alive POST', 'fresh GET', 'fresh POST'];
printTable(
  ['scheme', 'reloads', 'seconds', 'requests', ...kinds, 'failed', 'failed on a reused connection', 'retried', 'most old workers at once', 'last old worker gone after ms'],
  [[values.https ? 'https' : 'http', reloads - failedReloads, seconds.toFixed(0), r.sent, ...kinds.map((k) => r.sentBy[k] ?? 0), r.failed, r.failedOnReused, r.retried, maxOldWorkers, drainMs]],
);
if (r.failed > 0) process.stdout.write(`failures: ${JSON.stringify(r.failures)}\n`);
await h.close();
await Promise.all(echoes.map((e) => e.close()));
