import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Draft, Model } from '../../model/types.js';
import { makeCertificatePem } from '../../../test/support/certs.js';
import { createHarness, type Harness } from '../../../test/support/haproxy/harness.js';
import { backend, certificate, deepFreeze, globalSettings, model, route, server } from '../../../test/support/haproxy/model.js';
import { get } from '../../../test/support/net.js';
import { startEchoBackend, type EchoBackend } from '../../../test/support/echo-server.js';

const SERVER_HEADER = `pcl %[src] 'q' "dq" #h \\ $HOME`;
let h: Harness;
let echoes: EchoBackend[];
let certs: { site: string; wild: string; fallback: string };

function routingModel(patch: (m: Draft<Model>) => void = () => undefined): Model {
  const [one, two, three, four, five] = echoes;
  const m = model({
    global: globalSettings({ httpPort: h.httpPort, httpsPort: h.httpsPort, serverHeader: SERVER_HEADER }),
    backends: [
      backend('t_one_80', [server(one.host, one.port)]),
      backend('t_two_80', [server(two.host, two.port)]),
      backend('t_three_80', [server(three.host, three.port)]),
      backend('t_four_80', [server(four.host, four.port)]),
      backend('t_five_80', [server(five.host, five.port)]),
      backend('t_empty_80', []),
    ],
    routes: [
      route('a.test', '/', 'prefix', 't_one_80'),
      route('a.test', '/aaa', 'prefix', 't_two_80'),
      route('a.test', '/aaa', 'exact', 't_three_80'),
      route('a.test', '/empty', 'prefix', 't_empty_80'),
      route('*.wild.test', '/', 'prefix', 't_four_80'),
      route('', '/any', 'prefix', 't_five_80'),
      route('r.test', '/', 'prefix', 't_one_80', { httpsRedirect: { code: 308, port: 443 } }),
      route('r2.test', '/x', 'exact', 't_two_80', { httpsRedirect: { code: 302, port: h.httpsPort } }),
    ],
    certificates: [certificate('t_site', certs.site, ['a.test', 'r.test']), certificate('t_wild', certs.wild, ['*.wild.test'])],
    defaultCertificate: certificate('t_fallback', certs.fallback, []),
  });
  patch(m);
  return deepFreeze(m);
}

before(async () => {
  h = await createHarness();
  echoes = await Promise.all(['one', 'two', 'three', 'four', 'five'].map((name, i) => startEchoBackend(name, `127.0.0.${i + 2}`)));
  certs = { site: makeCertificatePem('a.test', ['a.test', 'r.test']), wild: makeCertificatePem('*.wild.test'), fallback: makeCertificatePem('default.test') };
  const result = await h.driver.start(routingModel());
  assert.equal(result.error, undefined, JSON.stringify(result.error));
});

after(async () => {
  await h.close();
  await Promise.all(echoes.map((e) => e.close()));
});

async function answer(host: string | undefined, path: string): Promise<string> {
  const reply = await get(h.httpPort, { host, path });
  return reply.status === 200 ? reply.body : String(reply.status);
}

async function expectRoutes(table: [string, string, string][]) {
  for (const [host, path, expected] of table) assert.equal(await answer(host, path), expected, `${host}${path}`);
}

