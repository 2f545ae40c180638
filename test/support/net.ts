/**
 * Loopback ports and the tests' HTTP client: one request on a fresh connection, with the Host
 * header and SNI a test of an ingress needs.
 */
import { createServer } from 'node:net';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';

/** A TCP port that was free a moment ago on `host` (the kernel picks it). */
/**
 * A port nothing listens on. Picked at random below Linux's ephemeral range (32768-60999): a port
 * the kernel handed out would be free again once closed, but the next outgoing connection (tests
 * make thousands) or another test process asking for port 0 can take it before HAProxy binds it.
 * Below that range only another random pick collides, one time in about 12,000.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (await canListen(port, host)) return port;
  }
  throw new Error(`no free port found on ${host}`);
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(false) : reject(err)));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export interface SimpleResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Parsed JSON body when it is an object (echo backends), else undefined. */
  json?: Record<string, unknown>;
  certificate?: PeerCertificate;
  /** Subject CN of the certificate the server presented (HTTPS only). */
  certificateCN?: string;
}

/**
 * One request on a fresh connection, with an explicit Host header (and SNI for HTTPS), as test
 * clients of an ingress need: fetch() refuses to set Host.
 */
export async function send(options: {
  address: string;
  port: number;
  host?: string;
  path?: string;
  method?: string;
  https?: boolean;
  /** SNI name for HTTPS; defaults to `host`. */
  servername?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  /** Source address of the connection (a 127.0.0.x address, for address-based rules). */
  localAddress?: string;
}): Promise<SimpleResponse> {
  const request = options.https ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.address,
        port: options.port,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        headers: { ...(options.host ? { host: options.host } : {}), ...options.headers },
        agent: false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        ...(options.https ? { servername: options.servername ?? options.host, rejectUnauthorized: false } : {}),
        timeout: options.timeoutMs ?? 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            const parsed: unknown = JSON.parse(body);
            if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
          } catch {
            // not JSON
          }
          const certificate = options.https ? (res.socket as TLSSocket).getPeerCertificate?.() : undefined;
          resolve({
            status: res.statusCode ?? 0, headers: res.headers, body, json, certificate,
            ...(certificate ? { certificateCN: String(certificate.subject?.CN ?? '') } : {}),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Options for {@link get}. */
export interface GetOptions {
  host?: string;
  headers?: Record<string, string>;
  path?: string;
  /** Use HTTPS with this SNI name. */
  servername?: string;
  timeoutMs?: number;
  /** GET unless given. */
  method?: string;
}

/** A GET (or `method`) to 127.0.0.1:`port` on a fresh connection: {@link send} as the driver's tests call it. */
export function get(port: number, options: GetOptions = {}): Promise<SimpleResponse> {
  const { servername, ...rest } = options;
  return send({ address: '127.0.0.1', port, ...rest, ...(servername === undefined ? {} : { https: true, servername }) });
}
