import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Backend, Draft, Model, SourceRef } from '../../model/types.js';
import { syncFiles, writeFileAtomic } from '../process/files.js';
import { validateConfig } from '../process/validate.js';
import { makeCertificatePem } from '../../../test/support/certs.js';
import { backend, certificate, globalSettings, model, route, server, source } from '../../../test/support/haproxy/model.js';
import { render } from './config.js';
import { planLayout } from './layout.js';
import { RenderRefusedError } from './text.js';

const HAPROXY = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
const INGRESS: SourceRef = source('guarded');
const CONFIGMAP: SourceRef = { kind: 'ConfigMap', namespace: 'system', name: 'portcullis' };
const HASH = '$6$saltsalt$fxtrgNr0//Ip0B6ss2a/TCLvMdsw5Nx6dknvHShinRxCFbPDFOF1FjlGij8xWCb0jfJjN/ydBgMw3Go6NrTo21';

let dir: string;
let pem: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pcl-policy-'));
  pem = makeCertificatePem('policy.test');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function guarded(): Draft<Backend> {
  return {
    ...backend('ns_web_80_0123456789ab', [server('127.0.0.2', 8080)]),
    source: INGRESS,
    balance: { urlParam: 'id' },
    policy: {
      deny: ['10.1.0.0/16'],
      allow: ['10.0.0.0/8', '::1'],
      rateLimit: { requests: 10, periodMs: 60_000, statusCode: 429, size: 1000, exempt: ['10.0.0.1'] },
      cors: { allowOrigin: { origins: ['https://app.example.com'] }, allowMethods: 'GET, POST', allowHeaders: '*', allowCredentials: true, maxAgeSeconds: 60 },
      auth: { realm: "Staff's area", users: [{ name: 'alice', hash: HASH }], source: { kind: 'Secret', namespace: 'ns', name: 'users' } },
      redirect: { host: 'www.example.com', port: 8443, code: 308 },
      pathRewrites: [{ kind: 'regex', match: '^/old/(.*)', replace: '/new/\\1' }, { kind: 'set', path: '/x%20y' }],
      setHost: 'internal.example.com',
      requestHeaders: [{ name: 'X-Literal', value: "%[src] 'q' $HOME #" }],
      responseHeaders: [{ name: 'Cache-Control', value: 'no-store' }],
      forwardedFor: false,
    },
    server: { check: true, checkIntervalMs: 2000, checkHttp: { method: 'HEAD', uri: '/healthz', version: 'HTTP/1.1' }, maxconn: 30, sendProxy: 'v2', proto: 'h2' },
    timeouts: { server: 1000, queue: 2000 },
    retries: { count: 2, on: ['conn-failure', '503'] },
    cookie: { name: 'SRV', dynamicKey: 'ns_web_80' },
    snippet: { lines: ['http-response set-header X-Snippet yes'], source: INGRESS },
  };
}

function tlsBackend(): Draft<Backend> {
  const certOnly = pem.slice(0, pem.indexOf('-----BEGIN PRIVATE KEY'));
  const file = (kind: 'ca' | 'crt') => ({ id: `${kind}_ns_tls`, pem: kind === 'ca' ? certOnly : pem, source: { kind: 'Secret', namespace: 'ns', name: 'tls' } });
  return { ...backend('ns_tls_443', [server('127.0.0.3', 8443)]), server: { check: false, ssl: { ca: file('ca'), crt: file('crt') } } };
}

function sample(): Draft<Model> {
  return model({
    global: globalSettings({
      logFormat: { format: "%ci [%tr] %{+Q}r %[var(txn.host)] '100%%'" },
      syslogServers: [{ address: '127.0.0.1', port: 514, facility: 'local1', level: 'info', format: 'rfc5424', length: 2048 }],
      snippet: { lines: ['tune.bufsize 32768'], source: CONFIGMAP },
      frontendSnippet: { lines: ['http-request set-header X-Front 1'], source: CONFIGMAP },
    }),
    backends: [guarded(), tlsBackend()],
    routes: [route('a.example.com', '/', 'prefix', 'ns_web_80_0123456789ab')],
    defaultCertificate: certificate('fallback', pem, []),
  });
}

