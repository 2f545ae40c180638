import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export type LoadConnection = 'keep-alive' | 'fresh';
export type LoadMethod = 'GET' | 'POST';

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  /** Requests sent again after a failure: always 0, this load never retries (kept so reports show it). */
  retried: 0;
  /** Failures on a reused keep-alive connection (the server closed it while the request was on its way). */
  failedOnReused: number;
  /** Requests by `<connection> <method>`, e.g. `fresh POST`. */
  sentBy: Record<string, number>;
  /** Failures by `<connection> <method> <error code or status>`, e.g. `keep-alive GET ECONNRESET`. */
  failures: Record<string, number>;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  /** Responses by the echo backend's `service` (or `pod` with `by: 'pod'`). */
  served: Record<string, number>;
  /** The last few `served` values, newest last (what answers now). */
  recent: string[];
}

export interface Load {
  result(): LoadResult;
  /** Stops sending, waits for requests in flight, returns the totals. */
  stop(): Promise<LoadResult>;
}

type Outcome = { status: number; body: string; reused: boolean } | { error: Error; reused: boolean };

/**
 * A bounded, continuous HTTP load on loopback: `concurrency` loops, each sending one request after
 * another until stopped, `maxRequests` or `maxDurationMs`. Loops alternate between keep-alive
 * connections (a shared pool, like real clients) and a fresh connection per request; each loop
 * alternates GET and POST (with a body). A response that is not `expectStatus`, or any error, counts
 * as failed. Nothing is ever retried: a reset on a reused connection is a failure like any other,
 * because plenty of clients do not retry, and a POST must not be retried blindly anyway.
 */
export function startLoad(options: {
  address: string;
  port: number;
  host: string;
  path?: string;
  https?: boolean;
  concurrency?: number;
  maxRequests?: number;
  maxDurationMs?: number;
  expectStatus?: number;
  by?: 'service' | 'pod';
  /** Connections the loops use: alternating (the default) or all of one kind. */
  connections?: 'mixed' | LoadConnection;
  /** Methods each loop cycles through; default GET then POST. */
  methods?: LoadMethod[];
}): Load {
  const concurrency = options.concurrency ?? 4;
  const agentOptions = { keepAlive: true, maxSockets: concurrency };
  const agent = options.https ? new HttpsAgent({ ...agentOptions, rejectUnauthorized: false }) : new Agent(agentOptions);
  const methods = options.methods ?? ['GET', 'POST'];
  const result: LoadResult = {
    sent: 0, ok: 0, failed: 0, retried: 0, failedOnReused: 0, sentBy: {}, failures: {}, statuses: {}, errors: {}, served: {}, recent: [],
  };
  const deadline = Date.now() + (options.maxDurationMs ?? 60_000);
  const maxRequests = options.maxRequests ?? 100_000;
  let stopping = false;
  const more = () => !stopping && Date.now() < deadline && result.sent < maxRequests;
  const bump = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

  const once = (connection: LoadConnection, method: LoadMethod, n: number): Promise<Outcome> =>
    new Promise((resolve) => {
      let reused = false;
      const body = method === 'POST' ? JSON.stringify({ n, note: 'x'.repeat(n % 512) }) : undefined;
      const req = (options.https ? httpsRequest : httpRequest)(
        {
          host: options.address,
          port: options.port,
          path: options.path ?? '/',
          method,
          headers: { host: options.host, ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }) },
          agent: connection === 'keep-alive' ? agent : false,
          timeout: 10_000,
          ...(options.https ? { servername: options.host, rejectUnauthorized: false } : {}),
        },
        (res: IncomingMessage) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, reused }));
          res.on('error', (error) => resolve({ error, reused }));
        },
      );
      req.on('socket', (socket) => {
        const marked = socket as unknown as { _portcullisUsed?: boolean };
        reused = marked._portcullisUsed === true;
        marked._portcullisUsed = true;
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve({ error, reused }));
      req.end(body);
    });

  const record = (kind: string, outcome: Outcome) => {
    const failed = (what: string) => {
      result.failed++;
      if (outcome.reused) result.failedOnReused++;
      bump(result.failures, `${kind} ${what}`);
    };
    if ('error' in outcome) {
      const code = (outcome.error as { code?: string }).code ?? outcome.error.message;
      bump(result.errors, code);
      return failed(code);
    }
    bump(result.statuses, String(outcome.status));
    if (outcome.status !== (options.expectStatus ?? 200)) return failed(String(outcome.status));
    result.ok++;
    let who = '?';
    try {
      who = String((JSON.parse(outcome.body) as Record<string, unknown>)[options.by ?? 'service']);
    } catch {
      // not an echo body
    }
    bump(result.served, who);
    result.recent.push(who);
    if (result.recent.length > 20) result.recent.shift();
  };

  const loop = async (index: number) => {
    const connection: LoadConnection = options.connections === 'keep-alive' || options.connections === 'fresh'
      ? options.connections
      : index % 2 === 0 ? 'keep-alive' : 'fresh';
    for (let i = 0; more(); i++) {
      const method = methods[i % methods.length];
      const kind = `${connection} ${method}`;
      result.sent++;
      bump(result.sentBy, kind);
      record(kind, await once(connection, method, result.sent));
    }
  };
  const loops = Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i)));
  return {
    result: () => structuredClone(result),
    async stop() {
      stopping = true;
      await loops;
      agent.destroy();
      return structuredClone(result);
    },
  };
}

/** One line for test output: totals, failures by kind, and the (always zero) retries. */
export function describeLoad(r: LoadResult): string {
  return `${r.sent} requests (${JSON.stringify(r.sentBy)}), ${r.failed} failed (${r.failedOnReused} on a reused connection) ${JSON.stringify(r.failures)}, ${r.retried} retried`;
}
