import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { canonicalHeaderKey, goJson, groupRawHeaders, startEchoServer, type EchoServer } from './echo-server.js';

interface RawResponse {
  head: string;
  status: number;
  headers: Map<string, string[]>;
  body: string;
}

/** Sends bytes exactly as given and reads one response (the server closes). */
function rawRequest(port: number, text: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = raw.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = new Map<string, string[]>();
      for (const line of lines) {
        const i = line.indexOf(':');
        const key = line.slice(0, i).toLowerCase();
        headers.set(key, [...(headers.get(key) ?? []), line.slice(i + 1).trim()]);
      }
      resolve({ head, status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

describe('canonicalHeaderKey', () => {
  test('upper-cases the first letter and letters after dashes, lower-cases the rest', () => {
    assert.equal(canonicalHeaderKey('x-forwarded-for'), 'X-Forwarded-For');
    assert.equal(canonicalHeaderKey('USER-AGENT'), 'User-Agent');
    assert.equal(canonicalHeaderKey('content-md5'), 'Content-Md5');
    assert.equal(canonicalHeaderKey('x--y'), 'X--Y');
  });

  test('leaves keys with non-token characters unchanged, like Go', () => {
    assert.equal(canonicalHeaderKey('bad key'), 'bad key');
    assert.equal(canonicalHeaderKey('a(b'), 'a(b');
  });
});

describe('groupRawHeaders', () => {
  test('merges lines that differ only in case, keeps arrival order and sorts keys', () => {
    const grouped = groupRawHeaders(['x-b', '1', 'Host', 'h', 'X-A', 'a', 'X-B', '2', 'x-B', '3'], ['host']);
    assert.deepEqual(Object.keys(grouped), ['X-A', 'X-B']);
    assert.deepEqual(grouped['X-B'], ['1', '2', '3']);
  });
});

describe('goJson', () => {
  test('indents with one space and escapes <, > and & like encoding/json', () => {
    assert.equal(goJson({ a: '<&>' }), '{\n "a": "\\u003c\\u0026\\u003e"\n}');
    assert.deepEqual(JSON.parse(goJson({ a: '<&>' })), { a: '<&>' });
  });
});

describe('echo server', () => {
  let echo: EchoServer;
  before(async () => {
    echo = await startEchoServer({
      env: { POD_NAME: 'pod-1', NAMESPACE: 'ns-1', INGRESS_NAME: 'ing-1', SERVICE_NAME: 'svc-1' },
    });
  });
  after(() => echo.close());

  test('answers /health with 200 OK as plain text, also when the path has doubled slashes', async () => {
    for (const path of ['/health', '//health', '/health?probe=1']) {
      const res = await rawRequest(echo.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.equal(res.status, 200, path);
      assert.equal(res.body, 'OK');
      assert.equal(res.headers.get('content-type')?.[0], 'text/plain; charset=utf-8');
    }
  });

  test('echoes raw path with query, host with port, method, proto and the pod environment', async () => {
    const res = await rawRequest(echo.port, 'DELETE /a/b?x=1&y=%20 HTTP/1.1\r\nHost: example.test:8080\r\nConnection: close\r\n\r\n');
    const body = JSON.parse(res.body);
    assert.equal(body.path, '/a/b?x=1&y=%20');
    assert.equal(body.host, 'example.test:8080');
    assert.equal(body.method, 'DELETE');
    assert.equal(body.proto, 'HTTP/1.1');
    assert.deepEqual(
      [body.namespace, body.ingress, body.service, body.pod],
      ['ns-1', 'ing-1', 'svc-1', 'pod-1'],
    );
    assert.equal(body.tls, undefined);
  });

  test('reports HTTP/1.0 requests as such', async () => {
    const res = await rawRequest(echo.port, 'GET / HTTP/1.0\r\nHost: a\r\n\r\n');
    assert.equal(JSON.parse(res.body).proto, 'HTTP/1.0');
  });

  test('reports headers under canonical keys, one entry per line in arrival order, without Host', async () => {
    const res = await rawRequest(
      echo.port,
      'GET / HTTP/1.1\r\nhost: h\r\nx-multi: one\r\nX-MULTI: two\r\nuser-agent: ua\r\nX-Multi: three\r\nConnection: close\r\n\r\n',
    );
    const headers = JSON.parse(res.body).headers as Record<string, string[]>;
    assert.deepEqual(headers['X-Multi'], ['one', 'two', 'three']);
    assert.deepEqual(headers['User-Agent'], ['ua']);
    assert.equal(headers.Host, undefined);
    assert.deepEqual(Object.keys(headers), [...Object.keys(headers)].sort());
  });

  test('sets JSON content type, nosniff and an exact Content-Length, and no Server header', async () => {
    const res = await rawRequest(echo.port, `GET /${'x'.repeat(3000)} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`);
    assert.equal(res.headers.get('content-type')?.[0], 'application/json');
    assert.equal(res.headers.get('x-content-type-options')?.[0], 'nosniff');
    assert.equal(Number(res.headers.get('content-length')?.[0]), Buffer.byteLength(res.body));
    assert.equal(res.headers.has('transfer-encoding'), false);
    assert.equal(res.headers.has('server'), false);
    assert.ok(res.headers.has('date'));
  });

  test('close() ends idle keep-alive connections promptly', async () => {
    const other = await startEchoServer();
    const agent = new http.Agent({ keepAlive: true });
    try {
      await new Promise<void>((resolve, reject) => {
        http.get(`${other.url}/`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
      });
      const started = Date.now();
      await other.close();
      assert.ok(Date.now() - started < 1000, 'close waited for the idle connection');
      await assert.rejects(
        new Promise((resolve, reject) => http.get(`${other.url}/`, { agent: false }, resolve).on('error', reject)),
      );
    } finally {
      agent.destroy();
    }
  });
});
