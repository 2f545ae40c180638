/**
 * An in-process Kubernetes API server for tests: the list/watch protocol,
 * CRUD, subresources and errors of kube-apiserver over plain HTTP on a
 * loopback port, so the real `@kubernetes/client-node` client and informers
 * run against it unchanged. Tests also get direct, HTTP-free access to the
 * same storage, fault injection and a request log.
 */
import { writeFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import YAML from 'yaml';
import { ApiError, failureStatus, internalError, methodNotAllowed, pathNotFound, statusError } from './errors.js';
import { handleResource, type HandlerContext } from './handlers.js';
import { isPlainObject, type KubeObject } from './json-value.js';
import { followCustomResourceDefinitions } from './custom-resources.js';
import { ResourceRegistry, servedAs, type ResourceType } from './resources.js';
import { resolveRoute } from './routes.js';
import { ObjectStore } from './storage.js';
import { WatchHub } from './watch.js';
import { KubeWrites, type NamespaceDeletion } from './writes.js';

/** Options of {@link startKubeApiServer}. */
export interface KubeApiServerOptions {
  /** Loopback address to listen on; default `127.0.0.1`. */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
  /** Period of BOOKMARK events on watches that allow them; default 1000 ms. */
  bookmarkIntervalMs?: number;
  /** Watch events kept for resuming; older resourceVersions get 410 Gone. Default 10000. */
  historyLimit?: number;
  /** `cascade` (default): deleting a Namespace deletes its contents, standing in for the namespace controller. `terminating`: it stays Terminating until `/finalize` empties spec.finalizers. */
  namespaceDeletion?: NamespaceDeletion;
}

/** One logged request. `path` is the raw request target, query string included. */
export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
}

/** An injected failure: the next `times` (default 1) matching requests get `status` with a Status body. */
export interface FailureMatch {
  method?: string;
  /** Substring of the request target, query string included (e.g. `watch=true`). */
  pathIncludes?: string;
  status: number;
  times?: number;
}

/** A running test apiserver. */
export interface KubeApiServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Kubeconfig YAML for this server: plain http with insecure-skip-tls-verify (client-node requires it for http), a token user. */
  kubeConfig(): string;
  writeKubeConfig(path: string): Promise<void>;
  /** Like POST: server-set metadata, status cleared for types with a status subresource. Throws {@link ApiError}. */
  create(obj: object): object;
  /** Create, or replace ignoring resourceVersion; unlike the API, a `status` in `obj` is written too (test seeding). */
  apply(obj: object): object;
  /** Like DELETE (finalizers and namespace cascade included). Throws {@link ApiError} NotFound if absent. */
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void;
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): object | undefined;
  list(apiVersion: string, kind: string, namespace?: string): object[];
  /** Forgets watch history: a watch resuming from any older resourceVersion gets 410 Gone. */
  compactHistory(): void;
  /** Ends every open watch stream, so clients must reconnect. */
  closeWatches(): void;
  failNext(match: FailureMatch): void;
  requests: RecordedRequest[];
  /** An outage: ends watches and connections and stops listening; storage is kept. */
  stopListening(): Promise<void>;
  /** Back after {@link stopListening}, on the same address and port. */
  listenAgain(): Promise<void>;
  /** Ends watches and connections and stops listening. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const INITIAL_NAMESPACES = ['default', 'kube-system'];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new ApiError(failureStatus(413, 'Request entity too large: limit is 3145728')));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** True unless the client accepts only media types other than JSON (e.g. protobuf alone). */
function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((range) => {
    const media = range.split(';')[0].trim().toLowerCase();
    return media === 'application/json' || media === 'application/*' || media === '*/*';
  });
}

class TestKubeApiServer implements KubeApiServer {
  url = '';
  readonly requests: RecordedRequest[] = [];
  private readonly registry = new ResourceRegistry();
  private readonly store: ObjectStore;
  private readonly writes: KubeWrites;
  private readonly hub: WatchHub;
  private readonly failures: Array<FailureMatch & { remaining: number }> = [];
  private readonly http: http.Server;
  private closing?: Promise<void>;

