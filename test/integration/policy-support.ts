/**
 * Support for the end-to-end policy tests: Kubernetes objects in, `translate`, the real HAProxy
 * driver, and programmable loopback backends out. Clients can pick their source address
 * (127.0.0.x) to test address-based rules.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createH2Server } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createHarness, type Harness } from '../support/haproxy/harness.js';
import type { ApplyResult } from '../../src/haproxy/types.js';
import type { Model } from '../../src/model/types.js';
import { normalise } from '../../src/sources/normalise.js';
import type { KubeObject } from '../../src/store/types.js';
import { formatDiagnostic, translate } from '../../src/translate/index.js';
import type { TranslateOptions } from '../../src/translate/types.js';
import { listenOn } from '../support/echo-server.js';
import { baseTranslateOptions, snapshotOf } from '../support/fixtures.js';
import { send, type SimpleResponse } from '../support/net.js';

/** What a backend saw of one request. */
export interface Seen {
  path: string;
  method: string;
  httpVersion: string;
  headers: Record<string, string | string[] | undefined>;
  remoteAddress?: string;
  /** Subject CN of the client certificate, when the backend asked for one. */
  clientCertificate?: string;
}

export interface Backend {
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

/** Answers 200 with what it saw as JSON. */
const echo: Handler = (_req, res, seen) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(seen));
};

function record(req: IncomingMessage, seen: Seen[]): Seen {
  const socket = req.socket as TLSSocket;
  const cert = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
  const entry: Seen = {
    path: req.url ?? '',
    method: req.method ?? '',
    httpVersion: req.httpVersion,
    headers: { ...req.headers },
    remoteAddress: req.socket.remoteAddress,
    ...(cert && cert.subject ? { clientCertificate: String(cert.subject.CN) } : {}),
  };
  seen.push(entry);
  return entry;
}

/**
 * An HTTP backend on 127.0.0.1: plain HTTP/1.1, HTTPS (optionally requiring a client certificate
 * signed by `ca`), or cleartext HTTP/2 (`h2`).
 */
export async function startBackend(options: { handler?: Handler; tls?: { cert: string; key: string; ca?: string }; h2?: boolean } = {}): Promise<Backend> {
  const seen: Seen[] = [];
  const handler = options.handler ?? echo;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    handler(req, res, record(req, seen));
  };
  if (options.h2) {
    const server = createH2Server((req, res) => listener(req as unknown as IncomingMessage, res as unknown as ServerResponse));
    const { port, close } = await listenOn(server as unknown as Server);
    return { port, seen, close };
  }
  const tls = options.tls;
  const server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}) }, listener)
    : createHttpServer(listener);
  server.keepAliveTimeout = 0;
  const { port, close } = await listenOn(server);
  return { port, seen, close };
}

/** A TCP backend that answers each connection with the PROXY protocol line it received first. */
export async function startProxyProtocolBackend(): Promise<Backend & { lines: string[] }> {
  const lines: string[] = [];
  const server = createTcpServer((socket) => {
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      if (!buffer.includes('\r\n\r\n')) return;
      const first = buffer.startsWith('PROXY ') ? buffer.slice(0, buffer.indexOf('\r\n')) : buffer.startsWith('\r\n\r\n\u0000\r\nQUIT\n') ? 'PROXY-V2' : '';
      lines.push(first);
      const body = JSON.stringify({ proxy: first });
      socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
    });
    socket.on('error', () => socket.destroy());
  });
  const { port, close } = await listenOn(server);
  return { port, seen: [], lines, close };
}

export type Reply = SimpleResponse;

