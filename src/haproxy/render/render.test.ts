import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { syncFiles, writeFileAtomic } from '../process/files.js';
import { validateConfig } from '../process/validate.js';
import { makeCertificatePem } from '../../../test/support/certs.js';
import { backend, certificate, globalSettings, model, route, server } from '../../../test/support/haproxy/model.js';
import type { Rendered } from '../types.js';
import { render } from './config.js';
import { planLayout } from './layout.js';

const HAPROXY = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';

let dir: string;
let defaultPem: string;
let sitePem: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pcl-render-'));
  defaultPem = makeCertificatePem('default.test');
  sitePem = makeCertificatePem('a.example.com', ['a.example.com', '*.example.com']);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sampleModel() {
  return model({
    global: globalSettings({ httpPort: 8080, httpsPort: 8443, maxconn: 3000, nbthread: 2, hardStopAfter: 15000 }),
    backends: [
      backend('default_web_80', [server('127.0.0.3', 8080), server('127.0.0.2', 8080, 'drain')]),
      backend('default_api_http', [server('localhost', 9000)]),
    ],
    routes: [
      route('a.example.com', '/', 'prefix', 'default_web_80'),
      route('a.example.com', '/api', 'prefix', 'default_api_http'),
      route('a.example.com', '/api', 'exact', 'default_web_80'),
      route('*.example.com', '/docs', 'exact', 'default_web_80', { httpsRedirect: { code: 308, port: 443 } }),
      route('', '/health', 'prefix', 'default_api_http', { httpsRedirect: { code: 301, port: 8443 } }),
    ],
    defaultBackend: 'default_web_80',
    certificates: [certificate('default_site', sitePem, ['*.example.com', 'a.example.com'])],
    defaultCertificate: certificate('fallback', defaultPem, []),
  });
}

function fileContent(rendered: Rendered, path: string): string {
  const file = rendered.files.find((f) => f.path === path);
  assert.ok(file, `rendered file ${path}`);
  return file.content;
}

/** Writes a rendered set into its own directory and runs `haproxy -c` on it. */
async function check(rendered: Rendered, name: string) {
  const target = join(dir, name);
  await syncFiles(target, rendered.files);
  await writeFileAtomic(join(target, 'haproxy.cfg'), rendered.config, 0o644);
  return validateConfig(HAPROXY, join(target, 'haproxy.cfg'));
}

