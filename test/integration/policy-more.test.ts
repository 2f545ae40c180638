/**
 * More keys through a real HAProxy: the remaining load-balance algorithms (source, uri,
 * url_param, first, random) seen from which pod answers, the idle keep-alive timeout seen from a
 * client connection, and hard-stop-after seen from a response cut on the old worker after a reload.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../support/eventually.js';
import { multiPortService, objects, request, startBackend, type Backend, type PolicyProxy, startPolicyProxy } from './policy-support.js';

const HOLD_MS = 800;

/** The port of the pod that answered. */
async function answeredBy(port: number, options: { host: string; path?: string; localAddress?: string }): Promise<number> {
  const reply = await request(port, options);
  assert.equal(reply.status, 200, reply.body);
  return Number(reply.json?.port);
}

/** Whether `ports` is a strict rotation over its distinct values, as roundrobin would give. */
function isRotation(ports: number[]): boolean {
  const k = new Set(ports).size;
  return ports.every((p, i) => p === ports[i % k]);
}

/**
 * Runs `body` with a raw client connection, destroyed afterwards whatever happens; a guard timer
 * destroys it earlier if the test would otherwise wait on a connection nobody closes.
 */
async function withRawClient(port: number, guardMs: number, body: (client: ReturnType<typeof rawClient>) => Promise<void>): Promise<void> {
  const client = rawClient(port);
  const guard = setTimeout(() => client.socket.destroy(), guardMs);
  try {
    await body(client);
  } finally {
    clearTimeout(guard);
    client.socket.destroy();
  }
}

/** How long the connection stays open from now, in ms. */
async function idleUntilClosed(client: ReturnType<typeof rawClient>): Promise<number> {
  const idleSince = Date.now();
  return (await client.closed) - idleSince;
}

/** A raw client connection that collects what it receives and when it closes. */
function rawClient(port: number): { socket: Socket; data: () => string; closed: Promise<number> } {
  let data = '';
  const socket = connect(port, '127.0.0.1');
  socket.on('data', (chunk) => (data += chunk.toString('latin1')));
  const closed = new Promise<number>((resolve) => {
    socket.on('close', () => resolve(Date.now()));
    socket.on('error', () => undefined);
  });
  return { socket, data: () => data, closed };
}