describe('routing through the real HAProxy', () => {
  test('an Exact route beats a Prefix route of the same path, and the longest prefix wins element-wise', async () => {
    await expectRoutes([
      ['a.test', '/', 'one'], ['a.test', '/zzz', 'one'], ['a.test', '/aaa', 'three'], ['a.test', '/aaa?x=1', 'three'],
      ['a.test', '/aaa/', 'two'], ['a.test', '/aaa/bbb', 'two'], ['a.test', '/aaaccc', 'one'],
    ]);
  });

  test('a wildcard host covers exactly one label', async () => {
    await expectRoutes([['x.wild.test', '/', 'four'], ['y.x.wild.test', '/', '404'], ['wild.test', '/', '404']]);
  });

  test('any-host routes match every host, after the host-specific routes', async () => {
    await expectRoutes([['nohost.test', '/any/x', 'five'], ['10.1.2.3', '/any', 'five'], ['a.test', '/any', 'one']]);
  });

  test('the Host header is matched without port, case or trailing dot', async () => {
    await expectRoutes([[`A.TEST:${h.httpPort}`, '/aaa', 'three'], ['a.test.', '/aaa', 'three'], ['X.Wild.Test.:80', '/', 'four']]);
  });

  test('a host that cannot be a DNS name never reaches another host\'s routes', async () => {
    await expectRoutes([['a.test/aaa', '/x', '404'], ['*.wild.test', '/', '404'], ['a.test/aaa', '/any', 'five']]);
  });

  test('HAProxy answers 404 for unmatched requests and 503 for a backend without servers, with the Server header', async () => {
    const notFound = await get(h.httpPort, { host: 'nothing.test', path: '/' });
    assert.equal(notFound.status, 404);
    assert.equal(notFound.headers.server, SERVER_HEADER);
    const empty = await get(h.httpPort, { host: 'a.test', path: '/empty' });
    assert.equal(empty.status, 503);
    assert.equal(empty.headers.server, SERVER_HEADER);
  });

  test('a backend\'s own Server header is kept', async () => {
    const reply = await get(h.httpPort, { host: 'a.test', headers: { 'x-send-server': 'echo/1.0' } });
    assert.equal(reply.headers.server, 'echo/1.0');
    assert.equal((await get(h.httpPort, { host: 'a.test' })).headers.server, SERVER_HEADER);
  });

  test('requests pass through unchanged, with X-Forwarded-For and X-Forwarded-Proto added', async () => {
    const path = '/Some/Path;p=1?q=a%20b&r=%2F';
    const reply = await get(h.httpPort, { host: `a.test:${h.httpPort}`, path, headers: { 'x-forwarded-proto': 'forged' } });
    assert.equal(reply.headers['x-seen-host'], `a.test:${h.httpPort}`);
    assert.equal(reply.headers['x-seen-url'], path);
    assert.equal(reply.headers['x-seen-proto'], 'http');
    assert.equal(reply.headers['x-seen-for'], '127.0.0.1');
    const secure = await get(h.httpsPort, { host: 'a.test', servername: 'a.test' });
    assert.equal(secure.headers['x-seen-proto'], 'https');
  });

  test('responses keep their Content-Length instead of being chunked', async () => {
    const reply = await get(h.httpPort, { host: 'a.test' });
    assert.equal(reply.headers['content-length'], '3');
    assert.equal(reply.headers['transfer-encoding'], undefined);
  });

  test('HTTPS: SNI picks the certificate, and unknown names get the default one', async () => {
    const site = await get(h.httpsPort, { host: 'a.test', servername: 'a.test', path: '/aaa' });
    assert.deepEqual([site.certificateCN, site.body], ['a.test', 'three']);
    const wild = await get(h.httpsPort, { host: 'x.wild.test', servername: 'x.wild.test' });
    assert.deepEqual([wild.certificateCN, wild.body], ['*.wild.test', 'four']);
    const other = await get(h.httpsPort, { host: 'other.test', servername: 'other.test' });
    assert.deepEqual([other.certificateCN, other.status], ['default.test', 404]);
  });

  test('plain-HTTP requests on redirect routes go to HTTPS with the route\'s code and port', async () => {
    const permanent = await get(h.httpPort, { host: 'r.test', path: '/p?q=1' });
    assert.equal(permanent.status, 308);
    assert.equal(permanent.headers.location, 'https://r.test/p?q=1');
    const found = await get(h.httpPort, { host: `r2.test:${h.httpPort}`, path: '/x?q=1' });
    assert.equal(found.status, 302);
    assert.equal(found.headers.location, `https://r2.test:${h.httpsPort}/x?q=1`);
    const secure = await get(h.httpsPort, { host: 'r.test', servername: 'r.test', path: '/p' });
    assert.deepEqual([secure.status, secure.body], [200, 'one']);
  });

  test('a default backend set later catches unmatched requests, through the Runtime API', async () => {
    assert.equal(await answer('nothing.test', '/'), '404');
    const result = await h.driver.apply(routingModel((m) => { m.defaultBackend = 't_five_80'; }));
    assert.deepEqual([result.action, result.error], ['runtime', undefined]);
    assert.equal(await answer('nothing.test', '/'), 'five');
    assert.equal(h.driver.counters.reloads, 0);
    assert.equal((await h.proc()).reloads, 0);
  });
});
