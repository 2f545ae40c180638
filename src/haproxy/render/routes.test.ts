/** Rendering of route groups, regex routes, weights and the new filters; every configuration passes `haproxy -c`. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Draft, Model } from '../../model/types.js';
import { syncFiles, writeFileAtomic } from '../process/files.js';
import { validateConfig } from '../process/validate.js';
import { makeCertificatePem } from '../../../test/support/certs.js';
import { backend, certificate, deepFreeze, model, route, server } from '../../../test/support/haproxy/model.js';
import type { Rendered } from '../types.js';
import { render } from './config.js';
import { planLayout } from './layout.js';

const HAPROXY = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
let dir: string;
let pem: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pcl-routes-'));
  pem = makeCertificatePem('routes.test');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function build(patch: (m: Draft<Model>) => void = () => undefined): Model {
  const m = model({
    backends: [backend('ns_a_80', [server('127.0.0.2', 80)]), backend('ns_b_80', [{ ...server('127.0.0.3', 80), weight: 0 }, { ...server('127.0.0.4', 80), weight: 256 }])],
    routes: [
      route('a.test', '/', 'prefix', 'ns_a_80'),
      route('a.test', '/api', 'prefix', 'ns_b_80', { conditions: { headers: [{ name: 'x-v', match: 'exact', value: '2' }] } }),
      route('a.test', '/api', 'prefix', 'ns_a_80', { conditions: { method: 'GET', query: [{ name: 'debug', match: 'regex', value: '^(1|yes)$' }] } }),
      route('', '/v[0-9]+/.*', 'regex', 'ns_b_80'),
    ],
    defaultCertificate: certificate('fallback', pem, []),
  });
  patch(m);
  return deepFreeze(m);
}

/** The routes of `build` by what they are (the builder sorts them by host, path, match). */
const plainRoot = (m: Draft<Model>) => m.routes.find((r) => r.host === 'a.test' && r.path === '/')!;
const headerRoute = (m: Draft<Model>) => m.routes.find((r) => r.conditions?.headers)!;

function renderIt(m: Model, name = 'x'): Rendered {
  return render(m, planLayout(undefined, m), join(dir, name));
}

function file(rendered: Rendered, path: string): string | undefined {
  return rendered.files.find((f) => f.path === path)?.content;
}

async function check(rendered: Rendered, name: string) {
  await syncFiles(join(dir, name), rendered.files);
  await writeFileAtomic(join(dir, name, 'haproxy.cfg'), rendered.config, 0o644);
  return validateConfig(HAPROXY, join(dir, name, 'haproxy.cfg'));
}

