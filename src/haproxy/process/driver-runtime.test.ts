import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Model, Server } from '../../model/types.js';
import { RuntimeBatchError, RuntimeClient } from '../runtime/client.js';
import { addMap, delMap, query, setServerState } from '../runtime/commands.js';
import { makeCertificatePem } from '../../../test/support/certs.js';
import { createHarness, type Harness } from '../../../test/support/haproxy/harness.js';
import { backend, certificate, globalSettings, model, route, server } from '../../../test/support/haproxy/model.js';
import { get } from '../../../test/support/net.js';
import { startEchoBackend, type EchoBackend } from '../../../test/support/echo-server.js';

let h: Harness;
let web: EchoBackend[];
let api: EchoBackend;
let pems: { v1: string; v2: string; extra: string; fallback: string };

/** The model as the test goes: each test changes `state` and applies it. */
const state = {
  web: [] as Server[],
  bRoute: 't_api_80',
  extraRoutes: [] as { path: string }[],
  sitePem: '',
  extraCert: false,
  newBackend: false,
};

function currentModel(): Model {
  return model({
    global: globalSettings({ httpPort: h.httpPort, httpsPort: h.httpsPort }),
    backends: [
      backend('t_web_80', state.web),
      backend('t_api_80', [server(api.host, api.port)]),
      ...(state.newBackend ? [backend('t_new_80', [])] : []),
    ],
    routes: [
      route('a.test', '/', 'prefix', 't_web_80'),
      route('b.test', '/', 'prefix', state.bRoute),
      ...state.extraRoutes.map((r) => route('c.test', r.path, 'exact', 't_api_80')),
    ],
    certificates: [
      certificate('t_site', state.sitePem, ['a.test']),
      ...(state.extraCert ? [certificate('t_extra', pems.extra, ['c.test'])] : []),
    ],
    defaultCertificate: certificate('t_fallback', pems.fallback, []),
  });
}

function endpoint(index: number, serverState: Server['state'] = 'ready'): Server {
  return server(web[index].host, web[index].port, serverState);
}

async function applyExpecting(action: 'runtime' | 'reload') {
  const result = await h.driver.apply(currentModel());
  assert.equal(result.error, undefined, JSON.stringify(result.error));
  assert.equal(result.action, action, JSON.stringify(result));
  return result;
}

/** Names of the backends that answered `count` requests for `host`. */
async function answers(host: string, count: number): Promise<Set<string>> {
  const names = new Set<string>();
  for (let i = 0; i < count; i++) names.add((await get(h.httpPort, { host })).body);
  return names;
}

async function assertNoReload() {
  assert.equal(h.driver.counters.reloads, 0);
  assert.equal((await h.proc()).reloads, 0);
}

before(async () => {
  h = await createHarness();
  web = await Promise.all(['w0', 'w1', 'w2', 'w3', 'w4', 'w5'].map((name) => startEchoBackend(name, '127.0.0.2')));
  api = await startEchoBackend('api', '127.0.0.3');
  pems = {
    v1: makeCertificatePem('site-v1.test', ['a.test']), v2: makeCertificatePem('site-v2.test', ['a.test']),
    extra: makeCertificatePem('c.test'), fallback: makeCertificatePem('default.test'),
  };
  state.web = [endpoint(0)];
  state.sitePem = pems.v1;
  const result = await h.driver.start(currentModel());
  assert.equal(result.error, undefined, JSON.stringify(result.error));
});

after(async () => {
  await h.close();
  await Promise.all([...web, api].map((e) => e.close()));
});

