/**
 * The connect and client timeouts through a real HAProxy: timeout-connect seen from a pod whose
 * TCP handshake never completes, and timeout-client seen from a client that stops reading a large
 * response, as the backend and HAProxy's log see it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../support/eventually.js';
import { multiPortService, objects, request, startBackend, startPolicyProxy, type Backend, type PolicyProxy } from './policy-support.js';

/**
 * The child behind a black hole: it listens with the smallest accept queue Node honours (a backlog
 * of 0 reads as "unset" and becomes 511), then blocks its own event loop so it never accepts. It
 * exits by itself after a minute in case nobody kills it.
 */
const BLACK_HOLE_SCRIPT = `
const server = require('node:net').createServer();
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  process.stdout.write(server.address().port + '\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
  process.exit(0);
});`;

interface BlackHole {
  port: number;
  close(): void;
}

/**
 * A loopback port whose TCP handshakes never complete. Loopback has no lost packets to simulate
 * with, but once a listener's accept queue is full Linux drops further SYNs, so a connect there
 * waits (retransmitting) instead of being refused: two connections nobody accepts fill the queue.
 */
async function startBlackHole(): Promise<BlackHole> {
  const child: ChildProcess = spawn(process.execPath, ['-e', BLACK_HOLE_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const fillers: Socket[] = [];
  const close = () => {
    for (const s of fillers) s.destroy();
    child.kill('SIGKILL');
  };
  try {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await eventually(() => out.includes('\n') || child.exitCode !== null, { what: 'the black hole listening', timeoutMs: 5000 });
    const port = Number(out.trim());
    assert.ok(port > 0, `the black hole gave no port: ${JSON.stringify(out)}`);
    for (let i = 0; i < 2; i++) {
      const filler = connect(port, '127.0.0.1');
      fillers.push(filler);
      await once(filler, 'connect');
    }
    return { port, close };
  } catch (err) {
    close();
    throw err;
  }
}

/** Whether a plain connect to `port` is still pending after `ms` (true), or connected or failed. */
async function connectHangs(port: number, ms: number): Promise<boolean> {
  const probe = connect(port, '127.0.0.1');
  try {
    return await new Promise<boolean>((resolve) => {
      probe.once('connect', () => resolve(false));
      probe.once('error', () => resolve(false));
      setTimeout(() => resolve(true), ms);
    });
  } finally {
    probe.destroy();
  }
}

/**
 * The log line (httplog) of a request that got 503 because its connect timed out: `-1` connect
 * and response times, termination state sC--, and the total active time and retry count.
 */
function connectTimeoutLog(logs: string[]): { line: string; activeMs: number; retries: string } | undefined {
  for (const line of logs) {
    const m = /\/-1\/-1\/(\d+) 503 \d+ - - sC-- \d+\/\d+\/\d+\/\d+\/(\+?\d+) /.exec(line);
    if (m) return { line, activeMs: Number(m[1]), retries: m[2] };
  }
  return undefined;
}

describe('timeout-connect', () => {
  let proxy: PolicyProxy;
  let hole: BlackHole;

  before(async () => {
    hole = await startBlackHole();
    proxy = await startPolicyProxy();
    // retries 0: HAProxy otherwise retries a timed-out connect 3 times, each waiting the whole timeout.
    await proxy.apply([
      ...multiPortService('hole', [hole.port]),
      objects.ingress('quick', 'quick.example.com', 'hole', { 'haproxy.org/timeout-connect': '500ms', 'haproxy.org/retries': '0' }),
      objects.ingress('patient', 'patient.example.com', 'hole', { 'haproxy.org/timeout-connect': '10s', 'haproxy.org/retries': '0' }),
    ]);
  });

  after(async () => {
    await proxy?.close();
    hole?.close();
  });

  test('a pod that never completes the handshake gets 503 after about 500ms, and a 10s route is still waiting at 2s', async () => {
    assert.ok(await connectHangs(hole.port, 200), 'a connect to the black hole must hang, not connect or be refused');
    const started = Date.now();
    const patient = request(proxy.port, { host: 'patient.example.com', timeoutMs: 2000 }).then(
      (reply) => `answered ${reply.status} after ${Date.now() - started} ms`,
      (err: Error) => err.message,
    );
    const quick = await request(proxy.port, { host: 'quick.example.com' });
    const elapsed = Date.now() - started;
    assert.equal(quick.status, 503, quick.body);
    assert.ok(elapsed >= 400 && elapsed <= 3000, `503 after ${elapsed} ms`);
    // The client gave up on its own 2s idle timer: HAProxy had sent nothing at all.
    assert.equal(await patient, 'request timed out');
    // HAProxy's own account, free of the test's event-loop delays: the server side timed out while
    // connecting (sC, no connect time), once, after the configured time.
    const logged = await eventually(() => connectTimeoutLog(proxy.harness.logs), { what: 'an sC-- 503 in the log', timeoutMs: 2000 });
    assert.equal(logged.retries, '0', logged.line);
    assert.ok(logged.activeMs >= 450 && logged.activeMs <= 1000, logged.line);
  });
});

/** What the streaming backend saw of one response: when its writes last progressed, and how it ended. */
interface Stream {
  bytes: number;
  lastProgress: number;
  closedAt?: number;
  finished?: boolean;
}

const CHUNK = Buffer.alloc(64 * 1024, 'x');
// Far more than the socket buffers and HAProxy's between client and backend can hold.
const STREAM_CAP = 512 * 1024 * 1024;

describe('timeout-client', () => {
  let short: PolicyProxy;
  let long: PolicyProxy;
  let backend: Backend;
  const streams = new Map<string, Stream>();
  const clients: Socket[] = [];

  before(async () => {
    // Streams `/big?<name>` as fast as the connection takes it, remembering each write that went out.
    backend = await startBackend({
      handler: (req, res) => {
        const stream: Stream = { bytes: 0, lastProgress: Date.now() };
        streams.set(req.url ?? '', stream);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.on('close', () => {
          stream.closedAt = Date.now();
          stream.finished = res.writableFinished;
        });
        const pump = () => {
          stream.lastProgress = Date.now();
          while (!res.destroyed && stream.bytes < STREAM_CAP) {
            stream.bytes += CHUNK.length;
            if (!res.write(CHUNK)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      },
    });
    const world = (timeoutClient: string) => [
      objects.configMap({ 'timeout-client': timeoutClient }),
      ...multiPortService('big', [backend.port]),
      objects.ingress('big', 'big.example.com', 'big'),
    ];
    // The key is global, so the control needs a proxy of its own.
    [short, long] = await Promise.all([startPolicyProxy(), startPolicyProxy()]);
    await Promise.all([short.apply(world('1s')), long.apply(world('30s'))]);
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await Promise.all([short?.close(), long?.close()]);
    await backend?.close();
  });

  /** Asks for `/big?<name>` on a connection that never reads, and returns the backend's view of it. */
  async function stalledDownload(port: number, name: string): Promise<Stream> {
    const client = connect(port, '127.0.0.1');
    clients.push(client);
    client.on('error', () => undefined);
    client.pause();
    client.write(`GET /big?${name} HTTP/1.1\r\nHost: big.example.com\r\n\r\n`);
    return eventually(() => streams.get(`/big?${name}`), { what: `the backend streaming ${name}`, timeoutMs: 2000 });
  }

  /** Resolves once the stream's writes have not progressed for `ms`: every buffer on the way is full. */
  async function stalled(stream: Stream, ms: number): Promise<void> {
    await eventually(() => Date.now() - stream.lastProgress >= ms || stream.closedAt !== undefined, { what: 'the stream stalled', timeoutMs: 5000 });
  }

  test('a client that stops reading is cut about 1s after the response stalls, and a 30s one is not', async () => {
    const [cut, kept] = await Promise.all([stalledDownload(short.port, 'short'), stalledDownload(long.port, 'long')]);
    await Promise.all([stalled(cut, 200), stalled(kept, 200)]);
    assert.ok(cut.bytes < STREAM_CAP && kept.bytes < STREAM_CAP, `the streams stalled (${cut.bytes}, ${kept.bytes} bytes)`);

    await eventually(() => cut.closedAt, { what: 'the short-timeout stream closed', timeoutMs: 6000 });
    const cutAfter = cut.closedAt! - cut.lastProgress;
    assert.equal(cut.finished, false, 'the response was aborted, not finished');
    assert.ok(cutAfter >= 500 && cutAfter <= 3000, `aborted ${cutAfter} ms after the last write went out`);
    // cD: the client side timed out while data was being sent to it.
    await eventually(() => short.harness.logs.some((l) => / 200 \d+ - - cD-- .*"GET \/big\?short /.test(l)), { what: 'a cD-- log line', timeoutMs: 2000 });

    // The control went through the same stall and is still open past the short one's whole window.
    await sleep(Math.max(0, kept.lastProgress + 3000 - Date.now()));
    assert.equal(kept.closedAt, undefined, `the 30s stream closed ${kept.closedAt! - kept.lastProgress} ms after its last write`);
  });
});
