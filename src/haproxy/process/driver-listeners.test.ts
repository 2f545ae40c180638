/**
 * Listeners beyond the default pair through the real HAProxy: two listeners on one port of two
 * loopback addresses, each routing the same host elsewhere; a route moved between them and a
 * certificate added to an HTTPS listener at runtime, with the master CLI counting no reload.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Draft, Model } from '../../model/types.js';
import { makeCertificatePem } from '../../../test/support/certs.js';
import { createHarness, type Harness } from '../../../test/support/haproxy/harness.js';
import { backend, certificate, deepFreeze, globalSettings, listener, model, route, server } from '../../../test/support/haproxy/model.js';
import { freePort, send } from '../../../test/support/net.js';
import { startEchoBackend, type EchoBackend } from '../../../test/support/echo-server.js';

const ONE = '127.0.77.2';
const TWO = '127.0.77.3';
let h: Harness;
let echoes: EchoBackend[];
let port: number;
let tlsPort: number;
let pems: { a: string; b: string; fallback: string; gateway: string };

function build(patch: (m: Draft<Model>) => void = () => undefined): Model {
  const m = model({
    global: globalSettings({ httpPort: h.httpPort, httpsPort: h.httpsPort }),
    backends: ['one', 'two', 'three', 'four', 'five'].map((name, i) => backend(`t_${name}_80`, [server(echoes[i].host, echoes[i].port)])),
    routes: [
      route('a.test', '/', 'prefix', 't_one_80'),
      route('a.test', '/', 'prefix', 't_two_80', { listeners: ['l1'] }),
      route('a.test', '/', 'prefix', 't_three_80', { listeners: ['l2'] }),
      route('a.test', '/', 'prefix', 't_four_80', { listeners: ['tls'] }),
      route('b.test', '/', 'prefix', 't_five_80', { listeners: ['l1'] }),
      route('r.test', '/', 'prefix', 't_five_80', { listeners: ['l2'], httpsRedirect: { code: 301, port: tlsPort } }),
    ],
    defaultBackend: 't_one_80',
    certificates: [certificate('c_a', pems.a, ['a.test']), certificate('c_b', pems.b, ['b.test']), certificate('c_gw', pems.gateway, [])],
    defaultCertificate: certificate('fallback', pems.fallback, []),
  });
  m.listeners = [
    listener('l1', ONE, port, 'http'),
    listener('l2', TWO, port, 'http'),
    listener('tls', ONE, tlsPort, 'https', { certificates: ['c_a'], defaultCertificate: 'c_gw' }),
  ];
  patch(m);
  return deepFreeze(m);
}

before(async () => {
  h = await createHarness();
  echoes = await Promise.all(['one', 'two', 'three', 'four', 'five'].map((name) => startEchoBackend(name, '127.0.0.2')));
  port = await freePort(ONE);
  tlsPort = await freePort(ONE);
  pems = {
    a: makeCertificatePem('a.test'), b: makeCertificatePem('b.test'), fallback: makeCertificatePem('default.test'), gateway: makeCertificatePem('gateway.test'),
  };
  const result = await h.driver.start(build());
  assert.equal(result.error, undefined, JSON.stringify(result.error));
});

after(async () => {
  await h.close();
  await Promise.all(echoes.map((e) => e.close()));
});

async function answer(address: string, host: string, p = port): Promise<string> {
  const reply = await send({ address, port: p, host });
  return reply.status === 200 ? reply.body : String(reply.status);
}

async function cn(address: string, p: number, servername: string): Promise<string> {
  return (await send({ address, port: p, host: servername, https: true, servername })).certificateCN ?? '';
}

async function applyAtRuntime(m: Model) {
  const result = await h.driver.apply(m);
  assert.equal(result.error, undefined, JSON.stringify(result.error));
  assert.equal(result.action, 'runtime', JSON.stringify(result));
  assert.equal((await h.proc()).reloads, 0);
}

describe('listeners through the real HAProxy', () => {
  test('one host on two addresses of one port goes to each listener\'s own backend', async () => {
    assert.equal(await answer(ONE, 'a.test'), 'two');
    assert.equal(await answer(TWO, 'a.test'), 'three');
    assert.equal(await answer('127.0.0.1', 'a.test', h.httpPort), 'one');
    assert.equal(await answer(ONE, 'A.Test:80'), 'two');
  });

  test('a listener serves only its own routes, and has no default backend', async () => {
    assert.equal(await answer(TWO, 'b.test'), '404');
    assert.equal(await answer(ONE, 'nothing.test'), '404');
    // The default pair's default backend, even for a Host naming a listener's keys.
    assert.equal(await answer('127.0.0.1', 'b.test', h.httpPort), 'one');
    assert.equal(await answer('127.0.0.1', 'l1#b.test', h.httpPort), 'one');
  });

  test('an HTTP listener redirects to the port the route names', async () => {
    const reply = await send({ address: TWO, port, host: 'r.test', path: '/x?y=1' });
    assert.equal(reply.status, 301);
    assert.equal(reply.headers.location, `https://r.test:${tlsPort}/x?y=1`);
  });

  test('an HTTPS listener offers only its own certificates by SNI, its default otherwise', async () => {
    assert.equal(await cn(ONE, tlsPort, 'a.test'), 'a.test');
    assert.equal(await cn(ONE, tlsPort, 'b.test'), 'gateway.test');
    assert.equal((await send({ address: ONE, port: tlsPort, host: 'a.test', https: true, servername: 'a.test' })).body, 'four');
    // The default pair still offers every certificate.
    assert.equal(await cn('127.0.0.1', h.httpsPort, 'b.test'), 'b.test');
  });

  test('a route moved to the other listener and a certificate joining a listener need no reload', async () => {
    const moved = build((m) => {
      m.routes.find((r) => r.host === 'b.test')!.listeners = ['l2'];
      m.listeners![2].certificates = ['c_a', 'c_b'];
    });
    await applyAtRuntime(moved);
    assert.equal(await answer(TWO, 'b.test'), 'five');
    assert.equal(await answer(ONE, 'b.test'), '404');
    assert.equal(await cn(ONE, tlsPort, 'b.test'), 'b.test');
    // And back: the keys and the crt-list line go again.
    await applyAtRuntime(build());
    assert.equal(await answer(ONE, 'b.test'), 'five');
    assert.equal(await answer(TWO, 'b.test'), '404');
    assert.equal(await cn(ONE, tlsPort, 'b.test'), 'gateway.test');
  });

  test('a listener on another address is a reload, after which it answers there', async () => {
    const result = await h.driver.apply(build((m) => { m.listeners![1].address = '127.0.77.4'; }));
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    assert.equal(result.action, 'reload');
    assert.deepEqual(result.reasons, ['listener l2 address changed']);
    assert.equal(await answer('127.0.77.4', 'a.test'), 'three');
  });
});
