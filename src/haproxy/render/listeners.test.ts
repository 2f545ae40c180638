/** Rendering of listeners beyond the default pair; every configuration passes `haproxy -c`. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Draft, Model } from '../../model/types.js';
import { syncFiles, writeFileAtomic } from '../process/files.js';
import { validateConfig } from '../process/validate.js';
import { makeCertificatePem } from '../../../test/support/certs.js';
import { backend, certificate, deepFreeze, listener, model, route, server } from '../../../test/support/haproxy/model.js';
import type { Rendered } from '../types.js';
import { RenderMemo, render } from './config.js';
import { planLayout } from './layout.js';
import { RenderRefusedError } from './text.js';

const HAPROXY = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
let dir: string;
let pem: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pcl-listeners-'));
  pem = makeCertificatePem('listeners.test');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Two HTTP listeners on one port of two addresses, an HTTPS one, and routes on each and on several. */
function build(patch: (m: Draft<Model>) => void = () => undefined): Model {
  const m = model({
    backends: [backend('ns_a_80', [server('127.0.0.2', 80)]), backend('ns_b_80', [server('127.0.0.3', 80)])],
    routes: [
      route('a.test', '/', 'prefix', 'ns_a_80'),
      route('a.test', '/', 'prefix', 'ns_a_80', { listeners: ['one'] }),
      route('a.test', '/', 'prefix', 'ns_b_80', { listeners: ['two', 'tls'] }),
      route('r.test', '/', 'exact', 'ns_a_80', { listeners: ['one'], httpsRedirect: { code: 302, port: 8443 } }),
      route('*.w.test', '/x', 'exact', 'ns_b_80', { listeners: ['two'] }),
      route('', '/any', 'prefix', 'ns_b_80', { listeners: ['one'] }),
    ],
    defaultBackend: 'ns_a_80',
    certificates: [certificate('c_a', pem, ['a.test']), certificate('c_b', pem, ['b.test']), certificate('c_c', pem, ['c.test'])],
    defaultCertificate: certificate('fallback', pem, []),
  });
  m.listeners = [
    listener('one', '127.0.1.2', 18080, 'http'),
    listener('two', '127.0.1.3', 18080, 'http'),
    listener('tls', '127.0.1.2', 18443, 'https', { certificates: ['c_a', 'c_c'], defaultCertificate: 'c_c' }),
  ];
  patch(m);
  return deepFreeze(m);
}

function renderIt(m: Model, name = 'x', memo?: RenderMemo): Rendered {
  return render(m, planLayout(undefined, m), join(dir, name), memo);
}

function file(rendered: Rendered, path: string): string | undefined {
  return rendered.files.find((f) => f.path === path)?.content;
}

/** The lines of one frontend section. */
function section(rendered: Rendered, name: string): string[] {
  const lines = rendered.config.split('\n');
  const start = lines.indexOf(`frontend ${name}`);
  assert.ok(start >= 0, `no frontend ${name}`);
  const end = lines.findIndex((l, i) => i > start && /^\S/.test(l));
  return lines.slice(start, end < 0 ? undefined : end);
}

async function check(rendered: Rendered, name: string) {
  await syncFiles(join(dir, name), rendered.files);
  await writeFileAtomic(join(dir, name, 'haproxy.cfg'), rendered.config, 0o644);
  return validateConfig(HAPROXY, join(dir, name, 'haproxy.cfg'));
}

