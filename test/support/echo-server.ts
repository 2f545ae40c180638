/**
 * Loopback HTTP backends that stand in for pods. The echo server answers exactly like the
 * conformance suite's echo server image (`ingressconformance/echoserver:v0.0.1`): `/health` says
 * `OK`, every other request is described back as JSON; tests, the demo and the conformance runner
 * use it. The named echo backend answers its name, for the driver's tests that count who answered.
 * Both listen and close through {@link listenOn}, which other test backends use too.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** A server listening on loopback. */
export interface Listening {
  port: number;
  /** Stops listening and ends every open connection, idle or not; the same promise when called again. */
  close(): Promise<void>;
}

/**
 * Listens on `host`:`port` (0 picks a free port). Closing ends idle and busy connections alike,
 * so a test never waits for a keep-alive connection a client left open.
 */
export async function listenOn(server: Server & { closeAllConnections?: () => void }, host = '127.0.0.1', port = 0): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}

/** Values the echo reports back, mirroring the pod's environment. */
export interface EchoEnv {
  POD_NAME?: string;
  NAMESPACE?: string;
  INGRESS_NAME?: string;
  SERVICE_NAME?: string;
}

/** Options for {@link startEchoServer}. */
export interface EchoServerOptions {
  /** Address to listen on; defaults to `127.0.0.1`. */
  host?: string;
  /** Port to listen on; `0` (the default) picks a free one. */
  port?: number;
  env?: EchoEnv;
  /** Serve HTTPS with this key pair instead of plain HTTP. */
  tls?: { certPem: string; keyPem: string };
  /** Receives one line per echoed request, like the image's stdout. */
  log?: (line: string) => void;
}

/** A running echo server. */
export interface EchoServer {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  url: string;
  host: string;
  port: number;
  /** Stops listening and ends every open connection, idle or not. */
  close(): Promise<void>;
}

/** Body of an echo response, as the Go image marshals it. */
export interface EchoBody {
  path: string;
  host: string;
  method: string;
  proto: string;
  headers: Record<string, string[]>;
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
  tls?: EchoTlsInfo;
}

/** TLS details, present only when the echo itself was reached over TLS. */
export interface EchoTlsInfo {
  version: string;
  peerCertificates?: string[];
  serverName: string;
  negotiatedProtocol?: string;
  cipherSuite: string;
}

const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Go's `textproto.CanonicalMIMEHeaderKey`: upper-case the first letter and
 * every letter after `-`, lower-case the rest. Keys with characters outside
 * the HTTP token set are returned unchanged, as Go does.
 */
export function canonicalHeaderKey(key: string): string {
  if (!TOKEN_CHARS.test(key)) return key;
  let upper = true;
  let out = '';
  for (const ch of key) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === '-';
  }
  return out;
}

/**
 * Groups raw header lines by canonical key, one value per line in arrival
 * order, with sorted keys (Go's JSON encoder sorts map keys).
 */
export function groupRawHeaders(
  rawHeaders: readonly string[],
  skip: readonly string[] = [],
): Record<string, string[]> {
  const skipped = new Set(skip.map(canonicalHeaderKey));
  const grouped = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = canonicalHeaderKey(rawHeaders[i]);
    if (skipped.has(key)) continue;
    const values = grouped.get(key) ?? [];
    values.push(rawHeaders[i + 1]);
    grouped.set(key, values);
  }
  const sorted: Record<string, string[]> = {};
  for (const key of [...grouped.keys()].sort()) sorted[key] = grouped.get(key)!;
  return sorted;
}

/**
 * `json.MarshalIndent(v, "", " ")` output: Go escapes HTML-significant
 * characters and the JavaScript line separators, so the bytes match the image.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function tlsInfo(socket: TLSSocket): EchoTlsInfo {
  const info: EchoTlsInfo = {
    version: socket.getProtocol() ?? '',
    serverName: (socket as TLSSocket & { servername?: string | false }).servername || '',
    cipherSuite: socket.getCipher()?.standardName ?? '',
  };
  const peer = socket.getPeerCertificate(false);
  if (peer && peer.raw) {
    const b64 = peer.raw.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
    info.peerCertificates = [`-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`];
  }
  if (socket.alpnProtocol) info.negotiatedProtocol = socket.alpnProtocol;
  return info;
}

/** Builds the echo body for a request; exported for unit tests. */
export function describeRequest(req: http.IncomingMessage, env: EchoEnv): EchoBody {
  const body: EchoBody = {
    path: req.url ?? '',
    host: req.headers.host ?? '',
    method: req.method ?? '',
    proto: `HTTP/${req.httpVersion}`,
    // Go removes Host (reported separately) and Transfer-Encoding (consumed
    // by its body reader) from r.Header.
    headers: groupRawHeaders(req.rawHeaders, ['Host', 'Transfer-Encoding']),
    namespace: env.NAMESPACE ?? '',
    ingress: env.INGRESS_NAME ?? '',
    service: env.SERVICE_NAME ?? '',
    pod: env.POD_NAME ?? '',
  };
  const socket = req.socket as TLSSocket;
  if (socket.encrypted) body.tls = tlsInfo(socket);
  return body;
}

/** Go's ServeMux sees the path after the image collapses `//` into `/`. */
function routedPath(url: string): string {
  const q = url.indexOf('?');
  return (q === -1 ? url : url.slice(0, q)).split('//').join('/');
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    ...(type === 'application/json' ? { 'X-Content-Type-Options': 'nosniff' } : {}),
  });
  res.end(body);
}

function handler(options: EchoServerOptions): http.RequestListener {
  const env = options.env ?? {};
  return (req, res) => {
    // The body is never used; drain it so the connection can be reused.
    req.resume();
    if (routedPath(req.url ?? '/') === '/health') {
      send(res, 200, 'text/plain; charset=utf-8', 'OK');
      return;
    }
    options.log?.(
      `Echoing back request made to ${req.url} to client (${req.socket.remoteAddress}:${req.socket.remotePort})`,
    );
    send(res, 200, 'application/json', goJson(describeRequest(req, env)));
  };
}

/** Starts an echo server; resolves once it is listening. */
export async function startEchoServer(options: EchoServerOptions = {}): Promise<EchoServer> {
  const host = options.host ?? '127.0.0.1';
  const server = options.tls
    ? https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, handler(options))
    : http.createServer(handler(options));
  // Go's server never times out idle keep-alive connections; Node's 5 s default
  // would race with a proxy reusing a pooled connection and cause stray 502s.
  server.keepAliveTimeout = 0;
  const { port, close } = await listenOn(server, host, options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`, host, port, close };
}

/** A running {@link startEchoBackend}. */
export interface EchoBackend {
  name: string;
  host: string;
  port: number;
  /** Requests answered so far. */
  readonly hits: number;
  close(): Promise<void>;
}

/**
 * An HTTP server on `host` answering its own `name` as the body, with what it saw in headers
 * (`x-seen-host`, `x-seen-url`, `x-seen-proto`, `x-seen-for`, and every request header as JSON in
 * `x-seen-headers`); it sends a `Server` header only when
 * asked to with `x-send-server: <value>`. `delayMs` delays every answer.
 */
export async function startEchoBackend(name: string, host: string, delayMs = 0): Promise<EchoBackend> {
  const pending = new Set<NodeJS.Timeout>();
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
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
  const listening = await listenOn(server, host);
  return {
    name, host, port: listening.port,
    get hits() {
      return hits;
    },
    close() {
      for (const timer of pending) clearTimeout(timer);
      return listening.close();
    },
  };
}
