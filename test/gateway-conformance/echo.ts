/**
 * The Gateway API suite's echo backend (README §3 of the upstream description) on loopback: HTTP
 * on one port, h2c on another, HTTPS when given a key pair; `/health`, `/status/NNN`, `/retry/`,
 * `/ws` and the JSON echo with `X-Echo-Set-Header` and `delay`. Header grouping and Go's JSON
 * bytes come from the Ingress suite's echo (test/support/echo-server.ts).
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { goJson, groupRawHeaders, listenOn, type Listening } from '../support/echo-server.js';
import { upgradeWebSocket } from './websocket.js';

/** Identity and ports of one replica, as the pod's environment gives them. */
export interface GatewayEchoOptions {
  host: string;
  podName: string;
  namespace: string;
  httpPort?: number;
  h2cPort?: number;
  /** Serve HTTPS on this port with the key pair (TLS backends). */
  https?: { port: number; certPem: string; keyPem: string };
  /** One line per echoed request, like the image's stdout (read by the mirror checks). */
  log?: (line: string) => void;
}

/** A running replica. */
export interface GatewayEcho {
  host: string;
  httpPort: number;
  h2cPort: number;
  httpsPort?: number;
  podName: string;
  namespace: string;
  close(): Promise<void>;
}

type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;

const DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration (`1s`, `500ms`, `1m30s`) in milliseconds, or undefined when it does not parse. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  let rest = text;
  let total = 0;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m || !DURATION.test(m[0])) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    rest = rest.slice(m[0].length);
  }
  return text ? total : undefined;
}

/**
 * The response headers `X-Echo-Set-Header` asks for: items `name:value` split on `,`, names kept
 * with their exact casing, a repeated name appended with `,`; items with no name dropped.
 */
export function echoSetHeaders(values: readonly string[]): Array<[string, string]> {
  const out = new Map<string, string>();
  for (const value of values) {
    for (const item of value.split(',')) {
      const trimmed = item.trim();
      const colon = trimmed.indexOf(':');
      const name = (colon === -1 ? trimmed : trimmed.slice(0, colon)).trim();
      const val = colon === -1 ? '' : trimmed.slice(colon + 1).trim();
      if (!name || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) continue;
      out.set(name, out.has(name) ? `${out.get(name)},${val}` : val);
    }
  }
  return [...out];
}

function rawHeaderValues(req: AnyRequest, name: string): string[] {
  const want = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === want) values.push(req.rawHeaders[i + 1]);
  return values;
}

function tlsOf(req: AnyRequest): object | undefined {
  const socket = req.socket as TLSSocket;
  if (!socket.encrypted) return undefined;
  return {
    version: socket.getProtocol() ?? '',
    serverName: (socket as TLSSocket & { servername?: string | false }).servername || undefined,
    ...(socket.alpnProtocol ? { negotiatedProtocol: socket.alpnProtocol } : {}),
    cipherSuite: socket.getCipher()?.standardName ?? '',
  };
}

/** The echo JSON for a request. */
export function echoBody(req: AnyRequest, o: GatewayEchoOptions, httpPort: number): object {
  const h2 = req.httpVersionMajor === 2;
  const raw = h2 ? req.rawHeaders.filter((_, i, all) => !all[i - (i % 2)].startsWith(':')) : req.rawHeaders;
  const host = h2 ? String(req.headers[':authority'] ?? '') : String(req.headers.host ?? '');
  const tls = tlsOf(req);
  return {
    path: req.url ?? '',
    host,
    method: req.method ?? '',
    proto: `HTTP/${h2 ? '2.0' : req.httpVersion}`,
    headers: groupRawHeaders(raw, ['Host', 'Transfer-Encoding']),
    httpPort: String(httpPort),
    namespace: o.namespace,
    ingress: '',
    service: '',
    pod: o.podName,
    ...(tls ? { tls } : {}),
  };
}

function send(res: AnyResponse, status: number, type: string | undefined, body: string, extra: Array<[string, string]> = []): void {
  for (const [name, value] of extra) (res as http.ServerResponse).setHeader(name, value);
  if (type) res.setHeader('Content-Type', type);
  if (type === 'application/json') res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.writeHead(status);
  res.end(body);
}

function queryValue(req: AnyRequest, name: string): string | undefined {
  return new URL(req.url ?? '/', 'http://x').searchParams.get(name) ?? undefined;
}

/** Per-uuid attempt counters of the retry simulator, shared by a replica's ports. */
type RetryState = Map<string, number>;

