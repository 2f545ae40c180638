/**
 * ingress-nginx basic auth through a real HAProxy: `auth-type: basic`, `auth-secret` in both its
 * forms (an htpasswd file under `auth`, and `auth-secret-type: auth-map` with one key per user),
 * `auth-realm`, and each hash kind htpasswd writes that Debian's HAProxy checks with its crypt(3).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { objects, request, startBackend, startPolicyProxy, type Backend, type PolicyProxy } from './policy-support.js';

const N = 'nginx.ingress.kubernetes.io/';

/**
 * The hash kinds, each for its own user: bcrypt as `htpasswd -B` writes it ($2y$, cost 5) and as
 * other tools write it ($2b$), SHA-256 and SHA-512 crypt (`openssl passwd -5` / `-6`), and Apache MD5
 * (`htpasswd` without options, `openssl passwd -apr1`), which HAProxy cannot check.
 */
const HASHES = {
  bob: ['bobpw', '$2y$05$saltsaltsaltsaltsaltsu9/RoUV08WqfYAunZrk8T0hhOvMZpCbu'],
  erin: ['erinpw', '$2b$05$saltsaltsaltsaltsaltsusDOUWoTqp6Uo0JIPtc04vcKCDorZTx2'],
  carol: ['carolpw', '$5$saltsalt$sBZfthWLZ4NIEAlGqPYKW.mASrhHu1HNAPnWN1yly8C'],
  diana: ['dianapw', '$6$saltsalt$brdSsRmjP0X1tduSZgFj8bel.DobOXMFxTrV1AsXsBpMYKr4Im6MaH0pWstnVdEWbFwF/n8ypfc2FYey4NPB81'],
  frank: ['frankpw', '$apr1$saltsalt$bBrr33RgwPU2UnLixscrz.'],
} as const;
type User = keyof typeof HASHES;

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

let proxy: PolicyProxy;
let app: Backend;

function nginx(name: string, host: string, annotations: Record<string, string>): unknown {
  return objects.ingress(name, host, 'app', Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`${N}${k}`, v])));
}

const file = Object.entries(HASHES).map(([user, [, hash]]) => `${user}:${hash}`).join('\n');

/** Warnings the $apr1$ user brings (once per Secret), and the refused digest type. */
const EXPECTED = /user "frank" has an Apache MD5 \(\$apr1\$\) hash|auth-type: "digest" is not checked by HAProxy/;

before(async () => {
  app = await startBackend();
  proxy = await startPolicyProxy();
  await proxy.apply([
    objects.service('app'),
    objects.endpoints('app', [app.port]),
    objects.secret('htpasswd', { auth: `${file}\n` }),
    objects.secret('per-user', Object.fromEntries(Object.entries(HASHES).map(([user, [, hash]]) => [user, hash]))),
    nginx('file', 'file.example.com', { 'auth-type': 'basic', 'auth-secret': 'htpasswd', 'auth-realm': 'Authentication Required - foo' }),
    nginx('map', 'map.example.com', { 'auth-type': 'basic', 'auth-secret': 'default/per-user', 'auth-secret-type': 'auth-map' }),
    nginx('digest', 'digest.example.com', { 'auth-type': 'digest', 'auth-secret': 'htpasswd' }),
  ], { allowDiagnostics: EXPECTED });
});

after(async () => {
  await proxy?.close();
  await app?.close();
});

for (const host of ['file.example.com', 'map.example.com']) {
  describe(`basic auth on ${host}`, () => {
    test('no credentials get 401 with the realm', async () => {
      const reply = await request(proxy.port, { host });
      assert.equal(reply.status, 401);
      const realm = host.startsWith('file') ? 'Authentication Required - foo' : 'Protected Content';
      assert.equal(reply.headers['www-authenticate'], `Basic realm="${realm}"`);
    });
    const served: [User, string][] = [['bob', 'bcrypt $2y$ (htpasswd -B)'], ['erin', 'bcrypt $2b$'], ['carol', 'SHA-256 crypt'], ['diana', 'SHA-512 crypt']];
    for (const [user, kind] of served) {
      test(`a ${kind} user gets in with the right password, not with a wrong one`, async () => {
        assert.equal((await request(proxy.port, { host, headers: basic(user, HASHES[user][0]) })).status, 200);
        assert.equal((await request(proxy.port, { host, headers: basic(user, `${HASHES[user][0]}x`) })).status, 401);
      });
    }
    test('an Apache MD5 ($apr1$) user is left out: 401 even with the right password', async () => {
      assert.equal((await request(proxy.port, { host, headers: basic('frank', HASHES.frank[0]) })).status, 401);
    });
  });
}

test('the $apr1$ user is reported, with what to do instead', () => {
  assert.throws(
    () => proxy.model([objects.service('app'), objects.secret('htpasswd', { auth: file }), nginx('file', 'file.example.com', { 'auth-type': 'basic', 'auth-secret': 'htpasswd' })]),
    /PCL_ANNOTATION_SECRET_INVALID.*auth-secret: Secret "default\/htpasswd": user "frank" has an Apache MD5 \(\$apr1\$\) hash.*htpasswd -B/,
  );
});

test('auth-type "digest" fails closed: basic credentials are asked for against the same Secret', async () => {
  assert.equal((await request(proxy.port, { host: 'digest.example.com' })).status, 401);
  assert.equal((await request(proxy.port, { host: 'digest.example.com', headers: basic('diana', HASHES.diana[0]) })).status, 200);
});
