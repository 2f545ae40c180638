import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpHandlers {
  /** The process is alive and its loop turns. */
  healthy(): boolean;
  /** First sync applied and HAProxy serving; false while shutting down. */
  ready(): boolean;
  metrics(): Promise<{ contentType: string; body: string }>;
  /** Read-only state for `/admin/*`: path below `/admin/` -> JSON value, undefined for 404. */
  admin(path: string): unknown;
}

export interface RunningHttpServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Health, readiness, metrics and the read-only admin API on one small HTTP server
 * (`--health-port`). Everything it serves is computed by the handlers at request time.
 */
export async function startHttpServer(options: { host: string; port: number; handlers: HttpHandlers }): Promise<RunningHttpServer> {
  const { handlers } = options;
  const server = createServer((req, res) => {
    route(req, res, handlers).catch((err: Error) => send(res, 500, 'text/plain', `error: ${err.message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, handlers: HttpHandlers): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
  if (path === '/healthz') return handlers.healthy() ? send(res, 200, 'text/plain', 'ok\n') : send(res, 500, 'text/plain', 'unhealthy\n');
  if (path === '/readyz') return handlers.ready() ? send(res, 200, 'text/plain', 'ok\n') : send(res, 503, 'text/plain', 'not ready\n');
  if (path === '/metrics') {
    const { contentType, body } = await handlers.metrics();
    return send(res, 200, contentType, body);
  }
  if (path.startsWith('/admin/')) {
    const value = handlers.admin(path.slice('/admin/'.length));
    if (value === undefined) return send(res, 404, 'application/json', '{"error":"not found"}\n');
    return send(res, 200, 'application/json', JSON.stringify(value, null, 2) + '\n');
  }
  send(res, 404, 'text/plain', 'not found\n');
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