describe('render: listeners beyond the default pair', () => {
  test('absent and empty listeners render the same bytes, with or without the memo', () => {
    const plain = build((m) => {
      delete m.listeners;
      m.routes = m.routes.filter((r) => !r.listeners);
    });
    const empty = deepFreeze({ ...plain, listeners: [] });
    assert.deepEqual(renderIt(empty), renderIt(plain));
    assert.deepEqual(renderIt(empty, 'x', new RenderMemo()), renderIt(plain));
    assert.doesNotMatch(renderIt(plain).config, /'#'|listener_|set-var-fmt/);
  });

  test('routes of a listener are keys with its prefix in the same maps; a route may be on several', () => {
    const rendered = renderIt(build());
    assert.equal(file(rendered, 'maps/exact.map'), [
      'a.test/ ns_a_80', 'one#/any ns_b_80', 'one#a.test/ ns_a_80', 'one#r.test/ ns_a_80|302|:8443', 'tls#a.test/ ns_b_80', 'two#*.w.test/x ns_b_80', 'two#a.test/ ns_b_80', '',
    ].join('\n'));
    assert.equal(file(rendered, 'maps/prefix.map'), 'a.test/ ns_a_80\none#/any/ ns_b_80\none#a.test/ ns_a_80\ntls#a.test/ ns_b_80\ntwo#a.test/ ns_b_80\n');
    // The default backend is the default pair's: a listener's unrouted requests get 404.
    assert.equal(file(rendered, 'maps/default.map'), 'default ns_a_80\n');
  });

  test('each listener has a frontend of its own that looks up its prefixed keys', () => {
    const rendered = renderIt(build());
    const one = section(rendered, 'listener_one');
    assert.equal(one[1], '    bind 127.0.1.2:18080 name one');
    assert.ok(one.includes("    http-request set-var-fmt(txn.key) 'one#%[base]' if !pcl_host_odd"));
    assert.ok(one.includes("    http-request set-var(txn.key) str('one#'),concat(,txn.host),concat(,txn.path) if pcl_host_ok"));
    assert.ok(one.includes("    http-request set-var(txn.key) var(txn.host),regsub('^[^.]*','one#*'),concat(,txn.path) if !pcl_routed pcl_host_ok"));
    assert.ok(one.includes("    http-request set-var(txn.key) str('one#'),concat(,txn.path) if !pcl_routed"));
    assert.ok(one.includes('    http-request set-header X-Forwarded-Proto http'));
    assert.ok(!one.some((l) => l.includes('maps/default.map')));
    // A plain-HTTP listener redirects as its routes say, with no TLS test.
    assert.ok(one.includes('    http-request redirect location https://%[req.fhdr(host),lower,regsub(\':[0-9]*$\',),regsub(\'[.]$\',)]%[var(txn.route),field(3,|)]%[pathq] code 302 if { var(txn.route),field(2,|) -m str 302 }'));
    const tls = section(rendered, 'listener_tls');
    assert.equal(tls[1], '    bind 127.0.1.2:18443 name tls ssl crt-list certs/tls.crt-list alpn h2,http/1.1');
    assert.ok(!tls.some((l) => l.includes('redirect')));
    // The default pair: a Host holding '#' must not reach a listener's keys.
    assert.ok(section(rendered, 'portcullis').includes("    acl pcl_host_odd req.hdr(host) -m sub / * '#'"));
    assert.ok(rendered.config.indexOf('frontend listener_one') < rendered.config.indexOf('frontend listener_two'));
  });

  test('an HTTPS listener has a crt-list of its certificates only, its default first', () => {
    const rendered = renderIt(build());
    assert.equal(file(rendered, 'certs/tls.crt-list'), 'certs/c_c.pem\ncerts/c_a.pem a.test\n');
    assert.equal(file(rendered, 'certs/crt-list.txt'), 'certs/default.pem\ncerts/c_a.pem a.test\ncerts/c_b.pem b.test\ncerts/c_c.pem c.test\n');
    const noDefault = renderIt(build((m) => delete m.listeners![2].defaultCertificate));
    assert.equal(file(noDefault, 'certs/tls.crt-list'), 'certs/default.pem\ncerts/c_a.pem a.test\ncerts/c_c.pem c.test\n');
    assert.equal(file(rendered, 'certs/one.crt-list'), undefined);
  });

  test('conditions and regex paths are per listener: rules and lookups only where they are', () => {
    const rendered = renderIt(build((m) => {
      m.routes.push(route('a.test', '/', 'prefix', 'ns_a_80', { listeners: ['two'], conditions: { headers: [{ name: 'x-v', match: 'exact', value: '1' }] } }));
      m.routes.push(route('a.test', '/v[0-9]+', 'regex', 'ns_a_80', { listeners: ['two'] }));
    }));
    assert.equal(file(rendered, 'maps/regex.map'), '^two#a\\.test(?=/)(?:/v[0-9]+)$ ns_a_80\n');
    assert.match(file(rendered, 'maps/exact.map')!, /^two#a\.test\/ @g1$/m);
    assert.equal(file(rendered, 'maps/groups.map'), 'g1/1 ns_a_80\ng1/else ns_b_80\n');
    const two = section(rendered, 'listener_two');
    assert.ok(two.some((l) => l.includes("if { var(txn.route) -m str @g1 } { req.fhdr(x-v) -m str -- '1' }")));
    assert.equal(two.filter((l) => l.includes('map_reg(maps/regex.map)')).length, 4);
    for (const other of ['portcullis', 'listener_one', 'listener_tls']) {
      assert.ok(!section(rendered, other).some((l) => l.includes('@g1') || l.includes('map_reg')), other);
    }
  });

  test('a group on a listener falls back within the listener, never to the default backend', () => {
    const rendered = renderIt(build((m) => {
      m.routes.push(route('z.test', '/a', 'exact', 'ns_b_80', { listeners: ['one'], conditions: { method: 'POST' } }));
    }));
    assert.equal(file(rendered, 'maps/groups.map'), 'g1/1 ns_b_80\n');
  });

  test('a listener whose wildcards stand for several labels tries each depth, its prefix kept, and passes haproxy -c', async () => {
    const rendered = renderIt(build((m) => { m.listeners![1].wildcardLabels = 3; }), 'deep');
    const deeper = (l: string) => l.includes("regsub('#");
    assert.deepEqual(section(rendered, 'listener_two').filter(deeper), [
      "    http-request set-var(txn.key) str('two#'),concat(,txn.host),regsub('#[^.]*[.][^.]*[.]','#*.'),concat(,txn.path) if !pcl_routed pcl_host_ok",
      "    http-request set-var(txn.key) str('two#'),concat(,txn.host),regsub('#[^.]*[.][^.]*[.][^.]*[.]','#*.'),concat(,txn.path) if !pcl_routed pcl_host_ok",
    ]);
    assert.ok(!section(rendered, 'listener_one').some(deeper), 'one label only where not asked');
    const result = await check(rendered, 'deep');
    assert.equal(result.ok, true, result.output);
  });

  test('the configuration with listeners passes haproxy -c', async () => {
    const result = await check(renderIt(build(), 'valid'), 'valid');
    assert.equal(result.ok, true, result.output);
  });

  test('refused: unknown listeners and certificates, duplicate names and binds, unsafe names and addresses', () => {
    const cases: [string, (m: Draft<Model>) => void, RegExp][] = [
      ['a route on an unknown listener', (m) => { m.routes[1].listeners = ['nope']; }, /unknown listener "nope"/],
      ['an unknown certificate', (m) => { m.listeners![2].certificates = ['c_zz']; }, /unknown certificate "c_zz"/],
      ['an unknown default certificate', (m) => { m.listeners![2].defaultCertificate = 'c_zz'; }, /unknown certificate "c_zz"/],
      ['a duplicate name', (m) => { m.listeners![1].name = 'one'; }, /duplicate listener name/],
      ['a duplicate bind', (m) => { m.listeners![1].address = '127.0.1.2'; }, /binds 127\.0\.1\.2:18080/],
      ['the default pair\'s bind', (m) => { m.listeners![1].address = '127.0.0.1'; }, /binds 127\.0\.0\.1:18080/],
      ['a name with a #', (m) => { m.listeners![0].name = 'o#e'; }, /listener name/],
      ['an upper-case name', (m) => { m.listeners![0].name = 'One'; }, /listener name/],
      ['a name with a newline', (m) => { m.listeners![0].name = 'one\nfrontend x'; }, /listener name/],
      ['an address that is no IP', (m) => { m.listeners![0].address = 'localhost'; }, /listener address/],
      ['all addresses', (m) => { m.listeners![0].address = '*'; }, /listener address/],
      ['a port out of range', (m) => { m.listeners![0].port = 70000; }, /port/],
    ];
    for (const [what, patch, message] of cases) {
      assert.throws(() => renderIt(build(patch)), (e: unknown) => e instanceof RenderRefusedError && message.test(e.message), what);
    }
  });
});
