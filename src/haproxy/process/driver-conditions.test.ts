/**
 * Routing beyond host and path, weight splits, redirects and rewrites, through the real HAProxy:
 * requests with headers, query parameters and methods reach the backend the precedence names, a
 * weight split divides traffic by weight (and changes at runtime), and the echo backends see what
 * the rewrites made of each request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Draft, Model } from '../../model/types.js';
import { makeCertificatePem } from '../../../test/support/certs.js';
import { createHarness, type Harness } from '../../../test/support/haproxy/harness.js';
import { backend, certificate, deepFreeze, globalSettings, model, route, server } from '../../../test/support/haproxy/model.js';
import { startEchoBackend, type EchoBackend } from '../../../test/support/echo-server.js';
import { get, type GetOptions as RequestOptions } from '../../../test/support/net.js';

let h: Harness;
let echoes: EchoBackend[];
let pem: string;

function gatewayModel(patch: (m: Draft<Model>) => void = () => undefined): Model {
  const [one, two, three, four, five] = echoes;
  const split = backend('t_split_80', [{ ...server(four.host, four.port), weight: 3 }, { ...server(five.host, five.port), weight: 1 }]);
  const rewrite = backend('t_rewrite_80', [server(one.host, one.port)]);
  rewrite.policy = {
    pathRewrites: [{ kind: 'prefix', prefix: '/strip', replacement: '/' }],
    setHost: 'one.example.org',
    addRequestHeaders: [{ name: 'X-Added', value: 'v%1' }],
    removeRequestHeaders: ['x-remove-me'],
    addResponseHeaders: [{ name: 'X-Resp', value: 'r' }],
    removeResponseHeaders: ['x-seen-for'],
  };
  const redirectPrefix = backend('t_redir_80', []);
  redirectPrefix.policy = { redirect: { path: { kind: 'prefix', prefix: '/old', replacement: '/new' }, code: 301 } };
  const redirectFull = backend('t_redirfull_80', []);
  redirectFull.policy = { redirect: { scheme: 'https', host: 'example.org', port: 8443, path: { kind: 'set', path: '/full' }, code: 307 } };
  const m = model({
    global: globalSettings({ httpPort: h.httpPort, httpsPort: h.httpsPort }),
    backends: [
      backend('t_one_80', [server(one.host, one.port)]),
      backend('t_two_80', [server(two.host, two.port)]),
      backend('t_three_80', [server(three.host, three.port)]),
      split, rewrite, redirectPrefix, redirectFull,
    ],
    routes: [
      route('a.test', '/', 'prefix', 't_one_80'),
      route('a.test', '/', 'prefix', 't_two_80', { conditions: { headers: [{ name: 'version', match: 'exact', value: 'two' }] } }),
      route('a.test', '/', 'prefix', 't_three_80', { conditions: { method: 'POST' } }),
      route('a.test', '/q', 'prefix', 't_two_80', { conditions: { query: [{ name: 'animal', match: 'exact', value: 'whale' }] } }),
      route('a.test', '/r[0-9]+', 'regex', 't_three_80'),
      route('a.test', '/hdr', 'exact', 't_two_80', { conditions: { headers: [{ name: 'x-id', match: 'regex', value: '^[0-9]+$' }] } }),
      route('b.test', '/only', 'prefix', 't_two_80', { conditions: { headers: [{ name: 'k', match: 'exact', value: 'v, w' }] } }),
      route('split.test', '/', 'prefix', 't_split_80'),
      route('rw.test', '/', 'prefix', 't_rewrite_80'),
      route('redir.test', '/', 'prefix', 't_redir_80'),
      route('redir.test', '/full', 'prefix', 't_redirfull_80'),
    ],
    defaultCertificate: certificate('t_fallback', pem, []),
  });
  patch(m);
  return deepFreeze(m);
}

before(async () => {
  h = await createHarness();
  echoes = await Promise.all(['one', 'two', 'three', 'four', 'five'].map((name, i) => startEchoBackend(name, `127.0.0.${i + 2}`)));
  pem = makeCertificatePem('default.test');
  const result = await h.driver.start(gatewayModel());
  assert.equal(result.error, undefined, JSON.stringify(result.error));
});

after(async () => {
  await h.close();
  await Promise.all(echoes.map((e) => e.close()));
});

async function answer(path: string, options: RequestOptions): Promise<string> {
  const reply = await get(h.httpPort, { path, ...options });
  return reply.status === 200 ? reply.body : String(reply.status);
}

async function expectRoutes(table: [string, RequestOptions, string][]) {
  for (const [path, options, expected] of table) assert.equal(await answer(path, options), expected, `${JSON.stringify(options)} ${path}`);
}

describe('conditional routes, weights and filters through the real HAProxy', () => {
  test('headers, query parameters and methods pick the route in Gateway API precedence', async () => {
    await expectRoutes([
      ['/', { host: 'a.test' }, 'one'],
      ['/x', { host: 'a.test', headers: { version: 'two' } }, 'two'],
      ['/x', { host: 'a.test', headers: { version: 'Two' } }, 'one'],
      ['/', { host: 'a.test', method: 'POST' }, 'three'],
      // A method match outranks a header match.
      ['/', { host: 'a.test', method: 'POST', headers: { version: 'two' } }, 'three'],
      // The normalising path (a Host with a port) reaches the same groups.
      ['/', { host: 'A.test:80', headers: { version: 'two' } }, 'two'],
      ['/q?animal=whale', { host: 'a.test' }, 'two'],
      ['/q/deeper?x=1&animal=whale', { host: 'a.test' }, 'two'],
      // Falling back from /q to the shorter prefix, itself a group.
      ['/q?animal=cat', { host: 'a.test' }, 'one'],
      ['/q?animal=cat', { host: 'a.test', headers: { version: 'two' } }, 'two'],
      ['/hdr', { host: 'a.test', headers: { 'x-id': '123' } }, 'two'],
      ['/hdr', { host: 'a.test', headers: { 'x-id': '12a' } }, 'one'],
      ['/r42', { host: 'a.test' }, 'three'],
      ['/r42x', { host: 'a.test' }, 'one'],
      // A header value is compared whole, commas included; no fallback means 404.
      ['/only', { host: 'b.test', headers: { k: 'v, w' } }, 'two'],
      ['/only', { host: 'b.test', headers: { k: 'v' } }, '404'],
      ['/only', { host: 'b.test' }, '404'],
    ]);
  });

  test('a candidate re-pointed is a map change; a new condition is a reload', async () => {
    const repointed = await h.driver.apply(gatewayModel((m) => { m.routes.find((r) => r.conditions?.headers?.[0]?.name === 'version')!.backend = 't_three_80'; }));
    assert.equal(repointed.action, 'runtime', JSON.stringify(repointed));
    await expectRoutes([['/x', { host: 'a.test', headers: { version: 'two' } }, 'three'], ['/x', { host: 'a.test' }, 'one']]);
    const conditioned = await h.driver.apply(gatewayModel((m) => {
      m.routes.push(route('a.test', '/', 'prefix', 't_three_80', { conditions: { headers: [{ name: 'color', match: 'exact', value: 'red' }] } }));
    }));
    assert.equal(conditioned.action, 'reload');
    assert.deepEqual(conditioned.reasons, ['route conditions changed']);
    await expectRoutes([['/x', { host: 'a.test', headers: { color: 'red' } }, 'three'], ['/x', { host: 'a.test', headers: { version: 'two' } }, 'two']]);
    const back = await h.driver.apply(gatewayModel());
    assert.equal(back.error, undefined);
  });

  test('a weight split divides traffic by weight, and weights change at runtime, 0 included', async () => {
    const count = async (n: number) => {
      const seen: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        const body = await answer('/', { host: 'split.test' });
        seen[body] = (seen[body] ?? 0) + 1;
      }
      return seen;
    };
    const first = await count(200);
    // Weighted round robin with one thread is exact: 3 of every 4.
    assert.ok(Math.abs((first.four ?? 0) - 150) <= 10 && (first.four ?? 0) + (first.five ?? 0) === 200, JSON.stringify(first));
    const changed = await h.driver.apply(gatewayModel((m) => {
      const split = m.backends.find((b) => b.name === 't_split_80')!;
      split.servers = split.servers.map((s) => ({ ...s, weight: s.port === echoes[3].port ? 0 : 5 }));
    }));
    assert.equal(changed.action, 'runtime', JSON.stringify(changed));
    assert.equal(changed.commands, 2);
    assert.deepEqual(await count(40), { five: 40 });
    await h.driver.apply(gatewayModel());
  });

  test('rewrites reach the echo backend: prefix replaced, Host set, headers added and removed', async () => {
    const reply = await get(h.httpPort, { host: 'rw.test', path: '/strip/one/two?q=1', headers: { 'x-remove-me': 'x', 'x-added': 'client' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['x-seen-url'], '/one/two?q=1');
    assert.equal(reply.headers['x-seen-host'], 'one.example.org');
    const seen = JSON.parse(String(reply.headers['x-seen-headers'])) as Record<string, string>;
    assert.equal(seen['x-remove-me'], undefined);
    assert.equal(seen['x-added'], 'client, v%1');
    assert.equal(reply.headers['x-resp'], 'r');
    assert.equal(reply.headers['x-seen-for'], undefined);
    assert.equal((await get(h.httpPort, { host: 'rw.test', path: '/strip' })).headers['x-seen-url'], '/');
    assert.equal((await get(h.httpPort, { host: 'rw.test', path: '/stripped' })).headers['x-seen-url'], '/stripped');
  });

  test('redirects replace the matched prefix or the whole path, keep or set scheme, host and port', async () => {
    const prefix = await get(h.httpPort, { host: 'Redir.test:8080', path: '/old/lemon?x=1' });
    assert.equal(prefix.status, 301);
    assert.equal(prefix.headers.location, 'http://redir.test/new/lemon?x=1');
    assert.equal((await get(h.httpPort, { host: 'redir.test', path: '/old' })).headers.location, 'http://redir.test/new');
    assert.equal((await get(h.httpPort, { host: 'redir.test', path: '/other' })).headers.location, 'http://redir.test/other');
    const full = await get(h.httpPort, { host: 'redir.test', path: '/full/x?y=2' });
    assert.equal(full.status, 307);
    assert.equal(full.headers.location, 'https://example.org:8443/full?y=2');
  });
});
