import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { selfSignedCertificate } from '../support/certs.js';
import { startEchoServer, type EchoServer } from '../support/echo-server.js';
import { captureRoundTrip, dnsNames, parseEchoBody } from './client.js';

interface Seen {
  url: string;
  rawHeaders: string[];
  servername?: string;
  remotePort: number;
}

/** A server that records each request and answers with `respond`. */
async function recordingServer(
  make: (l: http.RequestListener) => http.Server,
  respond: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ port: number; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = make((req, res) => {
    seen.push({
      url: req.url ?? '',
      rawHeaders: req.rawHeaders,
      servername: (req.socket as TLSSocket & { servername?: string }).servername,
      remotePort: req.socket.remotePort ?? 0,
    });
    respond(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function headerNames(raw: readonly string[]): string[] {
  return raw.filter((_, i) => i % 2 === 0).map((k) => k.toLowerCase());
}

describe('captureRoundTrip over plain HTTP', () => {
  let echo: EchoServer;
  before(async () => {
    echo = await startEchoServer({ env: { SERVICE_NAME: 'svc', POD_NAME: 'pod-a' } });
  });
  after(() => echo.close());
  const ports = () => ({ http: echo.port, https: 1 });

  test('sends only Host and the Go User-Agent, and decodes the echo body', async () => {
    const { request, response } = await captureRoundTrip({
      method: 'GET', scheme: 'http', hostname: 'my-host', path: 'sub-path', location: '127.0.0.1', ports: ports(),
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.proto, 'HTTP/1.1');
    assert.equal(request.service, 'svc');
    assert.equal(request.pod, 'pod-a');
    assert.equal(request.host, 'my-host');
    assert.equal(request.path, '/sub-path');
    assert.deepEqual(request.headers, { 'User-Agent': ['Go-http-client/1.1'] });
    assert.equal(response.contentLength, Number(response.headers['Content-Length'][0]));
  });

  test('uses the address (with a non-default port) as Host when the hostname is empty', async () => {
    const { request } = await captureRoundTrip({
      method: 'PUT', scheme: 'http', hostname: '', path: '/resource', location: '127.0.0.1', ports: ports(),
    });
    assert.equal(request.host, `127.0.0.1:${echo.port}`);
    assert.equal(request.method, 'PUT');
    assert.deepEqual(request.headers['Content-Length'], ['0'], 'Go announces an empty PUT body');
  });

  test('sends GET and DELETE without any body framing headers', async () => {
    for (const method of ['GET', 'DELETE']) {
      const { request } = await captureRoundTrip({ method, scheme: 'http', hostname: 'h', path: '', location: '127.0.0.1', ports: ports() });
      assert.equal(request.headers['Content-Length'], undefined, method);
      assert.equal(request.headers['Transfer-Encoding'], undefined, method);
    }
  });

  test('reports Go-canonical response header keys', async () => {
    const { response } = await captureRoundTrip({ method: 'GET', scheme: 'http', hostname: 'h', path: '/', location: '127.0.0.1', ports: ports() });
    assert.deepEqual(response.headers['X-Content-Type-Options'], ['nosniff']);
    assert.ok(response.headers.Date);
    assert.equal(response.headers.date, undefined);
  });
});

describe('captureRoundTrip connections, redirects and failures', () => {
  test('opens a new connection for every request and sends no Connection or Accept-Encoding header', async () => {
    const srv = await recordingServer(http.createServer, (_q, res) => res.end('{}'));
    try {
      for (let i = 0; i < 2; i++) {
        await captureRoundTrip({ method: 'GET', scheme: 'http', hostname: 'a', path: '/', location: '127.0.0.1', ports: { http: srv.port, https: 1 } });
      }
      assert.equal(srv.seen.length, 2);
      assert.notEqual(srv.seen[0].remotePort, srv.seen[1].remotePort);
      assert.deepEqual(headerNames(srv.seen[0].rawHeaders), ['host', 'user-agent']);
    } finally {
      await srv.close();
    }
  });

  test('follows an HTTP to HTTPS redirect against the same address with the new Host, SNI and path', async () => {
    const { certPem, keyPem } = selfSignedCertificate({ hosts: ['foo.bar.com'] });
    const secure = await recordingServer(
      (l) => https.createServer({ cert: certPem, key: keyPem }, l),
      (req, res) => res.end(JSON.stringify({ host: req.headers.host, path: req.url, service: 'secure' })),
    );
    const plain = await recordingServer(http.createServer, (_q, res) => {
      res.writeHead(308, { Location: 'https://foo.bar.com/landing?q=1' }).end();
    });
    try {
      const { request, response } = await captureRoundTrip({
        method: 'GET', scheme: 'http', hostname: 'foo.bar.com', path: '/start', location: '127.0.0.1',
        ports: { http: plain.port, https: secure.port },
      });
      assert.equal(response.statusCode, 200);
      assert.equal(request.service, 'secure');
      assert.equal(request.host, 'foo.bar.com');
      assert.equal(request.path, '/landing', 'the query of the Location is dropped');
      assert.equal(secure.seen[0].servername, 'foo.bar.com');
      assert.equal(response.tlsHostname, 'foo.bar.com');
      assert.equal(response.certificate?.fingerprint256, new (await import('node:crypto')).X509Certificate(certPem).fingerprint256);
    } finally {
      await Promise.all([plain.close(), secure.close()]);
    }
  });

  test('resolves a relative Location against the address, so Host becomes the address without port', async () => {
    const srv = await recordingServer(http.createServer, (req, res) => {
      if (req.url === '/old') res.writeHead(302, { Location: '/new' }).end();
      else res.end(JSON.stringify({ host: req.headers.host, path: req.url }));
    });
    try {
      const { request } = await captureRoundTrip({
        method: 'GET', scheme: 'http', hostname: 'named.test', path: '/old', location: '127.0.0.1', ports: { http: srv.port, https: 1 },
      });
      assert.equal(request.path, '/new');
      assert.equal(request.host, '127.0.0.1');
    } finally {
      await srv.close();
    }
  });

  test('gives up on an endless redirect loop', async () => {
    const srv = await recordingServer(http.createServer, (_q, res) => res.writeHead(301, { Location: '/again' }).end());
    try {
      await assert.rejects(
        captureRoundTrip({ method: 'GET', scheme: 'http', hostname: 'h', path: '/', location: '127.0.0.1', ports: { http: srv.port, https: 1 }, maxRedirects: 3 }),
        /redirects/,
      );
      assert.equal(srv.seen.length, 4);
    } finally {
      await srv.close();
    }
  });

  test('leaves the captured request empty for a non-JSON body and keeps the status', async () => {
    const srv = await recordingServer(http.createServer, (_q, res) => res.writeHead(404).end('<html>not found</html>'));
    try {
      const { request, response } = await captureRoundTrip({ method: 'GET', scheme: 'http', hostname: 'h', path: '/', location: '127.0.0.1', ports: { http: srv.port, https: 1 } });
      assert.equal(response.statusCode, 404);
      assert.equal(request.service, '');
      assert.deepEqual(request.headers, {});
    } finally {
      await srv.close();
    }
  });

  test('fails a request that gets no answer within the timeout', async () => {
    const srv = await recordingServer(http.createServer, () => undefined);
    try {
      const started = Date.now();
      await assert.rejects(
        captureRoundTrip({ method: 'GET', scheme: 'http', hostname: 'h', path: '/', location: '127.0.0.1', ports: { http: srv.port, https: 1 }, timeoutMs: 200 }),
        /timed out/,
      );
      assert.ok(Date.now() - started < 2000);
    } finally {
      await srv.close();
    }
  });

  test('fails an HTTPS request whose certificate has no DNS name', async () => {
    const { certPem, keyPem } = selfSignedCertificate({ hosts: ['127.0.0.1'] });
    const srv = await recordingServer((l) => https.createServer({ cert: certPem, key: keyPem }, l), (_q, res) => res.end('{}'));
    try {
      await assert.rejects(
        captureRoundTrip({ method: 'GET', scheme: 'https', hostname: 'x.test', path: '/', location: '127.0.0.1', ports: { http: 1, https: srv.port } }),
        /no DNS subject alternative name/,
      );
    } finally {
      await srv.close();
    }
  });
});

describe('response helpers', () => {
  test('parseEchoBody ignores arrays, scalars and wrongly typed fields', () => {
    assert.equal(parseEchoBody('[1]').service, '');
    assert.equal(parseEchoBody('"x"').service, '');
    assert.equal(parseEchoBody('{"service": 5, "pod": "p"}').service, '');
    assert.equal(parseEchoBody('{"service": 5, "pod": "p"}').pod, 'p');
  });

  test('dnsNames keeps certificate order, skips IP entries and unquotes quoted names', () => {
    assert.deepEqual(dnsNames('IP Address:1.2.3.4, DNS:a.test, DNS:"b,c.test", DNS:d.test'), ['a.test', 'b,c.test', 'd.test']);
    assert.deepEqual(dnsNames(undefined), []);
  });
});