describe('render', () => {
  test('frontend binds HTTP and HTTPS with the crt-list and ALPN', () => {
    const m = sampleModel();
    const { config } = render(m, planLayout(undefined, m), join(dir, 'golden'));
    const lines = config.split('\n');
    assert.ok(lines.includes('    bind 127.0.0.1:8080 name http'));
    assert.ok(lines.includes('    bind 127.0.0.1:8443 name https ssl crt-list certs/crt-list.txt alpn h2,http/1.1'));
    assert.ok(lines.includes("    http-after-response add-header Server 'portcullis' unless { res.hdr(server) -m found }"));
    assert.ok(lines.includes('    use_backend %[var(txn.route),field(1,|)]'));
    assert.ok(lines.includes('    option forwardfor'));
    assert.ok(lines.includes(`    stats socket ${join(dir, 'golden')}/run/admin.sock mode 600 level admin expose-fd listeners`));
  });

  test('global settings become global and defaults lines', () => {
    const m = sampleModel();
    const lines = render(m, planLayout(undefined, m), dir).config.split('\n');
    for (const expected of ['    maxconn 3000', '    nbthread 2', '    hard-stop-after 15000ms', '    timeout client 50000ms',
      '    timeout http-request 5000ms', '    timeout tunnel 3600000ms', '    default-server init-addr last,libc,none']) {
      assert.ok(lines.includes(expected), expected);
    }
  });

  test('backends get every slot rendered, free slots disabled, in layout order', () => {
    const m = sampleModel();
    const { config } = render(m, planLayout(undefined, m), dir);
    const web = config.slice(config.indexOf('backend default_web_80'));
    assert.deepEqual(web.trim().split('\n'), [
      'backend default_web_80',
      '    balance roundrobin',
      '    server s1 127.0.0.3:8080',
      '    server s2 127.0.0.2:8080',
      '    server s3 127.0.0.1:1 disabled',
      '    server s4 127.0.0.1:1 disabled',
    ]);
    assert.match(config, /^ {4}server s1 localhost:9000$/m);
  });

  test('maps hold exact keys, prefix keys with a trailing slash, and the default backend', () => {
    const m = sampleModel();
    const rendered = render(m, planLayout(undefined, m), dir);
    assert.equal(fileContent(rendered, 'maps/exact.map'), [
      '*.example.com/docs default_web_80|308|',
      '/health default_api_http|301|:8443',
      'a.example.com/ default_web_80',
      'a.example.com/api default_web_80',
      '',
    ].join('\n'));
    assert.equal(fileContent(rendered, 'maps/prefix.map'), [
      '/health/ default_api_http|301|:8443',
      'a.example.com/ default_web_80',
      'a.example.com/api/ default_api_http',
      '',
    ].join('\n'));
    assert.equal(fileContent(rendered, 'maps/default.map'), 'default default_web_80\n');
  });

  test('crt-list starts with the default certificate and gives the others their SNI filters', () => {
    const m = sampleModel();
    const rendered = render(m, planLayout(undefined, m), dir);
    assert.equal(fileContent(rendered, 'certs/crt-list.txt'), 'certs/default.pem\ncerts/default_site.pem *.example.com a.example.com\n');
    const pems = rendered.files.filter((f) => f.path.endsWith('.pem'));
    assert.deepEqual(pems.map((f) => [f.path, f.mode]), [['certs/default.pem', 0o600], ['certs/default_site.pem', 0o600]]);
    assert.ok(fileContent(rendered, 'certs/default_site.pem').includes('PRIVATE KEY'));
  });

  test('lineSources names the backend for each of its lines and nothing for shared lines', () => {
    const m = sampleModel();
    const rendered = render(m, planLayout(undefined, m), dir);
    const lines = rendered.config.split('\n');
    assert.equal(rendered.lineSources.length, lines.length - 1);
    const serverLine = lines.indexOf('    server s1 localhost:9000');
    assert.deepEqual(rendered.lineSources[serverLine], m.backends[0].source);
    assert.equal(rendered.lineSources[lines.indexOf('    option forwardfor')], undefined);
  });

  test('the same model and layout render the same bytes', () => {
    const m = sampleModel();
    const layout = planLayout(undefined, m);
    assert.deepEqual(render(m, layout, dir), render(structuredClone(m), structuredClone(layout), dir));
  });

  test('rendered configuration passes haproxy -c', async () => {
    const m = sampleModel();
    const result = await check(render(m, planLayout(undefined, m), join(dir, 'valid')), 'valid');
    assert.equal(result.ok, true, result.output);
  });

  test('an IPv6 bind address and IPv6 servers are bracketed, and an empty Server header adds no directive', async () => {
    const m = model({
      global: globalSettings({ bindAddress: '::1', serverHeader: '' }),
      backends: [backend('ns_v6_80', [server('::1', 8080)])],
      defaultCertificate: certificate('fallback', defaultPem, []),
    });
    const rendered = render(m, planLayout(undefined, m), join(dir, 'v6'));
    assert.match(rendered.config, /^ {4}bind \[::1\]:18080 name http$/m);
    assert.match(rendered.config, /^ {4}server s1 \[::1\]:8080$/m);
    assert.doesNotMatch(rendered.config, /add-header Server/);
    const result = await check(rendered, 'v6');
    assert.equal(result.ok, true, result.output);
  });

  test('a model with no routes, backends or certificates still passes haproxy -c', async () => {
    const m = model({ global: globalSettings({ bindAddress: '', nbthread: 0, hardStopAfter: 0 }), defaultCertificate: certificate('fallback', defaultPem, []) });
    const rendered = render(m, planLayout(undefined, m), join(dir, 'empty'));
    assert.match(rendered.config, /^ {4}bind \*:18080 name http$/m);
    assert.doesNotMatch(rendered.config, /nbthread|hard-stop-after/);
    const result = await check(rendered, 'empty');
    assert.equal(result.ok, true, result.output);
  });
});