/** One HTTP/1.1 request on a fresh connection from `localAddress` (a 127.0.0.x address). */
export function request(
  port: number,
  options: { host?: string; path?: string; method?: string; headers?: Record<string, string>; localAddress?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  return send({ address: '127.0.0.1', port, ...options, host: options.host ?? 'policy.example.com', localAddress: options.localAddress ?? '127.0.0.1' });
}

/** Kubernetes objects, as a manifest would hold them. */
export const objects = {
  ingressClass: () => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'portcullis' }, spec: { controller: 'portcullis.dev/ingress-controller' } }),
  service: (name: string, annotations: Record<string, string> = {}) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name, annotations }, spec: { ports: [{ port: 80 }] },
  }),
  /** The Service's endpoints: loopback backends by port (all on 127.0.0.1 unless given). */
  endpoints: (service: string, ports: number[], address = '127.0.0.1') => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { namespace: 'default', name: `${service}-x`, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    // One slice port per endpoint port is not how Kubernetes does it; one endpoint per port is.
    ports: [{ port: ports[0] }],
    endpoints: ports.map(() => ({ addresses: [address], conditions: { ready: true } })),
  }),
  ingress: (name: string, host: string, service: string, annotations: Record<string, string> = {}, path = '/') => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { namespace: 'default', name, annotations },
    spec: { ingressClassName: 'portcullis', rules: [{ host, http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }] } }] },
  }),
  secret: (name: string, stringData: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'default', name }, stringData }),
  configMap: (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: 'portcullis' }, data }),
};

/**
 * A Service whose pods are several loopback ports: one EndpointSlice per port, since a slice's
 * port applies to all its endpoints.
 */
export function multiPortService(name: string, ports: number[], annotations: Record<string, string> = {}): unknown[] {
  return [
    objects.service(name, annotations),
    ...ports.map((port, i) => ({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { namespace: 'default', name: `${name}-${i}`, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4', ports: [{ port }], endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    })),
  ];
}

type ApplyOptions = Partial<TranslateOptions> & { allowDiagnostics?: RegExp };

export interface PolicyProxy {
  harness: Harness;
  port: number;
  /** Translates `raw` objects (plus our IngressClass); fails on any diagnostic not expected. */
  model(raw: unknown[], options?: ApplyOptions): Model;
  /** Translates `raw` and starts or updates HAProxy; fails when HAProxy refuses the result. */
  apply(raw: unknown[], options?: ApplyOptions): Promise<ApplyResult>;
  close(): Promise<void>;
}

/**
 * HAProxy through the real driver, fed by `translate`. hard-stop-after is pinned to 2 s so old
 * workers never linger between tests; pass `{}` to let the ConfigMap decide it.
 */
export async function startPolicyProxy(harnessOptions: Parameters<typeof createHarness>[0] = { hardStopAfterMs: 2000 }): Promise<PolicyProxy> {
  const harness = await createHarness(harnessOptions);
  let started = false;
  const model = (raw: unknown[], options: ApplyOptions = {}): Model => {
    const { allowDiagnostics, ...translateOptions } = options;
    const kube = [objects.ingressClass(), ...raw].map((o) => normalise(o)).filter((o): o is KubeObject => o !== undefined);
    const result = translate(snapshotOf(kube), {
      ...baseTranslateOptions(),
      bindAddress: '127.0.0.1',
      httpPort: harness.httpPort,
      httpsPort: harness.httpsPort,
      configMap: 'default/portcullis',
      ...translateOptions,
    });
    const unexpected = result.diagnostics.map(formatDiagnostic).filter((d) => !allowDiagnostics?.test(d) && !d.includes('PCL_NO_READY_ENDPOINTS'));
    if (unexpected.length > 0) throw new Error(`unexpected diagnostics:\n${unexpected.join('\n')}`);
    return result.model;
  };
  return {
    harness,
    port: harness.httpPort,
    model,
    async apply(raw, options = {}) {
      const next = model(raw, options);
      const applied = started ? await harness.driver.apply(next) : await harness.driver.start(next);
      started = true;
      if (applied.error) throw new Error(`HAProxy refused the configuration: ${applied.error.message}\n${applied.error.output ?? ''}`);
      return applied;
    },
    close: () => harness.close(),
  };
}
