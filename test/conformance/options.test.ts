import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { buildRootFrom, findRepoRoot, parseDuration, parseOptions, UsageError } from './options.js';

const BUILD_ROOT = buildRootFrom(import.meta.url);

describe('parseDuration', () => {
  test('reads Go durations into milliseconds', () => {
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('200ms'), 200);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('0'), 0);
  });

  test('rejects text that is not a duration', () => {
    for (const bad of ['', '5', 'five', '5x', '5m junk']) assert.throws(() => parseDuration(bad), UsageError, bad);
  });
});

describe('parseOptions', () => {
  test('uses the upstream defaults and finds the features next to the repository', () => {
    const o = parseOptions([], BUILD_ROOT);
    const repo = findRepoRoot(BUILD_ROOT);
    assert.equal(o.featuresDir, path.join(repo, '..', 'shared', 'conformance', 'ingress', 'features'));
    assert.equal(o.ingressClass, 'conformance');
    assert.equal(o.waitForStatusMs, 300_000);
    assert.equal(o.pollIntervalMs, 5000);
    assert.equal(o.scaleSettleMs, 60_000);
    assert.equal(o.requestTimeoutMs, 10_000);
    assert.equal(o.address, '127.0.1.1');
    assert.deepEqual([o.httpPort, o.httpsPort], [80, 443]);
    assert.equal(o.kubeconfig, undefined);
    assert.equal(o.stopOnFailure, false);
  });

  test('accepts both --flag value and --flag=value', () => {
    const o = parseOptions(
      ['--wait-time-for-ingress-status', '8s', '--poll-interval=200ms', '--stop-on-failure', '--http-port', '8080', '--name', 'Host rules'],
      BUILD_ROOT,
    );
    assert.equal(o.waitForStatusMs, 8000);
    assert.equal(o.pollIntervalMs, 200);
    assert.equal(o.stopOnFailure, true);
    assert.equal(o.httpPort, 8080);
    assert.ok(o.name?.test('Host rules: x'));
  });

  test('requires --backend-address in cluster mode', () => {
    assert.throws(() => parseOptions(['--kubeconfig', '/tmp/k'], BUILD_ROOT), /backend-address/);
    const o = parseOptions(['--kubeconfig', '/tmp/k', '--backend-address', '127.0.0.5'], BUILD_ROOT);
    assert.equal(o.backendAddress, '127.0.0.5');
  });

  test('rejects unknown flags, missing values, bad ports and stray arguments', () => {
    assert.throws(() => parseOptions(['--nope'], BUILD_ROOT), /unknown flag/);
    assert.throws(() => parseOptions(['--tags'], BUILD_ROOT), /needs a value/);
    assert.throws(() => parseOptions(['--https-port', '70000'], BUILD_ROOT), /bad port/);
    assert.throws(() => parseOptions(['extra'], BUILD_ROOT), /unexpected argument/);
  });
});
