import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  /** Retries because a reused keep-alive connection was closed before any response byte. */
  retried: number;
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

/**
 * A bounded, continuous HTTP load on loopback: `concurrency` loops, each sending one request after
 * another on keep-alive connections (like real clients), until stopped, `maxRequests` or
 * `maxDurationMs`. A response that is not `expectStatus` or an error counts as failed.
 *
 * A GET that fails on a REUSED connection before any byte of the response arrived is retried (at
 * most five times), as Go's http.Transport and browsers do: the server may close an idle connection at any time
 * (HTTP/1.1 §9.6), so that race is not a dropped request. Failures on fresh connections are never
 * retried.
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
}): Load {
  const concurrency = options.concurrency ?? 4;
  const agentOptions = { keepAlive: true, maxSockets: concurrency };
  const agent = options.https ? new HttpsAgent({ ...agentOptions, rejectUnauthorized: false }) : new Agent(agentOptions);
  const result: LoadResult = { sent: 0, ok: 0, failed: 0, retried: 0, statuses: {}, errors: {}, served: {}, recent: [] };
  const deadline = Date.now() + (options.maxDurationMs ?? 60_000);
  const maxRequests = options.maxRequests ?? 100_000;
  let stopping = false;
  const more = () => !stopping && Date.now() < deadline && result.sent < maxRequests;

  const once = (): Promise<{ status: number; body: string; reused: boolean } | { error: Error; reused: boolean; gotBytes: boolean }> =>
    new Promise((resolve) => {
      let reused = false;
      let gotBytes = false;
      const req = (options.https ? httpsRequest : httpRequest)(
        {
          host: options.address,
          port: options.port,
          path: options.path ?? '/',
          headers: { host: options.host },
          agent,
          timeout: 10_000,
          ...(options.https ? { servername: options.host } : {}),
        },
        (res: IncomingMessage) => {
          gotBytes = true;
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, reused }));
          res.on('error', (error) => resolve({ error, reused, gotBytes }));
        },
      );
      req.on('socket', (socket) => {
        reused = (socket as unknown as { _portcullisUsed?: boolean })._portcullisUsed === true;
        (socket as unknown as { _portcullisUsed?: boolean })._portcullisUsed = true;
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve({ error, reused, gotBytes }));
      req.end();
    });

  const record = (outcome: Awaited<ReturnType<typeof once>>) => {
    if ('error' in outcome) {
      result.failed++;
      const code = (outcome.error as { code?: string }).code ?? outcome.error.message;
      result.errors[code] = (result.errors[code] ?? 0) + 1;
      return;
    }
    result.statuses[outcome.status] = (result.statuses[outcome.status] ?? 0) + 1;
    if (outcome.status !== (options.expectStatus ?? 200)) {
      result.failed++;
      return;
    }
    result.ok++;
    let who = '?';
    try {
      who = String((JSON.parse(outcome.body) as Record<string, unknown>)[options.by ?? 'service']);
    } catch {
      // not an echo body
    }
    result.served[who] = (result.served[who] ?? 0) + 1;
    result.recent.push(who);
    if (result.recent.length > 20) result.recent.shift();
  };

  const loop = async () => {
    while (more()) {
      result.sent++;
      let outcome = await once();
      // Like Go's transport: retry while the failure is a reused connection closed before any
      // response byte (another pooled socket may have been closed too); a fresh one never is.
      for (let attempt = 0; attempt < 5 && 'error' in outcome && outcome.reused && !outcome.gotBytes; attempt++) {
        result.retried++;
        outcome = await once();
      }
      record(outcome);
    }
  };
  const loops = Promise.all(Array.from({ length: concurrency }, loop));
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
