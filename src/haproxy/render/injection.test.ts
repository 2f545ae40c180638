import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BackendPolicy, Draft, Model, RouteConditions } from '../../model/types.js';
import { syncFiles, writeFileAtomic } from '../process/files.js';
import { validateConfig } from '../process/validate.js';
import { addMap, commandLine } from '../runtime/commands.js';
import { makeCertificatePem } from '../../../test/support/certs.js';
import { backend, certificate, deepFreeze, globalSettings, listener, model, route, server } from '../../../test/support/haproxy/model.js';
import { render } from './config.js';
import { planLayout } from './layout.js';
import { RenderRefusedError } from './text.js';

const HAPROXY = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
let dir: string;
let pem: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pcl-inject-'));
  pem = makeCertificatePem('inject.test');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function baseModel(patch: (m: Draft<Model>) => void = () => undefined): Model {
  const m = model({
    backends: [backend('ns_svc_80', [server('127.0.0.2', 8080)])],
    routes: [route('a.example.com', '/', 'prefix', 'ns_svc_80')],
    certificates: [certificate('ns_tls', pem, ['a.example.com'])],
    defaultCertificate: certificate('fallback', pem, []),
  });
  patch(m);
  return deepFreeze(m);
}

const CORS = { allowOrigin: { any: true as const }, allowMethods: 'GET', allowHeaders: 'X', allowCredentials: false, maxAgeSeconds: 1 };

/** The conditions of the base model's route, made on first use. */
function cond(m: Draft<Model>): Draft<RouteConditions> {
  m.routes[0].conditions ??= {};
  return m.routes[0].conditions;
}

/** A listener `one` (source `gw-one`) with the base model's route on it, `change` applied to it. */
function onListener(change: (l: Draft<NonNullable<Model['listeners']>[number]>) => void) {
  return (m: Draft<Model>) => {
    const l = listener('one', '127.0.9.2', 18080, 'https', { certificates: ['ns_tls'] });
    change(l);
    m.listeners = [l];
    m.routes[0].listeners = [l.name];
  };
}

function policy(m: Draft<Model>): Draft<BackendPolicy> {
  m.backends[0].policy ??= {};
  return m.backends[0].policy;
}

function renderModel(m: Model, stateDir = dir) {
  return render(m, planLayout(undefined, m), stateDir);
}

