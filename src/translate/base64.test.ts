import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeSecretValue, type SecretValue } from './base64.js';

const text = (t: string): SecretValue => ({ state: 'text', text: t });

describe('decodeSecretValue', () => {
  const cases: { desc: string; value: string | undefined; expected: SecretValue }[] = [
    { desc: 'a key that is not there', value: undefined, expected: { state: 'missing' } },
    { desc: 'an empty value', value: '', expected: { state: 'empty' } },
    { desc: 'only line breaks', value: '\n\r\n', expected: { state: 'empty' } },
    { desc: 'no padding needed', value: 'YWJj', expected: text('abc') },
    { desc: 'one padding character', value: 'YWI=', expected: text('ab') },
    { desc: 'two padding characters', value: 'YQ==', expected: text('a') },
    { desc: 'both extra characters of the alphabet', value: 'Pz8+', expected: text('??>') },
    { desc: 'line breaks, as a wrapped value', value: 'YWJj\nZGVm\r\nZw==\n', expected: text('abcdefg') },
    { desc: 'a length that is not a multiple of four', value: 'YWJjZA', expected: { state: 'invalid' } },
    { desc: 'padding in the middle', value: 'YQ==YWJj', expected: { state: 'invalid' } },
    { desc: 'three padding characters', value: 'Y===', expected: { state: 'invalid' } },
    { desc: 'padding only', value: '====', expected: { state: 'invalid' } },
    { desc: 'a space (Go refuses it too)', value: 'YWJj ZGVm', expected: { state: 'invalid' } },
    { desc: 'a tab', value: 'YWJj\tZGVm', expected: { state: 'invalid' } },
    { desc: 'the URL-safe alphabet', value: 'Pz8-', expected: { state: 'invalid' } },
    { desc: 'text that is not base64', value: '!!not base64!!', expected: { state: 'invalid' } },
  ];
  for (const c of cases) {
    test(c.desc, () => assert.deepEqual(decodeSecretValue(c.value), c.expected));
  }

  test('reads back what Kubernetes writes', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    for (let n = 1; n <= pem.length; n++) {
      assert.deepEqual(decodeSecretValue(Buffer.from(pem.slice(0, n)).toString('base64')), text(pem.slice(0, n)));
    }
  });
});