  constructor(options: KubeApiServerOptions) {
    this.store = new ObjectStore(options.historyLimit ?? 10_000);
    this.writes = new KubeWrites(this.store, this.registry, options.namespaceDeletion ?? 'cascade');
    this.hub = new WatchHub(this.store, options.bookmarkIntervalMs ?? 1000);
    followCustomResourceDefinitions(this.store, this.registry);
    for (const name of INITIAL_NAMESPACES) this.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    // A failure while answering can only mean the socket is unusable; drop it rather than crash the test.
    this.http = http.createServer((req, res) => this.handle(req, res).catch(() => res.destroy()));
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => resolve());
    });
    const address = this.http.address() as AddressInfo;
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${hostPart}:${address.port}`;
  }

  private takeFailure(method: string, path: string): FailureMatch | undefined {
    const rule = this.failures.find((f) => f.remaining > 0
      && (!f.method || f.method.toUpperCase() === method)
      && (!f.pathIncludes || path.includes(f.pathIncludes)));
    if (rule) rule.remaining--;
    return rule;
  }

  private send(res: ServerResponse, method: string, path: string, status: number, body: unknown): void {
    this.requests.push({ method, path, status });
    if (res.headersSent) {
      res.end();
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const contentType = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = req.url ?? '/';
    try {
      const failure = this.takeFailure(method, path);
      if (failure) throw statusError(failure.status);
      if (!acceptsJson(req.headers.accept)) throw new ApiError(failureStatus(406, 'only application/json is served'));
      const url = new URL(path, 'http://localhost');
      const route = resolveRoute(url.pathname, this.registry, new URL(this.url).host);
      if (!route) throw pathNotFound();
      if (route.kind === 'document') {
        if (method !== 'GET') throw methodNotAllowed();
        this.send(res, method, path, 200, route.body);
        return;
      }
      const ctx: HandlerContext = { writes: this.writes, hub: this.hub };
      const reply = await handleResource(ctx, route.target, {
        method, query: url.searchParams, contentType: req.headers['content-type'] ?? '', readBody: () => readBody(req), res,
      });
      if ('streamed' in reply) this.requests.push({ method, path, status: 200 });
      else this.send(res, method, path, reply.status, reply.body);
    } catch (err) {
      const status = err instanceof ApiError ? err.status : internalError(String(err)).status;
      this.send(res, method, path, status.code, status);
    }
  }

  private typeOf(apiVersion: unknown, kind: unknown): ResourceType {
    const type = typeof apiVersion === 'string' && typeof kind === 'string' ? this.registry.findByKind(apiVersion, kind) : undefined;
    if (!type) throw new Error(`the test apiserver does not serve ${String(apiVersion)} ${String(kind)}`);
    return type;
  }

  private typed(obj: object): { type: ResourceType; obj: KubeObject } {
    const candidate = obj as Partial<KubeObject>;
    const type = this.typeOf(candidate.apiVersion, candidate.kind);
    if (!isPlainObject(candidate.metadata)) throw new Error('the object needs metadata');
    return { type, obj: candidate as KubeObject };
  }

  kubeConfig(): string {
    return YAML.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test-apiserver', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'test-user', user: { token: 'test-token' } }],
      contexts: [{ name: 'test', context: { cluster: 'test-apiserver', user: 'test-user', namespace: 'default' } }],
      'current-context': 'test',
    });
  }

  async writeKubeConfig(path: string): Promise<void> {
    await writeFile(path, this.kubeConfig(), { mode: 0o600 });
  }

  create(obj: object): object {
    const { type, obj: typed } = this.typed(obj);
    return this.writes.create(type, typed.metadata.namespace, typed);
  }

  apply(obj: object): object {
    const { type, obj: typed } = this.typed(obj);
    const name = typed.metadata.name ?? '';
    if (!name) return this.writes.create(type, typed.metadata.namespace, typed, { keepStatus: true });
    const options = { ignorePreconditions: true, createIfMissing: true, keepStatus: true };
    const { resourceVersion: _ignored, ...metadata } = typed.metadata;
    return this.writes.update(type, typed.metadata.namespace, name, { ...typed, metadata }, options).object;
  }

  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    this.writes.delete(this.typeOf(apiVersion, kind), namespace, name);
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): object | undefined {
    const type = this.typeOf(apiVersion, kind);
    const found = this.store.find(type, namespace, name);
    return found ? structuredClone(servedAs(type, found)) : undefined;
  }

  list(apiVersion: string, kind: string, namespace?: string): object[] {
    const type = this.typeOf(apiVersion, kind);
    return this.store.entries(type, namespace).map(([, obj]) => structuredClone(servedAs(type, obj)));
  }

  compactHistory(): void {
    this.store.compact();
  }

  closeWatches(): void {
    this.hub.closeAll();
  }

  failNext(match: FailureMatch): void {
    if (!Number.isInteger(match.status) || match.status < 400 || match.status > 599) {
      throw new Error(`failNext needs an HTTP error status (400-599), got ${match.status}`);
    }
    this.failures.push({ ...match, remaining: match.times ?? 1 });
  }

  async stopListening(): Promise<void> {
    this.hub.closeAll();
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
  }

  async listenAgain(): Promise<void> {
    const url = new URL(this.url);
    await this.listen(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port));
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.hub.closeAll();
      this.closing = new Promise<void>((resolve) => this.http.close(() => resolve()));
      this.http.closeAllConnections();
    }
    return this.closing;
  }
}

/** Starts a test apiserver on a loopback port; `default` and `kube-system` namespaces exist. */
export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const host = options.host ?? '127.0.0.1';
  // Tests must never expose or reach anything beyond this machine.
  if (!/^127\.\d+\.\d+\.\d+$/.test(host) && host !== 'localhost' && host !== '::1') {
    throw new Error(`the test apiserver only listens on loopback addresses, not ${host}`);
  }
  const server = new TestKubeApiServer(options);
  await server.listen(host, options.port ?? 0);
  return server;
}