describe('runtime changes on the real HAProxy', () => {
  test('an endpoint added gets traffic without a reload', async () => {
    state.web = [endpoint(0), endpoint(1)];
    await applyExpecting('runtime');
    assert.deepEqual(await answers('a.test', 6), new Set(['w0', 'w1']));
    await assertNoReload();
  });

  test('a draining endpoint takes no new requests', async () => {
    state.web = [endpoint(0, 'drain'), endpoint(1)];
    await applyExpecting('runtime');
    assert.deepEqual(await answers('a.test', 6), new Set(['w1']));
  });

  test('a removed endpoint takes no new requests', async () => {
    state.web = [endpoint(1)];
    await applyExpecting('runtime');
    assert.deepEqual(await answers('a.test', 4), new Set(['w1']));
  });

  test('growing past the free slots adds servers at runtime', async () => {
    state.web = [1, 2, 3, 4, 5].map((i) => endpoint(i));
    const result = await applyExpecting('runtime');
    assert.ok(result.commands >= 8, `commands: ${result.commands}`);
    assert.deepEqual(await answers('a.test', 10), new Set(['w1', 'w2', 'w3', 'w4', 'w5']));
    await assertNoReload();
  });

  test('a route re-pointed to another backend, and a new route, change through maps', async () => {
    assert.equal((await get(h.httpPort, { host: 'b.test' })).body, 'api');
    state.bRoute = 't_web_80';
    state.extraRoutes = [{ path: '/semi;colon' }];
    await applyExpecting('runtime');
    assert.match((await get(h.httpPort, { host: 'b.test' })).body, /^w\d$/);
    assert.equal((await get(h.httpPort, { host: 'c.test', path: '/semi;colon' })).body, 'api');
    await assertNoReload();
    // The files follow the runtime state, so a later reload or restart sees the same routes.
    const exact = await readFile(join(h.stateDir, 'maps/exact.map'), 'utf8');
    assert.match(exact, /^b\.test\/ t_web_80$/m);
    assert.match(exact, /^c\.test\/semi;colon t_api_80$/m);
  });

  test('certificates are rotated, added and removed at runtime', async () => {
    const cn = async (name: string) => (await get(h.httpsPort, { host: name, servername: name })).certificateCN;
    assert.equal(await cn('a.test'), 'site-v1.test');
    state.sitePem = pems.v2;
    state.extraCert = true;
    await applyExpecting('runtime');
    assert.deepEqual([await cn('a.test'), await cn('c.test')], ['site-v2.test', 'c.test']);
    state.extraCert = false;
    await applyExpecting('runtime');
    assert.equal(await cn('c.test'), 'default.test');
    await assertNoReload();
    assert.deepEqual(await readdir(join(h.stateDir, 'certs')), ['crt-list.txt', 'default.pem', 't_site.pem']);
    assert.equal((await stat(join(h.stateDir, 'certs/t_site.pem'))).mode & 0o777, 0o600);
    assert.equal(await readFile(join(h.stateDir, 'certs/t_site.pem'), 'utf8'), pems.v2);
    const { runtimeCommands } = h.driver.counters;
    assert.ok(runtimeCommands.server > 0 && runtimeCommands.map > 0 && runtimeCommands.certificate > 0, JSON.stringify(runtimeCommands));
  });

  test('the Runtime API client runs a batch over one connection and stops at the first failure', async () => {
    const client = new RuntimeClient(join(h.stateDir, 'run/admin.sock'));
    const answers = await client.run([query('show', 'info'), addMap('maps/exact.map', 'batch.test/', 't_api_80'), query('show', 'map', 'maps/exact.map')]);
    assert.match(answers[0], /^Name: HAProxy$/m);
    assert.equal(answers[1], '');
    assert.match(answers[2], / batch\.test\/ t_api_80$/m);
    const failing = client.run([delMap('maps/exact.map', 'batch.test/'), setServerState('t_nope_80', 's1', 'ready'), addMap('maps/exact.map', 'never.test/', 't_api_80')]);
    await assert.rejects(failing, (err: unknown) => err instanceof RuntimeBatchError && err.code === 'PCL_ERR_RUNTIME_API' && err.completed === 1 && /t_nope_80\/s1/.test(err.message));
    const [map] = await client.run([query('show', 'map', 'maps/exact.map')]);
    assert.doesNotMatch(map, /batch\.test|never\.test/, 'the command before the failure ran, the one after it did not');
  });

  test('a failing runtime command falls back to a reload that applies the change', async () => {
    // Remove the entry behind HAProxy's back so that the planned `set map` fails.
    await new RuntimeClient(join(h.stateDir, 'run/admin.sock')).run([delMap('maps/exact.map', 'b.test/')]);
    state.bRoute = 't_api_80';
    const result = await applyExpecting('reload');
    assert.match(result.reasons[0], /runtime API failed/);
    assert.equal((await get(h.httpPort, { host: 'b.test' })).body, 'api');
    assert.equal(h.driver.counters.reloads, 1);
  });

  test('a structural change reloads seamlessly and keeps drain states and runtime-added servers', async () => {
    state.web = [endpoint(1), endpoint(2, 'drain'), endpoint(3), endpoint(4), endpoint(5)];
    await applyExpecting('runtime');
    const before = (await h.proc()).reloads;
    state.newBackend = true;
    const during = (async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await get(h.httpPort, { host: 'a.test' })).status);
      return statuses;
    })();
    const result = await applyExpecting('reload');
    assert.deepEqual(result.reasons, ['backend t_new_80 added']);
    assert.ok((await during).every((s) => s === 200), 'no request failed during the reload');
    assert.equal((await h.proc()).reloads, before + 1);
    assert.deepEqual(await answers('a.test', 8), new Set(['w1', 'w3', 'w4', 'w5']));
  });
});