function retry(req: AnyRequest, res: AnyResponse, state: RetryState): boolean {
  const uuid = queryValue(req, 'uuid');
  if (!uuid) return send(res, 400, 'text/plain; charset=utf-8', 'uuid is required'), true;
  const succeedAfter = Number.parseInt(queryValue(req, 'succeedAfter') ?? '', 10);
  if (!Number.isInteger(succeedAfter)) return send(res, 400, 'text/plain; charset=utf-8', 'succeedAfter must be an integer'), true;
  const attempts = state.get(uuid) ?? 0;
  if (attempts >= succeedAfter) return false;
  state.set(uuid, attempts + 1);
  const code = Number.parseInt(queryValue(req, 'responseCode') ?? '', 10);
  if (Number.isInteger(code)) send(res, code, undefined, '');
  else (req.socket as net.Socket).resetAndDestroy();
  return true;
}

function handler(o: GatewayEchoOptions, httpPort: () => number, state: RetryState) {
  return (req: AnyRequest, res: AnyResponse): void => {
    req.resume();
    const path = (req.url ?? '/').split('?')[0].split('//').join('/');
    if (path === '/health') return send(res, 200, 'text/plain; charset=utf-8', 'OK');
    if (path.startsWith('/status/')) {
      const m = /^\/status\/(\d\d\d)$/.exec(req.url ?? '');
      return m ? send(res, Number(m[1]), undefined, '') : send(res, 400, 'text/plain; charset=utf-8', 'bad status');
    }
    if (path.startsWith('/retry/') && retry(req, res, state)) return;
    o.log?.(`Echoing back request made to ${req.url} to client (${req.socket.remoteAddress}:${req.socket.remotePort})`);
    const answer = () => send(res, 200, 'application/json', goJson(echoBody(req, o, httpPort())), echoSetHeaders(rawHeaderValues(req, 'x-echo-set-header')));
    const delay = queryValue(req, 'delay');
    if (delay === undefined) return answer();
    const ms = parseGoDuration(delay);
    if (ms === undefined) return send(res, 500, 'application/json', goJson({ message: `time: invalid duration "${delay}"` }));
    setTimeout(answer, ms).unref();
  };
}

/**
 * The h2c port: HTTP/2 prior knowledge goes to an HTTP/2 session, an HTTP/1 request with
 * `Upgrade: h2c` is simply echoed, anything else gets 400, as the image does.
 */
function h2cServer(onRequest: ReturnType<typeof handler>): net.Server {
  const h2 = http2.createServer(onRequest);
  const h1 = http.createServer((req, res) => {
    if (String(req.headers.upgrade ?? '').toLowerCase() !== 'h2c') return send(res, 400, 'text/plain; charset=utf-8', 'Expected h2c request');
    onRequest(req, res);
  });
  h1.keepAliveTimeout = 0;
  return net.createServer((socket) => {
    socket.once('data', (first: Buffer) => {
      if (first.subarray(0, 3).toString('latin1') !== 'PRI') {
        socket.pause();
        socket.unshift(first);
        h1.emit('connection', socket);
        socket.resume();
        return;
      }
      // HTTP/2 reads the socket's native handle and would miss bytes already read; a JS stream
      // carrying the first chunk and then the rest hands it the whole connection.
      const relay = new Duplex({
        read() {},
        write(chunk: Buffer, _enc, done) {
          socket.write(chunk, done);
        },
        final(done) {
          socket.end(done);
        },
      });
      relay.push(first);
      socket.on('data', (d: Buffer) => relay.push(d));
      socket.on('end', () => relay.push(null));
      socket.on('error', (err) => relay.destroy(err));
      relay.on('close', () => socket.destroy());
      h2.emit('connection', relay);
    });
  });
}

/** Starts one replica's HTTP, h2c and (when configured) HTTPS servers. */
export async function startGatewayEcho(o: GatewayEchoOptions): Promise<GatewayEcho> {
  const state: RetryState = new Map();
  // The port the HTTP server got (the image reports its $HTTP_PORT, which is where it listens).
  let httpPort = o.httpPort ?? 3000;
  const onRequest = handler(o, () => httpPort, state);
  const listening: Listening[] = [];
  const close = async () => void (await Promise.all(listening.map((l) => l.close())));
  try {
    const plain = http.createServer(onRequest);
    plain.keepAliveTimeout = 0;
    plain.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => upgradeWebSocket(req, socket));
    const h = await listenOn(plain, o.host, httpPort);
    listening.push(h);
    httpPort = h.port;
    const c = await listenOn(h2cServer(onRequest), o.host, o.h2cPort ?? 3001);
    listening.push(c);
    let s: Listening | undefined;
    if (o.https) {
      const secure = https.createServer({ cert: o.https.certPem, key: o.https.keyPem }, onRequest);
      secure.keepAliveTimeout = 0;
      s = await listenOn(secure, o.host, o.https.port);
      listening.push(s);
    }
    return { host: o.host, httpPort: h.port, h2cPort: c.port, ...(s ? { httpsPort: s.port } : {}), podName: o.podName, namespace: o.namespace, close };
  } catch (err) {
    await close();
    throw err;
  }
}
