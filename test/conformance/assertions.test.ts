import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertDistinctPods,
  assertHeaderTable,
  assertRequestHost,
  assertRequestPath,
  assertServedBy,
  assertStatusCode,
  assertTlsHostname,
} from './assertions.js';
import type { Capture } from './client.js';

function capture(overrides: { request?: Partial<Capture['request']>; response?: Partial<Capture['response']> } = {}): Capture {
  return {
    request: {
      path: '/', host: 'h', method: 'GET', proto: 'HTTP/1.1', headers: { 'User-Agent': ['Go-http-client/1.1'] },
      namespace: 'ns', ingress: 'i', service: 'svc', pod: 'p', ...overrides.request,
    },
    response: {
      statusCode: 200, contentLength: 2, proto: 'HTTP/1.1', headers: { 'Content-Length': ['2'], Server: ['x'] },
      tlsHostname: '', ...overrides.response,
    },
  };
}

describe('assertions', () => {
  test('status code and served-by compare exactly and explain the mismatch', () => {
    assert.doesNotThrow(() => assertStatusCode(capture(), 200));
    assert.throws(() => assertStatusCode(capture(), 404), /expected status code 404 but 200 was returned/);
    assert.doesNotThrow(() => assertServedBy(capture(), 'svc'));
    assert.throws(() => assertServedBy(capture({ request: { service: '' } }), 'svc'), /served by svc/);
  });

  test('request path gets a leading slash before the exact comparison', () => {
    assert.doesNotThrow(() => assertRequestPath(capture({ request: { path: '/resource' } }), 'resource'));
    assert.doesNotThrow(() => assertRequestPath(capture({ request: { path: '/' } }), ''));
    assert.throws(() => assertRequestPath(capture({ request: { path: '/resource/' } }), 'resource'));
  });

  test('request host must match exactly, so a port fails it', () => {
    assert.throws(() => assertRequestHost(capture({ request: { host: 'foo.bar.com:80' } }), 'foo.bar.com'));
  });

  test('header tables skip the heading row, accept * for any value and require an exact value otherwise', () => {
    const c = capture();
    assert.doesNotThrow(() => assertHeaderTable('response', c, [['key', 'value'], ['Content-Length', '*'], ['Server', '*']]));
    assert.throws(() => assertHeaderTable('response', c, [['key', 'value'], ['Date', '*']]), /response headers to contain Date/);
    assert.doesNotThrow(() => assertHeaderTable('request', c, [['key', 'value'], ['user-agent', 'Go-http-client/1.1']]));
    assert.throws(() => assertHeaderTable('request', c, [['key', 'value'], ['User-Agent', 'curl']]), /to contain a curl value/);
    assert.throws(() => assertHeaderTable('request', c, [['User-Agent', 'Go-http-client/1.1']]), /heading/);
    assert.throws(() => assertHeaderTable('request', c, undefined), /table/);
  });

  test('the TLS check needs a certificate and a matching first DNS name', () => {
    assert.throws(() => assertTlsHostname(capture(), 'foo.bar.com'), /not received over TLS/);
    const cert = { subjectaltname: 'DNS:other.test', subject: {} } as unknown as NonNullable<Capture['response']['certificate']>;
    assert.throws(
      () => assertTlsHostname(capture({ response: { certificate: cert, tlsHostname: 'other.test' } }), 'foo.bar.com'),
      /TLS hostname to be foo.bar.com but was other.test/,
    );
  });

  test('distinct pods counts only the bucket of the expected status', () => {
    const results = new Map([[200, new Set(['a', 'b'])], [502, new Set([''])]]);
    assert.doesNotThrow(() => assertDistinctPods(results, 200, 2));
    assert.throws(() => assertDistinctPods(results, 200, 3), /expected 3 different pods/);
    assert.throws(() => assertDistinctPods(results, 404, 1), /no responses for status code 404/);
  });
});