const refused: [string, (m: Draft<Model>) => void, string | undefined][] = [
  ['a newline in a host', (m) => { m.routes[0].host = 'a.example.com\n    bind :1'; }, 'ing-a.example.com/'],
  ['a space in a host', (m) => { m.routes[0].host = 'a.example.com b'; }, 'ing-a.example.com/'],
  ['a slash in a host', (m) => { m.routes[0].host = 'a.example.com/admin'; }, 'ing-a.example.com/'],
  ['a sample fetch in a host', (m) => { m.routes[0].host = '%[src]'; }, 'ing-a.example.com/'],
  ['an upper-case host', (m) => { m.routes[0].host = 'A.example.com'; }, 'ing-a.example.com/'],
  ['a wildcard in the middle of a host', (m) => { m.routes[0].host = 'a.*.com'; }, 'ing-a.example.com/'],
  ['whitespace in a path', (m) => { m.routes[0].path = '/a b'; }, 'ing-a.example.com/'],
  ['a newline in a path', (m) => { m.routes[0].path = '/a\nbackend x'; }, 'ing-a.example.com/'],
  ['a hash in a path', (m) => { m.routes[0].path = '/a#b'; }, 'ing-a.example.com/'],
  ['a backslash in a path', (m) => { m.routes[0].path = '/a\\b'; }, 'ing-a.example.com/'],
  ['a double quote in a path', (m) => { m.routes[0].path = '/a"b'; }, 'ing-a.example.com/'],
  ['a relative path', (m) => { m.routes[0].path = 'a'; }, 'ing-a.example.com/'],
  ['server options smuggled in an address', (m) => { m.backends[0].servers[0].address = '127.0.0.2:80 check backup'; }, 'ns_svc_80'],
  ['a newline in an address', (m) => { m.backends[0].servers[0].address = 'evil\nlisten x'; }, 'ns_svc_80'],
  ['a port out of range', (m) => { m.backends[0].servers[0].port = 70000; }, 'ns_svc_80'],
  ['a space in a backend name', (m) => { m.backends[0].name = 'ns svc'; m.routes[0].backend = 'ns svc'; }, 'ns_svc_80'],
  ['a route to a backend that does not exist', (m) => { m.routes[0].backend = 'nope_svc_80'; }, 'ing-a.example.com/'],
  ['a slash in a certificate id', (m) => { m.certificates[0].id = '../../etc/x'; }, 'ns_tls'],
  ['the reserved certificate id "default"', (m) => { m.certificates[0].id = 'default'; }, 'ns_tls'],
  ['a newline in an SNI name', (m) => { m.certificates[0].hosts = ['a.example.com\nshow info']; }, 'ns_tls'],
  ['a command hidden after an empty line in PEM data', (m) => { m.certificates[0].pem = `${pem}\n\nshow info\n`; }, 'ns_tls'],
  ['a redirect code that is not a redirect', (m) => { m.routes[0].httpsRedirect = { code: 200 as 301, port: 443 }; }, 'ing-a.example.com/'],
  ['a newline in the Server header value', (m) => { m.global.serverHeader = 'x\n    bind :1'; }, undefined],
  ['keywords smuggled in the bind address', (m) => { m.global.bindAddress = '0.0.0.0:1 ssl crt /etc/passwd'; }, undefined],
  ['a newline in a header condition value', (m) => { cond(m).headers = [{ name: 'x', match: 'exact', value: 'a\n    bind :1' }]; }, 'ing-a.example.com/'],
  ['a space in a header condition name', (m) => { cond(m).headers = [{ name: 'x y', match: 'exact', value: 'v' }]; }, 'ing-a.example.com/'],
  ['a brace in a header condition name', (m) => { cond(m).headers = [{ name: 'x)}', match: 'exact', value: 'v' }]; }, 'ing-a.example.com/'],
  ['a regex condition that does not compile', (m) => { cond(m).headers = [{ name: 'x', match: 'regex', value: '(' }]; }, 'ing-a.example.com/'],
  ['a parenthesis in a query parameter name', (m) => { cond(m).query = [{ name: 'q)', match: 'exact', value: 'v' }]; }, 'ing-a.example.com/'],
  ['a control character in a query condition value', (m) => { cond(m).query = [{ name: 'q', match: 'exact', value: 'v\x00' }]; }, 'ing-a.example.com/'],
  ['a lower-case or spaced method', (m) => { cond(m).method = 'GET }'; }, 'ing-a.example.com/'],
  ['whitespace in a regex path', (m) => { m.routes[0].match = 'regex'; m.routes[0].path = '/a b'; }, 'ing-a.example.com/'],
  ['a newline in a regex path', (m) => { m.routes[0].match = 'regex'; m.routes[0].path = '/a\nbackend x'; }, 'ing-a.example.com/'],
  ['a regex path that starts a comment', (m) => { m.routes[0].match = 'regex'; m.routes[0].path = '#x'; }, 'ing-a.example.com/'],
  ['a server weight out of range', (m) => { m.backends[0].servers[0].weight = 257; }, 'ns_svc_80'],
  ['a fractional server weight', (m) => { m.backends[0].servers[0].weight = 1.5; }, 'ns_svc_80'],
  ['a newline in a listener name', onListener((l) => { l.name = 'one\nfrontend x'; }), 'gw-one'],
  ['a # in a listener name', onListener((l) => { l.name = 'one#a'; }), 'gw-one'],
  ['a space in a listener name', onListener((l) => { l.name = 'one two'; }), 'gw-one'],
  ['a quote in a listener name', onListener((l) => { l.name = "one'"; }), 'gw-one'],
  ['a sample fetch in a listener name', onListener((l) => { l.name = '%[src]'; }), 'gw-one'],
  ['keywords smuggled in a listener address', onListener((l) => { l.address = '127.0.9.2:1 ssl crt /etc/passwd'; }), 'gw-one'],
  ['an interface zone in a listener address', onListener((l) => { l.address = 'fe80::1%eth0'; }), 'gw-one'],
  ['a DNS name as a listener address', onListener((l) => { l.address = 'localhost'; }), 'gw-one'],
  ['a listener port of 0', onListener((l) => { l.port = 0; }), 'gw-one'],
  ['a listener certificate the model lacks', onListener((l) => { l.certificates = ['../x']; }), 'gw-one'],
  ['a route on a listener name with a space', (m) => { onListener(() => undefined)(m); m.routes[0].listeners = ['one two']; }, 'ing-a.example.com/'],
];