describe('load-balance algorithms and keep-alive', () => {
  let proxy: PolicyProxy;
  let pods: Backend[] = [];

  before(async () => {
    // Four pods, each answering with its own port so a test sees who served it; `/hold` answers late.
    for (let i = 0; i < 4; i++) {
      const holder: { port?: number } = {};
      const pod = await startBackend({
        handler: (req, res) => {
          const answer = () => res.end(JSON.stringify({ port: holder.port }));
          if (req.url?.startsWith('/hold')) setTimeout(answer, HOLD_MS);
          else answer();
        },
      });
      holder.port = pod.port;
      pods.push(pod);
    }
    proxy = await startPolicyProxy();
    await proxy.apply([
      // 1s is far below both the 1m default and the 5s request timeout HAProxy would fall back on.
      objects.configMap({ 'timeout-http-keep-alive': '1s' }),
      ...multiPortService('pods', pods.map((p) => p.port)),
      objects.ingress('source', 'source.example.com', 'pods', { 'haproxy.org/load-balance': 'source' }),
      objects.ingress('uri', 'uri.example.com', 'pods', { 'haproxy.org/load-balance': 'uri' }),
      objects.ingress('param', 'param.example.com', 'pods', { 'haproxy.org/load-balance': 'url_param userid' }),
      objects.ingress('first', 'first.example.com', 'pods', { 'haproxy.org/load-balance': 'first', 'haproxy.org/pod-maxconn': '1' }),
      objects.ingress('random', 'random.example.com', 'pods', { 'haproxy.org/load-balance': 'random' }),
      objects.ingress('ka', 'ka.example.com', 'pods'),
    ]);
  });

  after(async () => {
    await proxy?.close();
    await Promise.all(pods.map((p) => p.close()));
    pods = [];
  });

  test('source keeps each client address on one pod, and spreads several addresses', async () => {
    const all = new Set<number>();
    for (let i = 10; i < 22; i++) {
      const localAddress = `127.0.0.${i}`;
      const ports = new Set<number>();
      for (let j = 0; j < 3; j++) ports.add(await answeredBy(proxy.port, { host: 'source.example.com', localAddress }));
      assert.equal(ports.size, 1, `${localAddress} went to ${[...ports]}`);
      all.add([...ports][0]);
    }
    assert.ok(all.size > 1, `12 addresses all went to ${[...all]}`);
  });

  test('uri keeps each path on one pod, and spreads several paths', async () => {
    const all = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const ports = new Set<number>();
      // Different client addresses: only the path may decide.
      for (let j = 0; j < 3; j++) ports.add(await answeredBy(proxy.port, { host: 'uri.example.com', path: `/page/${i}`, localAddress: `127.0.0.${30 + j}` }));
      assert.equal(ports.size, 1, `/page/${i} went to ${[...ports]}`);
      all.add([...ports][0]);
    }
    assert.ok(all.size > 1, `12 paths all went to ${[...all]}`);
  });

  test('url_param keeps each parameter value on one pod whatever the path, and spreads several values', async () => {
    const all = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const user = `user${i}`;
      const ports = new Set<number>();
      // Path and other parameters vary, so a path-based hash would scatter one user.
      for (const path of [`/a?userid=${user}`, `/b/c?z=9&userid=${user}`, `/d?userid=${user}&q=${i}`]) {
        ports.add(await answeredBy(proxy.port, { host: 'param.example.com', path }));
      }
      assert.equal(ports.size, 1, `${user} went to ${[...ports]}`);
      all.add([...ports][0]);
    }
    assert.ok(all.size > 1, `12 users all went to ${[...all]}`);
  });

  test('first sends everything to one pod while it has capacity, and the next pod only when it is full', async () => {
    const idle = new Set<number>();
    for (let i = 0; i < 6; i++) idle.add(await answeredBy(proxy.port, { host: 'first.example.com' }));
    assert.equal(idle.size, 1, `sequential requests went to ${[...idle]}`);
    const [firstPod] = idle;
    // pod-maxconn 1: a held request fills the first pod.
    const held = request(proxy.port, { host: 'first.example.com', path: '/hold' });
    await eventually(() => pods.some((p) => p.seen.some((s) => s.path === '/hold')), { what: 'the held request reached a pod', timeoutMs: 2000 });
    const overflow = new Set<number>();
    for (let i = 0; i < 3; i++) overflow.add(await answeredBy(proxy.port, { host: 'first.example.com' }));
    const heldReply = await held;
    assert.equal(Number(heldReply.json?.port), firstPod, 'the held request went to the first pod');
    assert.equal(overflow.size, 1, `overflow went to ${[...overflow]}`);
    assert.notEqual([...overflow][0], firstPod, 'a full first pod passes requests on');
    for (let i = 0; i < 3; i++) assert.equal(await answeredBy(proxy.port, { host: 'first.example.com' }), firstPod, 'back to the first pod once it is free');
  });

  test('random reaches several pods, not in a fixed rotation', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 24; i++) ports.push(await answeredBy(proxy.port, { host: 'random.example.com' }));
    assert.ok(new Set(ports).size > 1, `24 requests all went to ${ports[0]}`);
    assert.ok(!isRotation(ports), `a strict rotation is roundrobin: ${ports.join(',')}`);
  });

  test('timeout-http-keep-alive closes an idle client connection after about 1s, and not before', async () => {
    await withRawClient(proxy.port, 5000, async (client) => {
      const responses = () => (client.data().match(/HTTP\/1\.1 200/g) ?? []).length;
      const ask = async (n: number) => {
        client.socket.write('GET / HTTP/1.1\r\nHost: ka.example.com\r\n\r\n');
        await eventually(() => responses() === n && client.data().endsWith('}'), { what: `response ${n}`, timeoutMs: 2000 });
      };
      await ask(1);
      assert.doesNotMatch(client.data(), /connection: close/i, 'HAProxy keeps the connection open');
      // Idle for a while below the timeout: the connection still serves, which also restarts the timer.
      await sleep(600);
      await ask(2);
      const idle = await idleUntilClosed(client);
      assert.ok(idle >= 800 && idle <= 2500, `closed after ${idle} ms idle`);
    });
  });
});

