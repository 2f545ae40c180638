import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Secret } from '../../store/types.js';
import { fixturePath } from '../../../test/support/fixtures.js';
import { readAuthUsers, readCaFile } from './secrets.js';
import type { Parsed } from './types.js';

/** `openssl passwd -6 -salt saltsalt alicepw`. */
const ALICE = '$6$saltsalt$fxtrgNr0//Ip0B6ss2a/TCLvMdsw5Nx6dknvHShinRxCFbPDFOF1FjlGij8xWCb0jfJjN/ydBgMw3Go6NrTo21';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const secret = (data: Record<string, string>): Secret => ({
  kind: 'Secret', type: 'Opaque', data,
  metadata: { namespace: 'default', name: 's', uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z', labels: {}, annotations: {} },
});
const where = 'Secret "default/s"';

/** What a test compares: the users' names, the warnings, or the refusal. */
function summary(parsed: Parsed<{ name: string }[]>): unknown {
  return parsed.ok ? { users: parsed.value.map((u) => u.name), warnings: parsed.warnings ?? [] } : { refused: parsed.reason };
}

describe('readAuthUsers: how each value of an auth Secret decodes', () => {
  const noUser = { refused: `names ${where}, which holds no usable user (htpasswd lines in "auth", or one key per user)` };
  const cases: { desc: string; data: Record<string, string>; expected: unknown }[] = [
    { desc: 'an htpasswd file in auth', data: { auth: b64(`alice:${ALICE}\n`) }, expected: { users: ['alice'], warnings: [] } },
    { desc: 'an empty auth is a file without users', data: { auth: '', alice: b64(ALICE) }, expected: noUser },
    { desc: 'an auth that is not base64 is read like any other key', data: { auth: 'not base64!', alice: b64(ALICE) }, expected: {
      users: ['alice'], warnings: [`${where}: user "auth" has a value that is not base64; the user is left out`],
    } },
    { desc: 'one key per user', data: { alice: b64(`${ALICE}\n`) }, expected: { users: ['alice'], warnings: [] } },
    { desc: 'an empty entry is a user without a hash, left out', data: { alice: b64(ALICE), bob: '' }, expected: {
      users: ['alice'], warnings: [`${where}: user "bob" has no crypt(3) hash (plain-text passwords are not accepted); make it again with htpasswd -B (bcrypt) or openssl passwd -6; the user is left out`],
    } },
    { desc: 'an entry that is not base64 is left out as such', data: { alice: b64(ALICE), bob: `${b64(ALICE)} ` }, expected: {
      users: ['alice'], warnings: [`${where}: user "bob" has a value that is not base64; the user is left out`],
    } },
    { desc: 'only empty entries', data: { bob: '' }, expected: {
      refused: noUser.refused,
    } },
  ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(summary(readAuthUsers(secret(c.data))), c.expected));
});

describe('readCaFile: which key is the bundle, and how it decodes', () => {
  const ca = readFileSync(fixturePath('translate/fallback.pem'), 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/)![0];
  const none = `names ${where}, which has no PEM certificate in ca.crt or tls.crt`;
  const cases: { desc: string; data: Record<string, string>; expected: string }[] = [
    { desc: 'ca.crt', data: { 'ca.crt': b64(ca) }, expected: 'ok' },
    { desc: 'tls.crt when there is no ca.crt', data: { 'tls.crt': b64(ca) }, expected: 'ok' },
    { desc: 'an empty ca.crt is an empty bundle, not a reason to read tls.crt', data: { 'ca.crt': '', 'tls.crt': b64(ca) }, expected: none },
    { desc: 'a ca.crt that is not base64 is refused as such', data: { 'ca.crt': '%%%', 'tls.crt': b64(ca) }, expected: `names ${where}, whose ca.crt is not base64` },
    { desc: 'a tls.crt that is not base64 is refused as such', data: { 'tls.crt': '%%%' }, expected: `names ${where}, whose tls.crt is not base64` },
    { desc: 'an empty tls.crt', data: { 'tls.crt': '' }, expected: none },
    { desc: 'neither key', data: {}, expected: none },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const parsed = readCaFile(secret(c.data));
      assert.equal(parsed.ok ? 'ok' : parsed.reason, c.expected);
      if (parsed.ok) assert.equal(parsed.value.pem, `${ca}\n`);
    });
  }
});