/** Policy fields whose hostile values are refused (the message has no source: backend lines are pinned by line). */
const refusedPolicy: [string, (m: Draft<Model>) => void][] = [
  ['a newline in an added request header value', (m) => { policy(m).addRequestHeaders = [{ name: 'X', value: 'a\nb' }]; }],
  ['a space in a removed request header name', (m) => { policy(m).removeRequestHeaders = ['X Y']; }],
  ['a newline in an added response header value', (m) => { policy(m).addResponseHeaders = [{ name: 'X', value: 'a\r\nb' }]; }],
  ['a sample fetch in a removed response header name', (m) => { policy(m).removeResponseHeaders = ['%[src]']; }],
  ['a space in a redirect host', (m) => { policy(m).redirect = { host: 'a b', code: 302 }; }],
  ['a redirect port out of range', (m) => { policy(m).redirect = { port: 0, code: 302 }; }],
  ['a space in a redirect path', (m) => { policy(m).redirect = { path: { kind: 'set', path: '/a b' }, code: 302 }; }],
  ['a relative prefix to replace', (m) => { policy(m).pathRewrites = [{ kind: 'prefix', prefix: 'a', replacement: '/' }]; }],
  ['a newline in a prefix replacement', (m) => { policy(m).pathRewrites = [{ kind: 'prefix', prefix: '/a', replacement: '/b\nc' }]; }],
  ['a newline in CORS expose-headers', (m) => { policy(m).cors = { ...CORS, exposeHeaders: 'X\nY' }; }],
];

