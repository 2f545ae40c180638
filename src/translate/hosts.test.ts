import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHost, coveringWildcard } from './hosts.js';
import { isCovered } from './certificates.js';

test('checkHost accepts DNS names and one-label wildcards, lower-cased', () => {
  const cases: [string | undefined, boolean, string][] = [
    ['Foo.Example.COM', true, 'foo.example.com'],
    ['*.Example.com', true, '*.example.com'],
    ['localhost', true, 'localhost'],
    ['xn--bcher-kva.example', true, 'xn--bcher-kva.example'],
    ['a-b.c-d.example', true, 'a-b.c-d.example'],
    ['1.2.3.example', true, '1.2.3.example'],
    [undefined, true, ''],
    ['', true, ''],
  ];
  for (const [raw, allowAny, host] of cases) {
    assert.deepEqual(checkHost(raw, allowAny), { ok: true, host }, `host ${JSON.stringify(raw)}`);
  }
});

test('checkHost refuses what is not a DNS name or a one-label wildcard', () => {
  const cases: [string | undefined, string][] = [
    [undefined, 'it is empty'],
    ['', 'it is empty'],
    ['*.', 'it has no domain after the wildcard'],
    ['192.168.0.1', 'it is an IP address or has a port; only DNS names are allowed'],
    ['example.com:443', 'it is an IP address or has a port; only DNS names are allowed'],
    ['[::1]', 'it is an IP address or has a port; only DNS names are allowed'],
    ['*example.com', 'a wildcard is only allowed as the whole first label ("*.")'],
    ['a.*', 'a wildcard is only allowed as the whole first label ("*.")'],
    ['example.com-', 'the label "com-" has characters other than letters, digits and inner "-"'],
    ['ex ample.com', 'the label "ex ample" has characters other than letters, digits and inner "-"'],
    ['exämple.com', 'the label "exämple" has characters other than letters, digits and inner "-"'],
    ['.example.com', 'it has an empty label'],
  ];
  for (const [raw, reason] of cases) {
    // `allowAny: false` is how TLS hosts are checked: there, an empty host is a mistake.
    assert.deepEqual(checkHost(raw, false), { ok: false, reason }, `host ${JSON.stringify(raw)}`);
  }
});

test('checkHost measures the limits exactly: 63 per label, 253 in all', () => {
  const label63 = 'a'.repeat(63);
  const host253 = `${label63}.${label63}.${label63}.${'a'.repeat(61)}`;
  assert.equal(host253.length, 253);
  assert.deepEqual(checkHost(`${label63}.com`, false), { ok: true, host: `${label63}.com` });
  assert.deepEqual(checkHost(host253, false), { ok: true, host: host253 });
  assert.equal(checkHost(`${host253}a`, false).ok, false);
  assert.equal(checkHost(`a${label63}.com`, false).ok, false);
});

test('coveringWildcard replaces the first label, and only for multi-label exact hosts', () => {
  assert.equal(coveringWildcard('bar.foo.com'), '*.foo.com');
  assert.equal(coveringWildcard('a.bar.foo.com'), '*.bar.foo.com');
  assert.equal(coveringWildcard('localhost'), undefined);
  assert.equal(coveringWildcard('*.foo.com'), undefined);
  assert.equal(coveringWildcard(''), undefined);
});

test('isCovered: a wildcard certificate stands for exactly one label', () => {
  const served = new Set(['foo.com', '*.foo.com', 'exact.bar.com']);
  const cases: [string, boolean][] = [
    ['foo.com', true],
    ['bar.foo.com', true],
    ['*.foo.com', true],
    ['exact.bar.com', true],
    ['a.bar.foo.com', false],
    ['xfoo.com', false],
    ['*.bar.foo.com', false],
    ['other.bar.com', false],
    ['*.bar.com', false],
    ['', false],
  ];
  for (const [host, expected] of cases) assert.equal(isCovered(host, served), expected, host);
});
