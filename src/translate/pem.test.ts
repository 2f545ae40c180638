import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Secret } from '../store/types.js';
import { baseTranslateOptions, fixturePath, loadFixture, loadObjects } from '../../test/support/fixtures.js';
import { dumpModel, translate } from './index.js';
import { certificateFingerprint, checkTlsSecret } from './pem.js';

const SHARED = fixturePath('translate/tls-secret-shared-by-two-ingresses-merges-its-hosts.yaml');

function fixtureSecret(): Secret {
  const secret = loadObjects(SHARED).find((o): o is Secret => o.kind === 'Secret' && o.metadata.namespace === 'default');
  assert.ok(secret, 'the fixture holds a Secret in namespace default');
  return secret;
}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64');

test('the PEM is tls.crt, ending in a newline, followed by tls.key', () => {
  const secret = fixtureSecret();
  const crt = decode(secret.data['tls.crt']).trimEnd();
  const key = decode(secret.data['tls.key']).trimEnd();
  const trimmed = { ...secret, data: { 'tls.crt': encode(crt), 'tls.key': encode(key) } };
  assert.deepEqual(checkTlsSecret(trimmed), { ok: true, pem: `${crt}\n${key}\n` });
});

test('base64 with line breaks, as some tools write it, is accepted', () => {
  const secret = fixtureSecret();
  const wrapped = secret.data['tls.crt'].replace(/.{64}/g, '$&\n');
  assert.notEqual(wrapped, secret.data['tls.crt']);
  const result = checkTlsSecret({ ...secret, data: { ...secret.data, 'tls.crt': wrapped } });
  assert.equal(result.ok, true);
});

test('the model dump shows a fingerprint of each certificate and never its key', () => {
  const result = translate(loadFixture(SHARED), baseTranslateOptions());
  const dump = dumpModel(result.model);
  const pems = [...result.model.certificates.map((c) => c.pem), result.model.defaultCertificate.pem];
  assert.equal(pems.length, 3);
  for (const pem of pems) {
    assert.match(pem, /-----BEGIN PRIVATE KEY-----/, 'the model itself carries the key');
    const keyBody = pem.split('-----BEGIN PRIVATE KEY-----')[1].split('\n')[1];
    assert.ok(!dump.includes(keyBody), 'no key material in the dump');
  }
  assert.doesNotMatch(dump, /PRIVATE KEY|BEGIN/);
});

test('certificateFingerprint reads the first certificate and copes with anything else', () => {
  const pem = fixtureSecret().data['tls.crt'];
  // `openssl x509 -noout -fingerprint -sha256` of this certificate starts with 5E:BB:12:A4:ED:CD:7D:F7.
  assert.equal(certificateFingerprint(decode(pem)), '5ebb12a4edcd7df7');
  assert.equal(certificateFingerprint('no PEM here'), 'none');
  assert.equal(certificateFingerprint('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), 'unreadable');
});

test('tls.crt and tls.key: missing, empty and not base64 are all unusable; line breaks are not', () => {
  const secret = fixtureSecret();
  const cases: { desc: string; data: Record<string, string>; expected: string | 'ok' }[] = [
    { desc: 'as Kubernetes writes it', data: secret.data, expected: 'ok' },
    { desc: 'missing tls.crt', data: { 'tls.key': secret.data['tls.key'] }, expected: 'tls.crt is missing, empty or not base64' },
    { desc: 'empty tls.crt', data: { ...secret.data, 'tls.crt': '' }, expected: 'tls.crt is missing, empty or not base64' },
    { desc: 'empty tls.key', data: { ...secret.data, 'tls.key': '' }, expected: 'tls.key is missing, empty or not base64' },
    { desc: 'tls.crt with a space in it', data: { ...secret.data, 'tls.crt': `${secret.data['tls.crt'].slice(0, 8)} ${secret.data['tls.crt'].slice(8)}` }, expected: 'tls.crt is missing, empty or not base64' },
    { desc: 'tls.key wrapped at 76 columns', data: { ...secret.data, 'tls.key': secret.data['tls.key'].replace(/.{76}/g, '$&\r\n') }, expected: 'ok' },
  ];
  for (const c of cases) {
    const result = checkTlsSecret({ ...secret, data: c.data });
    assert.equal(result.ok ? 'ok' : result.reason, c.expected, c.desc);
  }
});