describe('hostile model strings', () => {
  for (const [name, patch, sourceName] of refused) {
    test(`refuses ${name}`, () => {
      assert.throws(() => renderModel(baseModel(patch)), (err: unknown) => {
        assert.ok(err instanceof RenderRefusedError, String(err));
        assert.equal(err.code, 'PCL_ERR_HAPROXY_VALIDATION');
        assert.equal(err.source?.name, sourceName);
        assert.ok(!err.message.includes('BEGIN'), 'certificate data never appears in messages');
        return true;
      });
    });
  }

  for (const [name, patch] of refusedPolicy) {
    test(`refuses ${name}`, () => {
      assert.throws(() => renderModel(baseModel(patch)), RenderRefusedError);
    });
  }

  test('hostile condition, header and redirect values that are allowed come out inert and pass haproxy -c', async () => {
    const hostile = `x' "y" #z %[src] \\ $HOME } -i`;
    const m = baseModel((x) => {
      cond(x).headers = [{ name: 'X-H', match: 'exact', value: hostile }, { name: 'X-R', match: 'regex', value: `^a'b #c \\d+ \\}$` }];
      cond(x).query = [{ name: 'q', match: 'exact', value: hostile }];
      x.routes.push({ ...x.routes[0], conditions: undefined, match: 'regex', path: "/r'#x%[src]\\d+" });
      x.backends[0].policy = {
        addRequestHeaders: [{ name: 'X-A', value: hostile }], addResponseHeaders: [{ name: 'X-B', value: hostile }],
        redirect: { path: { kind: 'prefix', prefix: "/a'(b)$.c", replacement: "/x'%y" }, code: 302 },
        cors: { ...CORS, exposeHeaders: hostile },
      };
    });
    const rendered = renderModel(m, join(dir, 'gateway'));
    const lines = rendered.config.split('\n');
    assert.ok(lines.includes(`    http-request add-header X-A 'x'\\'' "y" #z %%[src] \\ $HOME } -i'`), 'header value quoted, % doubled');
    assert.ok(lines.some((l) => l.endsWith(`{ req.fhdr(X-H) -m str -- 'x'\\'' "y" #z %[src] \\ $HOME } -i' } { req.fhdr(X-R) -m reg -- '^a'\\''b #c \\d+ \\}$' } { url_param(q) -m str -- 'x'\\'' "y" #z %[src] \\ $HOME } -i' }`)));
    assert.equal(rendered.files.find((f) => f.path === 'maps/regex.map')?.content, "^a\\.example\\.com(?=/)(?:/r'#x%[src]\\d+)$ ns_svc_80\n");
    await syncFiles(join(dir, 'gateway'), rendered.files);
    await writeFileAtomic(join(dir, 'gateway', 'haproxy.cfg'), rendered.config, 0o644);
    const result = await validateConfig(HAPROXY, join(dir, 'gateway', 'haproxy.cfg'));
    assert.equal(result.ok, true, result.output);
  });

  test('allowed listener names and addresses come out as one bind, one key prefix and one CLI word, and pass haproxy -c', async () => {
    const m = baseModel((mm) => {
      onListener((l) => { l.name = 'gw-ns_a-b'; l.address = '::1'; })(mm);
      mm.routes[0].listeners = ['gw-ns_a-b'];
    });
    const rendered = renderModel(m, join(dir, 'listeners'));
    assert.match(rendered.config, /^frontend listener_gw-ns_a-b\n {4}bind \[::1\]:18080 name gw-ns_a-b ssl crt-list certs\/gw-ns_a-b\.crt-list alpn h2,http\/1\.1$/m);
    assert.equal(rendered.files.find((f) => f.path === 'maps/exact.map')?.content, 'gw-ns_a-b#a.example.com/ ns_svc_80\n');
    assert.equal(commandLine(addMap('maps/exact.map', 'gw-ns_a-b#a.example.com/', 'ns_svc_80')), 'add map maps/exact.map gw-ns_a-b#a.example.com/ ns_svc_80');
    await syncFiles(join(dir, 'listeners'), rendered.files);
    await writeFileAtomic(join(dir, 'listeners', 'haproxy.cfg'), rendered.config, 0o644);
    const result = await validateConfig(HAPROXY, join(dir, 'listeners', 'haproxy.cfg'));
    assert.equal(result.ok, true, result.output);
  });

  test('refuses a state directory that would need quoting', () => {
    assert.throws(() => renderModel(baseModel(), '/tmp/with space'), RenderRefusedError);
  });

  test('a Server header full of quoting and sample-fetch syntax comes out as one inert directive', async () => {
    const hostile = `x' "y" #z %[src] \\ $HOME`;
    const m = baseModel((x) => { x.global = globalSettings({ serverHeader: hostile }); });
    const rendered = renderModel(m, join(dir, 'header'));
    const plain = renderModel(baseModel(), join(dir, 'header'));
    assert.equal(rendered.config.split('\n').length, plain.config.split('\n').length);
    const line = rendered.config.split('\n').filter((l) => l.includes('add-header Server'));
    assert.deepEqual(line, [`    http-after-response add-header Server 'x'\\'' "y" #z %%[src] \\ $HOME' unless { res.hdr(server) -m found }`]);
    await syncFiles(join(dir, 'header'), rendered.files);
    await writeFileAtomic(join(dir, 'header', 'haproxy.cfg'), rendered.config, 0o644);
    const result = await validateConfig(HAPROXY, join(dir, 'header', 'haproxy.cfg'));
    assert.equal(result.ok, true, result.output);
  });

  test('a path with every allowed punctuation mark is one map key, and ";" is escaped for the Runtime API', async () => {
    const path = "/a;b'c$d(e)f%41@:+,=!*~";
    const m = baseModel((x) => { x.routes[0].path = path; x.routes[0].match = 'exact'; });
    const rendered = renderModel(m, join(dir, 'path'));
    const exact = rendered.files.find((f) => f.path === 'maps/exact.map');
    assert.equal(exact?.content, `a.example.com${path} ns_svc_80\n`);
    assert.equal(commandLine(addMap('maps/exact.map', `a.example.com${path}`, 'ns_svc_80')), "add map maps/exact.map a.example.com/a\\;b'c$d(e)f%41@:+,=!*~ ns_svc_80");
    await syncFiles(join(dir, 'path'), rendered.files);
    await writeFileAtomic(join(dir, 'path', 'haproxy.cfg'), rendered.config, 0o644);
    const result = await validateConfig(HAPROXY, join(dir, 'path', 'haproxy.cfg'));
    assert.equal(result.ok, true, result.output);
  });
});
