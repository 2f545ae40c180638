/** Loopback-only network helpers for the haproxy layer's tests: echo backends, free ports, requests. */
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface EchoBackend {
  name: string;
  host: string;
  port: number;
  /** Requests answered so far. */
  hits: number;
  close(): Promise<void>;
}

function listen(server: Server, host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** A port that was free a moment ago on `host` (probed by binding port 0). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createHttpServer();
  const port = await listen(server, host);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * An HTTP server on `host` answering its own `name` as the body, with what it saw in headers
 * (`x-seen-host`, `x-seen-url`, `x-seen-proto`, `x-seen-for`); it sends a `Server` header only when
 * asked to with `x-send-server: <value>`. `delayMs` delays every answer.
 */
export async function startEchoBackend(name: string, host: string, delayMs = 0): Promise<EchoBackend> {
  const backend: EchoBackend = { name, host, port: 0, hits: 0, close: async () => undefined };
  const pending = new Set<NodeJS.Timeout>();
  const server = createHttpServer((req, res) => {
    backend.hits++;
    const answer = () => {
      res.setHeader('x-seen-host', req.headers.host ?? '');
      res.setHeader('x-seen-url', req.url ?? '');
      res.setHeader('x-seen-proto', String(req.headers['x-forwarded-proto'] ?? ''));
      res.setHeader('x-seen-for', String(req.headers['x-forwarded-for'] ?? ''));
      res.setHeader('x-seen-headers', JSON.stringify(req.headers));
      const ownServer = req.headers['x-send-server'];
      if (typeof ownServer === 'string') res.setHeader('server', ownServer);
      res.end(name);
    };
    if (delayMs === 0) return answer();
    const timer = setTimeout(() => {
      pending.delete(timer);
      answer();
    }, delayMs);
    pending.add(timer);
  });
  backend.port = await listen(server, host);
  backend.close = () => new Promise((resolve) => {
    for (const timer of pending) clearTimeout(timer);
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return backend;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Subject CN of the certificate HAProxy presented (HTTPS only). */
  certificateCN?: string;
}

export interface RequestOptions {
  host?: string;
  headers?: Record<string, string>;
  path?: string;
  /** Use HTTPS with this SNI name. */
  servername?: string;
  timeoutMs?: number;
  /** GET unless given. */
  method?: string;
}

/** One request to 127.0.0.1:`port` on a fresh connection. */
export function get(port: number, options: RequestOptions = {}): Promise<Reply> {
  const { host, path = '/', servername, timeoutMs = 5000, headers = {}, method = 'GET' } = options;
  const send = servername === undefined ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send({
      host: '127.0.0.1', port, path, method, agent: false, timeout: timeoutMs,
      headers: host === undefined ? headers : { ...headers, host },
      ...(servername === undefined ? {} : { servername, rejectUnauthorized: false }),
    }, (res) => {
      const chunks: Buffer[] = [];
      const cert = servername === undefined ? undefined : (res.socket as TLSSocket).getPeerCertificate();
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        ...(cert ? { certificateCN: String(cert.subject?.CN ?? '') } : {}),
      }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