function section(config: string, header: string): string[] {
  const lines = config.split('\n');
  const start = lines.indexOf(header);
  assert.ok(start >= 0, header);
  const end = lines.findIndex((l, i) => i > start && l !== '' && !l.startsWith(' '));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe('render: annotation-driven settings', () => {
  test('a backend with every setting renders its rules in the model order, options on every server line', () => {
    const m = sample();
    const { config } = render(m, planLayout(undefined, m), dir);
    const options = 'check inter 2000ms maxconn 30 send-proxy-v2 proto h2';
    assert.deepEqual(section(config, 'backend ns_web_80_0123456789ab'), [
      '    balance url_param id',
      '    hash-type consistent',
      '    acl pcl_deny src 10.1.0.0/16',
      '    http-request deny deny_status 403 if pcl_deny',
      '    acl pcl_allow src 10.0.0.0/8 ::1',
      '    http-request deny deny_status 403 unless pcl_allow',
      '    stick-table type ipv6 size 1000 expire 60000ms store http_req_rate(60000ms) peers portcullis',
      '    acl pcl_rate_exempt src 10.0.0.1',
      '    http-request track-sc0 src unless pcl_rate_exempt',
      '    http-request deny deny_status 429 if !pcl_rate_exempt { sc_http_req_rate(0) gt 10 }',
      '    http-request set-var(txn.pcl_origin) req.hdr(origin)',
      '    http-request return status 204 if METH_OPTIONS { req.hdr(origin) -m found } { req.hdr(access-control-request-method) -m found }',
      `    http-request auth realm 'Staff'\\''s area' unless { http_auth(pcl_auth_ns_web_80_0123456789ab) }`,
      "    http-request redirect prefix 'https://www.example.com:8443' code 308 if { ssl_fc }",
      "    http-request redirect prefix 'http://www.example.com:8443' code 308 unless { ssl_fc }",
      "    http-request replace-pathq '^/old/(.*)' '/new/\\1'",
      "    http-request set-path '/x%%20y'",
      "    http-request set-header Host 'internal.example.com'",
      `    http-request set-header X-Literal '%%[src] '\\''q'\\'' $HOME #'`,
      "    http-response set-header Cache-Control 'no-store'",
      "    http-after-response set-header Access-Control-Allow-Origin %[var(txn.pcl_origin)] if { var(txn.pcl_origin) -m str -i 'https://app.example.com' }",
      '    http-after-response add-header Vary Origin',
      "    http-after-response set-header Access-Control-Allow-Methods 'GET, POST'",
      "    http-after-response set-header Access-Control-Allow-Headers '*'",
      '    http-after-response set-header Access-Control-Max-Age 60',
      '    http-after-response set-header Access-Control-Allow-Credentials true',
      '    option forwardfor except 0.0.0.0/0',
      '    timeout server 1000ms',
      '    timeout queue 2000ms',
      '    retries 2',
      '    retry-on conn-failure 503',
      '    cookie SRV insert indirect nocache dynamic',
      '    dynamic-cookie-key ns_web_80',
      "    option httpchk HEAD '/healthz' HTTP/1.1",
      '    http-response set-header X-Snippet yes',
      `    server s1 127.0.0.2:8080 ${options}`,
      `    server s2 127.0.0.1:1 disabled ${options}`,
      `    server s3 127.0.0.1:1 disabled ${options}`,
      `    server s4 127.0.0.1:1 disabled ${options}`,
      '',
    ]);
  });

  test('global settings: syslog target, local peer, peers section, userlist, log format and snippets', () => {
    const m = sample();
    const { config } = render(m, planLayout(undefined, m), dir);
    const global = section(config, 'global');
    assert.ok(global.includes('    log 127.0.0.1:514 len 2048 format rfc5424 local1 info'));
    assert.ok(!global.includes('    log stdout format raw local0'));
    assert.ok(global.includes('    localpeer portcullis'));
    assert.equal(global.at(-1), '    tune.bufsize 32768');
    assert.deepEqual(section(config, 'peers portcullis'), [`    bind unix@${dir}/run/peers.sock`, '    server portcullis']);
    assert.deepEqual(section(config, 'userlist pcl_auth_ns_web_80_0123456789ab'), [`    user alice password '${HASH}'`]);
    const frontend = section(config, 'frontend portcullis');
    assert.equal(frontend[2], `    log-format '%ci [%tr] %{+Q}r %[var(txn.host)] '\\''100%%'\\'''`);
    // The snippet's rules run before routing, which ends the frontend's rules early once routed.
    assert.deepEqual(frontend.slice(3, 5), ['    http-request set-header X-Forwarded-Proto %[ssl_fc,iif(https,http)]', '    http-request set-header X-Front 1']);
    assert.ok(frontend.indexOf('    http-request set-header X-Front 1') < frontend.indexOf('    http-request allow if pcl_routed'));
    assert.equal(frontend.at(-1), '    use_backend %[var(txn.route),field(1,|)]');
  });

  test('snippet lines are pinned on the object that wrote them; policy lines on the backend source', () => {
    const m = sample();
    const rendered = render(m, planLayout(undefined, m), dir);
    const lines = rendered.config.split('\n');
    assert.deepEqual(rendered.lineSources[lines.indexOf('    tune.bufsize 32768')], CONFIGMAP);
    assert.deepEqual(rendered.lineSources[lines.indexOf('    http-request set-header X-Front 1')], CONFIGMAP);
    assert.deepEqual(rendered.lineSources[lines.indexOf('    http-response set-header X-Snippet yes')], INGRESS);
    assert.deepEqual(rendered.lineSources[lines.indexOf('    option forwardfor except 0.0.0.0/0')], INGRESS);
  });

  test('TLS to backends: verified CA and client certificate files, written once with mode 0600', async () => {
    const m = sample();
    const rendered = render(m, planLayout(undefined, m), join(dir, 'tls-check'));
    assert.deepEqual(section(rendered.config, 'backend ns_tls_443')[1], '    server s1 127.0.0.3:8443 ssl verify required ca-file tls/ca_ns_tls.pem crt tls/crt_ns_tls.pem');
    const files = rendered.files.filter((f) => f.path.startsWith('tls/'));
    assert.deepEqual(files.map((f) => [f.path, f.mode]), [['tls/ca_ns_tls.pem', 0o600], ['tls/crt_ns_tls.pem', 0o600]]);
    assert.ok(!files[0].content.includes('PRIVATE KEY'), 'the CA file holds certificates only');
    await syncFiles(join(dir, 'tls-check'), rendered.files);
    await writeFileAtomic(join(dir, 'tls-check', 'haproxy.cfg'), rendered.config, 0o644);
    assert.equal((await stat(join(dir, 'tls-check', 'tls/crt_ns_tls.pem'))).mode & 0o777, 0o600);
    const validation = await validateConfig(HAPROXY, join(dir, 'tls-check', 'haproxy.cfg'));
    assert.ok(validation.ok, validation.output);
  });

  test('a fixed answer: HAProxy returns the status itself, after a redirect and before any rewrite', async () => {
    const b: Draft<Backend> = { ...backend('ns_route_none_0123456789ab', []), policy: { respond: 500, requestHeaders: [{ name: 'X-A', value: 'a' }] } };
    const m = model({ backends: [b], defaultCertificate: certificate('fallback', pem, []) });
    const rendered = render(m, planLayout(undefined, m), join(dir, 'respond'));
    assert.deepEqual(section(rendered.config, 'backend ns_route_none_0123456789ab').slice(1, 3), ['    http-request return status 500', "    http-request set-header X-A 'a'"]);
    await syncFiles(join(dir, 'respond'), rendered.files);
    await writeFileAtomic(join(dir, 'respond', 'haproxy.cfg'), rendered.config, 0o644);
    const validation = await validateConfig(HAPROXY, join(dir, 'respond', 'haproxy.cfg'));
    assert.ok(validation.ok, validation.output);
    b.policy!.respond = 42;
    assert.throws(() => render(m, planLayout(undefined, m), dir), (err: unknown) => err instanceof RenderRefusedError);
  });

  test('a model without annotation settings renders as before: no peers, userlists or TLS files', () => {
    const m = model({ backends: [backend('ns_a_80', [server('127.0.0.2', 80)])], defaultCertificate: certificate('fallback', pem, []) });
    const { config, files } = render(m, planLayout(undefined, m), dir);
    assert.ok(config.includes('    log stdout format raw local0\n'));
    assert.ok(!/^(peers|userlist)|localpeer|log-format/m.test(config));
    assert.deepEqual(section(config, 'backend ns_a_80').slice(0, 2), ['    balance roundrobin', '    server s1 127.0.0.2:80']);
    assert.ok(files.every((f) => !f.path.startsWith('tls/')));
  });

  /** Models that did not come through translate's checks: the renderer refuses instead of writing them. */
  const unsafe: [string, (b: Draft<Backend>) => void][] = [
    ['a header value with a newline', (b) => { b.policy!.requestHeaders = [{ name: 'X-A', value: 'a\nserver evil 1.2.3.4:80' }]; }],
    ['a header name with a space', (b) => { b.policy!.requestHeaders = [{ name: 'X-A if TRUE', value: 'a' }]; }],
    ['an address with a space', (b) => { b.policy!.allow = ['10.0.0.1 0.0.0.0/0']; }],
    ['a realm with a control character', (b) => { b.policy!.auth!.realm = 'a\u0001'; }],
    ['a user name with a space', (b) => { b.policy!.auth!.users = [{ name: 'a b', hash: HASH }]; }],
    ['a snippet line with a newline', (b) => { b.snippet = { lines: ['timeout check 1s\nbackend evil'], source: INGRESS }; }],
    ['a cookie name with a quote', (b) => { b.cookie = { name: "a'b", dynamicKey: 'k' }; }],
    ['a check URI with a space', (b) => { b.server!.checkHttp = { method: 'GET', uri: '/a b' }; }],
    ['a CA bundle holding a private key', (b) => { b.server!.ssl = { ca: { id: 'ca_x', pem, source: INGRESS } }; }],
  ];
  for (const [name, corrupt] of unsafe) {
    test(`refuses ${name}`, () => {
      const m = sample();
      corrupt(m.backends.find((b) => b.policy)!);
      assert.throws(() => render(m, planLayout(undefined, m), dir), (err: unknown) => err instanceof RenderRefusedError);
    });
  }
});