describe('render: route groups, regex routes, weights', () => {
  test('a group key names the group; its candidates are rules in precedence order, values in groups.map', () => {
    const rendered = renderIt(build());
    assert.equal(file(rendered, 'maps/exact.map'), 'a.test/ ns_a_80\na.test/api @g1\n');
    assert.equal(file(rendered, 'maps/prefix.map'), 'a.test/ ns_a_80\na.test/api/ @g1\n');
    // The method candidate outranks the header one; no unconditional /api route: the / prefix is the fallback.
    assert.equal(file(rendered, 'maps/groups.map'), 'g1/1 ns_a_80\ng1/2 ns_b_80\ng1/else ns_a_80\n');
    assert.equal(file(rendered, 'maps/regex.map'), '^(?=/)(?:/v[0-9]+/.*)$ ns_b_80\n');
    const rules = rendered.config.split('\n').filter((l) => l.includes('@g1'));
    assert.deepEqual(rules, [
      "    http-request set-var(txn.route) str(g1/1),map_str(maps/groups.map) if { var(txn.route) -m str @g1 } { method GET } { url_param(debug) -m reg -- '^(1|yes)$' }",
      "    http-request set-var(txn.route) str(g1/2),map_str(maps/groups.map) if { var(txn.route) -m str @g1 } { req.fhdr(x-v) -m str -- '2' }",
      '    http-request set-var(txn.route) str(g1/else),map_str(maps/groups.map) if { var(txn.route) -m str @g1 }',
    ]);
    const lines = rendered.config.split('\n');
    assert.ok(lines.includes('    http-request allow if pcl_routed !pcl_grouped'));
    assert.equal(lines.filter((l) => l.includes('map_reg(maps/regex.map)')).length, 4);
    assert.match(rendered.config, /^ {4}server s1 127\.0\.0\.3:80 weight 0$/m);
    assert.match(rendered.config, /^ {4}server s2 127\.0\.0\.4:80 weight 256$/m);
  });

  test('lines of a group rule name the route they stand for', () => {
    const m = build();
    const rendered = renderIt(m);
    const index = rendered.config.split('\n').findIndex((l) => l.includes('str(g1/2)'));
    assert.deepEqual(rendered.lineSources[index], m.routes.find((r) => r.conditions?.headers)?.source);
  });

  test('a plain model gets neither the group rules nor the regex lookups nor their files', () => {
    const plain = renderIt(build((m) => { m.routes = [plainRoot(m)]; m.backends[1].servers.forEach((s) => delete s.weight); }));
    assert.doesNotMatch(plain.config, /pcl_grouped|map_reg|groups\.map| weight /);
    assert.deepEqual(plain.files.filter((f) => f.path.startsWith('maps/')).map((f) => f.path), ['maps/exact.map', 'maps/prefix.map', 'maps/default.map']);
  });

  test('a group without fallback of its own falls back to a wildcard host, then the default backend', () => {
    const onlyConditional = (m: Draft<Model>) => { m.routes = [headerRoute(m)]; };
    const toDefault = renderIt(build((m) => { onlyConditional(m); m.defaultBackend = 'ns_b_80'; }));
    assert.match(file(toDefault, 'maps/groups.map')!, /^g1\/else ns_b_80$/m);
    const toWildcard = renderIt(build((m) => { onlyConditional(m); m.routes.push(route('*.test', '/a', 'prefix', 'ns_b_80'), route('*.test', '/api', 'prefix', 'ns_a_80')); }));
    assert.match(file(toWildcard, 'maps/groups.map')!, /^g1\/else ns_a_80$/m);
    const nothing = renderIt(build(onlyConditional));
    assert.doesNotMatch(file(nothing, 'maps/groups.map')!, /else/);
    assert.match(nothing.config, /return status 404 default-errorfiles if pcl_grouped$/m);
  });

  test('an Exact group falls back to the Prefix route of the same path it shadows', () => {
    const rendered = renderIt(build((m) => {
      m.routes = [route('a.test', '/p', 'prefix', 'ns_b_80'), route('a.test', '/p', 'exact', 'ns_a_80', { conditions: { method: 'PUT' } })];
    }));
    assert.equal(file(rendered, 'maps/groups.map'), 'g1/1 ns_a_80\ng1/else ns_b_80\n');
  });

  test('a model with groups, regex routes, weights and every filter passes haproxy -c', async () => {
    const m = build((x) => {
      x.backends[0].policy = {
        redirect: { host: 'example.org', port: 8443, path: { kind: 'prefix', prefix: '/', replacement: '/r' }, code: 303 },
        pathRewrites: [{ kind: 'prefix', prefix: '/api', replacement: '/' }],
        addRequestHeaders: [{ name: 'X-A', value: 'a b' }], removeRequestHeaders: ['X-B'],
        addResponseHeaders: [{ name: 'X-C', value: 'c' }], removeResponseHeaders: ['X-D'],
        cors: { allowOrigin: { any: true }, allowMethods: 'GET', allowHeaders: 'X-A', allowCredentials: false, maxAgeSeconds: 60, exposeHeaders: 'X-C, X-E' },
      };
      x.backends[1].policy = { redirect: { scheme: 'https', code: 308 } };
      x.backends[1].timeouts = { server: 2000, request: 500 };
    });
    const rendered = renderIt(m, 'full');
    assert.match(rendered.config, /^ {4}timeout server 500ms$/m);
    assert.match(rendered.config, /^ {4}http-after-response set-header Access-Control-Expose-Headers 'X-C, X-E'$/m);
    const result = await check(rendered, 'full');
    assert.equal(result.ok, true, result.output);
  });
});
