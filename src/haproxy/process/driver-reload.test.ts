import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Model } from '../../model/types.js';
import { startEchoServer, type EchoServer } from '../../../test/support/echo-server.js';
import { makeCertificatePem } from '../../../test/support/certs.js';
import { createHarness, type Harness } from '../../../test/support/haproxy/harness.js';
import { eventually } from '../../../test/support/eventually.js';
import { backend, certificate, globalSettings, model, route, server } from '../../../test/support/haproxy/model.js';
import { describeLoad, startLoad } from '../../../test/support/load.js';

/** Forced reloads in a row; the issue's own bar is at least 20. */
const RELOADS = Number(process.env.PCL_RELOADS ?? 20);

let fallbackPem: string;
let echoes: EchoServer[];

before(async () => {
  fallbackPem = makeCertificatePem('default.test');
  echoes = await Promise.all([1, 2].map((i) => startEchoServer({ host: `127.0.0.7`, port: 0, env: { SERVICE_NAME: 'app', POD_NAME: `app-${i}` } })));
});

after(async () => {
  await Promise.all(echoes.map((e) => e.close()));
});

/** The app route, plus `extra` backends: adding or removing a backend is a reload. */
function reloadModel(h: Harness, extra: number): Model {
  const extras = Array.from({ length: extra }, (_, i) => ({ name: `t_extra${i}_80`, host: `extra${i}.test` }));
  return model({
    global: globalSettings({ httpPort: h.httpPort, httpsPort: h.httpsPort }),
    backends: [
      backend('t_app_80', echoes.map((e) => server(e.host, e.port))),
      ...extras.map(({ name }) => backend(name, [server(echoes[0].host, echoes[0].port)])),
    ],
    routes: [route('app.test', '/', 'prefix', 't_app_80'), ...extras.map(({ name, host }) => route(host, '/', 'prefix', name))],
    defaultCertificate: certificate('t_fallback', fallbackPem, []),
  });
}

describe('reloads under load', () => {
  let h: Harness;
  let extra = 0;
  /** Adds or removes the extra backend: a reload every time. */
  const forceReload = () => h.driver.apply(reloadModel(h, (extra = 1 - extra)));
  before(async () => {
    // Long enough that no old worker is killed while the test runs: they must leave on their own.
    h = await createHarness({ hardStopAfterMs: 60_000 });
    const started = await h.driver.start(reloadModel(h, 0));
    assert.equal(started.error, undefined);
  });
  after(async () => {
    await h.close();
  });

  test('a keep-alive connection idle through a reload stays open and gets its next answer, with Connection: close', async () => {
    const socket = connect(h.httpPort, '127.0.0.1');
    await once(socket, 'connect');
    try {
      const first = await exchange(socket);
      assert.match(first, /^HTTP\/1\.1 200/);
      assert.doesNotMatch(first, /^connection: close/im);
      const result = await forceReload();
      assert.equal(result.action, 'reload');
      // The old worker is in soft stop now; it must not close the connection under the client.
      await sleep(300);
      assert.ok(!socket.readableEnded && !socket.destroyed, 'the idle connection is still open');
      const second = await exchange(socket);
      assert.match(second, /^HTTP\/1\.1 200/);
      assert.match(second, /^connection: close/im, 'the old worker says it will close');
    } finally {
      socket.destroy();
    }
  });

  for (const scheme of ['http', 'https'] as const) {
    test(`${RELOADS} forced reloads under ${scheme} load fail no request of a client that never retries`, async () => {
      const reloadsBefore = h.driver.counters.reloads;
      // Half the loops on keep-alive connections, half on a fresh connection per request; GET and POST.
      const load = startLoad({
        address: '127.0.0.1', port: scheme === 'https' ? h.httpsPort : h.httpPort, host: 'app.test', https: scheme === 'https', concurrency: 8,
        maxDurationMs: 120_000,
      });
      try {
        await sleep(200);
        for (let i = 1; i <= RELOADS; i++) {
          const result = await forceReload();
          assert.deepEqual([result.action, result.error], ['reload', undefined], `reload ${i}`);
          // Let requests run on the new worker (and idle keep-alive connections sit on the old one).
          await sleep(100);
        }
        // Still under load: old workers hand their keep-alive clients over (`Connection: close` on
        // the next response) and leave; none waits for hard-stop-after or for the clients to stop.
        await eventually(async () => (await h.proc()).oldWorkers.length === 0, { timeoutMs: 10_000, what: 'old workers gone under load' });
      } finally {
        await load.stop();
      }
      const r = load.result();
      process.stdout.write(`# ${RELOADS} reloads, ${scheme}: ${describeLoad(r)}\n`);
      assert.equal(h.driver.counters.reloads - reloadsBefore, RELOADS);
      for (const kind of ['keep-alive GET', 'keep-alive POST', 'fresh GET', 'fresh POST']) {
        assert.ok((r.sentBy[kind] ?? 0) > RELOADS, `${kind} requests ran throughout (${r.sentBy[kind] ?? 0})`);
      }
      assert.equal(r.failed, 0, `failed requests: ${JSON.stringify({ failures: r.failures, statuses: r.statuses })}`);
      assert.equal(r.retried, 0);
    });
  }
});

/** Sends one GET on `socket` and resolves with the response head and body (one read is enough on loopback). */
async function exchange(socket: Socket): Promise<string> {
  const data = once(socket, 'data');
  socket.write('GET / HTTP/1.1\r\nHost: app.test\r\n\r\n');
  const [chunk] = (await data) as [Buffer];
  return chunk.toString('latin1');
}
