/**
 * ConfigMap-only keys and config snippets through a real HAProxy: process settings as HAProxy
 * reports them, logs (format and syslog targets), the request timeout, snippets in all three
 * sections, and a snippet HAProxy rejects being pinned on the Ingress that wrote it.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sendText } from '../../src/haproxy/runtime/client.js';
import { makeCertificatePem } from '../support/certs.js';
import { eventually } from '../support/eventually.js';
import { objects, request, startBackend, startPolicyProxy, type Backend, type PolicyProxy } from './policy-support.js';

let proxy: PolicyProxy;
let app: Backend;
let syslog: Socket;
const datagrams: string[] = [];
const DEFAULT_PEM = makeCertificatePem('configured-default.test');

function world(syslogPort: number, extra: unknown[] = [], keys: Record<string, string> = {}): unknown[] {
  return [
    objects.configMap({
      ...keys,
      maxconn: '1000',
      nbthread: '2',
      'timeout-http-request': '300ms',
      'hard-stop-after': '10s',
      'log-format': 'PCLTEST status=%ST uri=%HU backend=%b',
      'syslog-server': `address:stdout, format:raw, facility:local0\naddress:127.0.0.1, port:${syslogPort}, facility:local1, level:info`,
      'global-config-snippet': 'set-var proc.pcl_snippet str(from-global)',
      'frontend-config-snippet': 'http-response set-header X-Global %[var(proc.pcl_snippet)]\nhttp-request set-header X-Frontend-Snippet seen',
      'ssl-certificate': 'default/configured-default',
    }),
    objects.secret('configured-default', { 'tls.crt': DEFAULT_PEM.slice(0, DEFAULT_PEM.indexOf('-----BEGIN PRIVATE KEY')), 'tls.key': DEFAULT_PEM.slice(DEFAULT_PEM.indexOf('-----BEGIN PRIVATE KEY')) }),
    objects.service('app', { 'haproxy.org/backend-config-snippet': 'http-response set-header X-Backend-Snippet service' }),
    objects.endpoints('app', [app.port]),
    objects.ingress('web', 'web.example.com', 'app'),
    ...extra,
  ];
}

before(async () => {
  app = await startBackend();
  syslog = createSocket('udp4');
  syslog.on('message', (message) => datagrams.push(message.toString('utf8')));
  await new Promise<void>((resolve) => syslog.bind(0, '127.0.0.1', () => resolve()));
  proxy = await startPolicyProxy();
  await proxy.apply(world(syslog.address().port), { allowConfigSnippets: true });
});

after(async () => {
  await proxy?.close();
  await app?.close();
  syslog?.close();
});

describe('global settings', () => {
  test('maxconn and nbthread are what HAProxy runs with', async () => {
    const info = await sendText(join(proxy.harness.stateDir, 'run/admin.sock'), 'show info\n', 2000);
    assert.match(info, /^Maxconn: 1000$/m);
    assert.match(info, /^Nbthread: 2$/m);
  });

  test('a request head slower than timeout-http-request gets 408', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(proxy.port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: web.example.com\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      setTimeout(() => socket.destroy(new Error('no answer within 3 s')), 3000);
    });
    assert.match(answer, /^HTTP\/1\.[01] 408/);
  });

  test('log-format shapes the traffic log, written to stdout and to the syslog server', async () => {
    assert.equal((await request(proxy.port, { host: 'web.example.com' })).status, 200);
    const line = await eventually(() => proxy.harness.logs.find((l) => l.includes('PCLTEST status=200')), { what: 'log line on stdout' });
    assert.match(line, /PCLTEST status=200 uri=\/ backend=default_app_80$/);
    const datagram = await eventually(() => datagrams.find((d) => d.includes('PCLTEST status=200')), { what: 'syslog datagram' });
    // facility local1 (17) * 8 + severity info (6) = 142
    assert.match(datagram, /^<142>.*PCLTEST status=200 uri=\/ backend=/);
  });
});

test('disable-access-log stops the traffic log; without it the next request is logged again', async () => {
  const port = syslog.address().port;
  const marker = `/quiet-${process.pid}`;
  await proxy.apply(world(port, [], { 'disable-access-log': 'true' }), { allowConfigSnippets: true });
  try {
    assert.equal((await request(proxy.port, { host: 'web.example.com', path: marker })).status, 200);
  } finally {
    await proxy.apply(world(port), { allowConfigSnippets: true });
  }
  // The logged request comes after the quiet one: once its line is in, the quiet one's would be.
  const loud = `/loud-${process.pid}`;
  assert.equal((await request(proxy.port, { host: 'web.example.com', path: loud })).status, 200);
  await eventually(() => proxy.harness.logs.some((l) => l.includes(`uri=${loud}`)) && datagrams.some((d) => d.includes(`uri=${loud}`)), { what: 'the logged request' });
  assert.deepEqual([...proxy.harness.logs, ...datagrams].filter((l) => l.includes(marker)), []);
});

test('ssl-certificate: names no certificate covers get the ConfigMap\'s certificate', async () => {
  const subject = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: proxy.harness.httpsPort, servername: 'unknown.example.com', rejectUnauthorized: false, agent: false }, (res) => {
      resolve(String((res.socket as TLSSocket).getPeerCertificate().subject.CN));
      res.resume();
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(subject, 'configured-default.test');
});

describe('config snippets', () => {
  test('global, frontend and backend snippets all apply', async () => {
    const reply = await request(proxy.port, { host: 'web.example.com' });
    assert.equal(reply.headers['x-global'], 'from-global');
    assert.equal(reply.headers['x-backend-snippet'], 'service');
    // The frontend snippet's request rules run however the request was routed: by the fast path
    // (the Host as sent is a map key) or by the normalising path (upper case and a port).
    for (const host of ['web.example.com', `WEB.example.com:${proxy.port}`]) {
      const seen = (await request(proxy.port, { host })).json as { headers?: Record<string, string> } | undefined;
      assert.equal(seen?.headers?.['x-frontend-snippet'], 'seen', host);
    }
  });

  test('a snippet HAProxy rejects is pinned on its Ingress, and leaving that Ingress out applies the rest', async () => {
    // A Service without a snippet of its own: the Service's would win over the Ingress's.
    const extra = [
      objects.service('plain'),
      objects.endpoints('plain', [app.port]),
      objects.ingress('bad', 'bad.example.com', 'plain', { 'haproxy.org/backend-config-snippet': 'http-request frobnicate' }),
      objects.ingress('other', 'other.example.com', 'plain', { 'haproxy.org/set-host': 'other.internal' }),
    ];
    const rejected = await proxy.harness.driver.apply(proxy.model(world(syslog.address().port, extra), { allowConfigSnippets: true }));
    assert.equal(rejected.error?.code, 'PCL_ERR_HAPROXY_VALIDATION');
    assert.deepEqual(rejected.error?.source, { kind: 'Ingress', namespace: 'default', name: 'bad' });
    assert.equal((await request(proxy.port, { host: 'web.example.com' })).status, 200, 'the last good configuration keeps serving');
    await proxy.apply(world(syslog.address().port, extra), { allowConfigSnippets: true, excluded: new Set(['Ingress/default/bad']) });
    const reply = await request(proxy.port, { host: 'other.example.com' });
    assert.equal(reply.status, 200);
    assert.equal((reply.json as { headers: Record<string, string> }).headers.host, 'other.internal');
  });
});
