import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { alertCertificateFiles, alertLine, validateConfig } from './validate.js';

const HAPROXY = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pcl-validate-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const GOOD = ['defaults', '    mode http', '    timeout client 1s', '    timeout server 1s', '    timeout connect 1s',
  'frontend fe', '    bind 127.0.0.1:1', '    http-request return status 200'];

describe('validateConfig', () => {
  test('accepts a valid configuration and reports no line', async () => {
    const path = join(dir, 'good.cfg');
    await writeFile(path, `${GOOD.join('\n')}\n`);
    const result = await validateConfig(HAPROXY, path);
    assert.equal(result.ok, true, result.output);
    assert.equal(result.line, undefined);
    assert.doesNotMatch(result.output, /\[NOTICE\]/);
  });

  test('rejects a broken configuration and points at the failing line', async () => {
    const path = join(dir, 'broken.cfg');
    await writeFile(path, `${[...GOOD.slice(0, 7), '    no-such-keyword here', ...GOOD.slice(7)].join('\n')}\n`);
    const result = await validateConfig(HAPROXY, path);
    assert.equal(result.ok, false);
    assert.equal(result.line, 8);
    assert.match(result.output, /no-such-keyword/);
  });

  test('a binary that cannot run is a failed validation, not an exception', async () => {
    const result = await validateConfig(join(dir, 'no-haproxy-here'), join(dir, 'good.cfg'));
    assert.equal(result.ok, false);
    assert.match(result.output, /ENOENT/);
  });
});

describe('reading haproxy -c output', () => {
  const output = [
    "[ALERT]    (1) : config : parsing [/s/next/haproxy.cfg:16] : 'bind *:443' in section 'frontend' : 'crt-list' : unable to load certificate from file 'certs/ns_bad.pem'.",
    '[WARNING]  (1) : config : parsing [/s/next/haproxy.cfg:3] : something harmless',
    '[ALERT]    (1) : config : Fatal errors found in configuration.',
  ].join('\n');

  test('finds the first alert line of the named file only', () => {
    assert.equal(alertLine(output, '/s/next/haproxy.cfg'), 16);
    assert.equal(alertLine(output, '/s/haproxy.cfg'), undefined);
  });

  test('finds the certificate files alerts name', () => {
    assert.deepEqual(alertCertificateFiles(output), ['certs/ns_bad.pem']);
  });
});