describe('timeout-tunnel', () => {
  let proxy: PolicyProxy;
  let backend: Server;

  before(async () => {
    // A WebSocket endpoint that echoes; HAProxy 2.6 checks the handshake, so it must be a real one.
    backend = createServer((_req, res) => res.end('{}'));
    backend.on('upgrade', (req, socket) => {
      const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.on('data', (d: Buffer) => socket.write(d));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    proxy = await startPolicyProxy();
    await proxy.apply([
      // 1s against the 1h default: a close after about 1s of silence can only come from this key.
      objects.configMap({ 'timeout-tunnel': '1s' }),
      ...multiPortService('ws', [(backend.address() as { port: number }).port]),
      objects.ingress('ws', 'ws.example.com', 'ws'),
    ]);
    // The apply reloaded: a connection the old worker accepted in its last moments would live by
    // hard-stop-after, not by timeout-tunnel, so the test starts once only the new worker is left.
    await eventually(async () => (await proxy.harness.proc()).oldWorkers.length === 0, { what: 'the old worker gone', timeoutMs: 10_000 });
  });

  after(async () => {
    await proxy?.close();
    backend.closeAllConnections();
    await new Promise((r) => backend.close(r));
  });

  test('closes an upgraded connection idle for about 1s, and keeps one that talks more often', async () => {
    await withRawClient(proxy.port, 6000, async (client) => {
      client.socket.write('GET /ws HTTP/1.1\r\nHost: ws.example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      await eventually(() => client.data().includes('101 Switching Protocols'), { what: 'the upgrade', timeoutMs: 2000 });
      // Messages 600 ms apart keep the tunnel open well past its 1s timeout.
      for (let i = 0; i < 4; i++) {
        client.socket.write(`ping${i}`);
        await eventually(() => client.data().includes(`ping${i}`), { what: `echo ${i}`, timeoutMs: 1000 });
        if (i < 3) await sleep(600);
      }
      const idle = await idleUntilClosed(client);
      assert.ok(idle >= 800 && idle <= 2500, `closed after ${idle} ms idle`);
    });
  });
});

describe('hard-stop-after', () => {
  // The policy proxy pins hard-stop-after by default; here the ConfigMap must decide.
  let proxy: PolicyProxy;
  let streaming: Backend;
  const timers = new Set<NodeJS.Timeout>();

  // Only timeout-queue differs between the two worlds: a global change HAProxy takes by reloading.
  const world = (timeoutQueue: string) => [
    objects.configMap({ 'hard-stop-after': '1500ms', 'timeout-queue': timeoutQueue }),
    objects.service('stream'),
    objects.endpoints('stream', [streaming.port]),
    objects.ingress('stream', 'stream.example.com', 'stream'),
  ];

  before(async () => {
    // Streams a chunk every 100ms for 10s: far longer than hard-stop-after, far shorter than timeout-server.
    streaming = await startBackend({
      handler: (req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        if (req.url !== '/stream') return void res.end('{"port":0}');
        const tick = setInterval(() => res.write('tick\n'), 100);
        const done = setTimeout(() => { clearInterval(tick); res.end(); }, 10_000);
        timers.add(tick).add(done);
        res.on('close', () => { clearInterval(tick); clearTimeout(done); });
      },
    });
    proxy = await startPolicyProxy({});
    await proxy.apply(world('5s'));
  });

  after(async () => {
    await proxy?.close();
    for (const t of timers) clearTimeout(t);
    await streaming?.close();
  });

  test('a response still streaming on the old worker is cut about hard-stop-after past the reload', async () => {
    const { harness } = proxy;
    await withRawClient(harness.httpPort, 6000, async (client) => {
      client.socket.write('GET /stream HTTP/1.1\r\nHost: stream.example.com\r\n\r\n');
      await eventually(() => client.data().includes('tick'), { what: 'the stream started', timeoutMs: 2000 });
      const reloadStart = Date.now();
      const reloaded = await proxy.apply(world('6s'));
      const reloadEnd = Date.now();
      assert.equal(reloaded.action, 'reload');
      // The old worker still runs: the stream is alive and the new worker serves new requests.
      assert.equal((await harness.proc()).oldWorkers.length, 1, 'one old worker finishing the stream');
      assert.equal((await request(harness.httpPort, { host: 'stream.example.com' })).status, 200);
      const cut = await client.closed;
      assert.ok(!client.data().includes('\r\n0\r\n\r\n'), 'the stream was cut, not finished');
      // The old worker cannot have been told to stop before the reload began, nor long after it ended.
      assert.ok(cut - reloadStart >= 1400, `cut ${cut - reloadStart} ms after the reload began`);
      assert.ok(cut - reloadEnd <= 3500, `cut ${cut - reloadEnd} ms after the reload ended`);
      await eventually(async () => (await harness.proc()).oldWorkers.length === 0, { what: 'the old worker is gone', timeoutMs: 2000 });
    });
  });
});
