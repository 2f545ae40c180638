/**
 * Access control through a real HAProxy: allow and deny lists by client address (clients bind
 * 127.0.0.x), basic auth against crypt(3) hashes, and rate limits whose counters survive a reload.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sendText } from '../../src/haproxy/runtime/client.js';
import { eventually } from '../support/eventually.js';
import { objects, request, startBackend, startPolicyProxy, type Backend, type PolicyProxy } from './policy-support.js';

/** `openssl passwd -6 -salt saltsalt alicepw` and `openssl passwd -1 -salt saltsalt carolpw`. */
const ALICE = '$6$saltsalt$fxtrgNr0//Ip0B6ss2a/TCLvMdsw5Nx6dknvHShinRxCFbPDFOF1FjlGij8xWCb0jfJjN/ydBgMw3Go6NrTo21';
const CAROL = '$1$saltsalt$SIUp203xg6fAS.jaqq/oJ.';

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

let proxy: PolicyProxy;
let app: Backend;

function world(extra: unknown[] = []): unknown[] {
  return [
    objects.service('app'),
    objects.endpoints('app', [app.port]),
    objects.ingress('allow', 'allow.example.com', 'app', { 'haproxy.org/allow-list': '127.0.0.2, 127.0.0.16/30' }),
    objects.ingress('deny', 'deny.example.com', 'app', { 'ingress.kubernetes.io/blacklist': '127.0.0.3' }),
    objects.ingress('auth', 'auth.example.com', 'app', {
      'haproxy.org/auth-type': 'basic-auth',
      'haproxy.org/auth-secret': 'users',
      'haproxy.org/auth-realm': 'Staff only',
    }),
    objects.secret('users', { auth: `alice:${ALICE}\ncarol:${CAROL}\n` }),
    objects.ingress('closed', 'closed.example.com', 'app', { 'haproxy.org/auth-type': 'basic-auth', 'haproxy.org/auth-secret': 'missing' }),
    objects.ingress('limited', 'limited.example.com', 'app', {
      'haproxy.org/rate-limit-requests': '5',
      'haproxy.org/rate-limit-period': '1m',
      'haproxy.org/rate-limit-status-code': '429',
      'haproxy.org/rate-limit-whitelist': '127.0.0.9',
      'haproxy.org/rate-limit-size': '2k',
    }),
    ...extra,
  ];
}

const EXPECTED = /auth-secret: "missing" names Secret "default\/missing", which does not exist|no usable auth-secret/;

before(async () => {
  app = await startBackend();
  proxy = await startPolicyProxy();
  await proxy.apply(world(), { allowDiagnostics: EXPECTED });
});

after(async () => {
  await proxy?.close();
  await app?.close();
});

describe('allow-list and deny-list', () => {
  const cases: [string, string, string, number][] = [
    ['an address on the allow-list gets through', 'allow.example.com', '127.0.0.2', 200],
    ['an address in an allowed CIDR gets through', 'allow.example.com', '127.0.0.18', 200],
    ['any other address is refused', 'allow.example.com', '127.0.0.3', 403],
    ['an address on the deny-list (old name) is refused', 'deny.example.com', '127.0.0.3', 403],
    ['other addresses pass the deny-list', 'deny.example.com', '127.0.0.2', 200],
  ];
  for (const [name, host, from, status] of cases) {
    test(name, async () => {
      assert.equal((await request(proxy.port, { host, localAddress: from })).status, status);
    });
  }
});

describe('basic auth', () => {
  test('no credentials get 401 with the realm', async () => {
    const reply = await request(proxy.port, { host: 'auth.example.com' });
    assert.equal(reply.status, 401);
    assert.match(String(reply.headers['www-authenticate']), /^Basic realm="Staff only"/);
  });

  const cases: [string, Record<string, string>, number][] = [
    ['a SHA-512 crypt user with the right password gets in', basic('alice', 'alicepw'), 200],
    ['an MD5 crypt user with the right password gets in', basic('carol', 'carolpw'), 200],
    ['a wrong password gets 401', basic('alice', 'wrong'), 401],
    ['an unknown user gets 401', basic('mallory', 'alicepw'), 401],
  ];
  for (const [name, headers, status] of cases) {
    test(name, async () => {
      assert.equal((await request(proxy.port, { host: 'auth.example.com', headers })).status, status);
    });
  }

  test('auth with a missing Secret fails closed: 401 for everyone', async () => {
    assert.equal((await request(proxy.port, { host: 'closed.example.com', headers: basic('alice', 'alicepw') })).status, 401);
  });

  test('routes of the same Service without auth stay open', async () => {
    assert.equal((await request(proxy.port, { host: 'deny.example.com' })).status, 200);
  });
});

/** Waits until HAProxy's peers section finished its start-up sync: only then does a reload hand tables over. */
async function peersReady(): Promise<void> {
  const socket = join(proxy.harness.stateDir, 'run/admin.sock');
  await eventually(async () => /resync_timeout=<PAST>/.test(await sendText(socket, 'show peers\n', 2000)), { timeoutMs: 15_000, what: 'peers sync' });
}

describe('rate limiting', () => {
  test('the request after the limit is refused with the configured status; whitelisted clients are not limited', async () => {
    const from = '127.0.0.5';
    for (let i = 1; i <= 5; i++) assert.equal((await request(proxy.port, { host: 'limited.example.com', localAddress: from })).status, 200, `request ${i}`);
    assert.equal((await request(proxy.port, { host: 'limited.example.com', localAddress: from })).status, 429);
    assert.equal((await request(proxy.port, { host: 'limited.example.com', localAddress: '127.0.0.6' })).status, 200, 'another client has its own count');
    for (let i = 1; i <= 8; i++) assert.equal((await request(proxy.port, { host: 'limited.example.com', localAddress: '127.0.0.9' })).status, 200);
    const tables = await sendText(join(proxy.harness.stateDir, 'run/admin.sock'), 'show table\n', 2000);
    assert.match(tables, /type: ipv6, size:2000, used:2\b/, 'rate-limit-size sizes the table; whitelisted clients are not tracked');
  });

  test('counters survive a reload', { timeout: 30_000 }, async () => {
    const from = '127.0.0.7';
    await peersReady();
    for (let i = 1; i <= 3; i++) assert.equal((await request(proxy.port, { host: 'limited.example.com', localAddress: from })).status, 200);
    // A new backend is a structural change: HAProxy reloads.
    const result = await proxy.apply(world([objects.ingress('extra', 'extra.example.com', 'app', { 'haproxy.org/set-host': 'x.example.com' })]), { allowDiagnostics: EXPECTED });
    assert.equal(result.action, 'reload');
    // The old process hands its table to the new one as it stops; wait for the lesson to arrive.
    const socket = join(proxy.harness.stateDir, 'run/admin.sock');
    await eventually(async () => /type: ipv6, size:\d+, used:[1-9]/.test(await sendText(socket, 'show table\n', 2000)), { what: 'table handed over' });
    const statuses: number[] = [];
    for (let i = 4; i <= 6; i++) statuses.push((await request(proxy.port, { host: 'limited.example.com', localAddress: from })).status);
    assert.deepEqual(statuses, [200, 200, 429]);
  });
});
