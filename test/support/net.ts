import { createServer } from 'node:net';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';

/** A TCP port that was free a moment ago on `host` (the kernel picks it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface SimpleResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Parsed JSON body when it is an object (echo backends), else undefined. */
  json?: Record<string, unknown>;
  certificate?: PeerCertificate;
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
        ...(options.https ? { servername: options.host, rejectUnauthorized: false } : {}),
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
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json, certificate });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Polls `check` until it returns a truthy value or the time runs out (then throws with the last value). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (last) return last as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'condition'}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 25));
  }
}
