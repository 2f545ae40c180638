import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { buildRootFrom, defaultFeaturesDir, findRepoRoot, parseDuration, parseOptions, timingsLine, UsageError } from './options.js';

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
  test('defaults to the project scenarios, short waits, and the upstream features only when they exist', () => {
    const repo = findRepoRoot(BUILD_ROOT);
    const o = parseOptions([], BUILD_ROOT, {});
    assert.equal(o.scenariosDir, path.join(repo, 'test', 'conformance', 'scenarios'));
    const features = defaultFeaturesDir(repo);
    assert.equal(features, path.join(repo, '..', 'shared', 'conformance', 'ingress', 'features'));
    if (fs.existsSync(features)) assert.deepEqual(o.upstream, { dir: features, given: false });
    else assert.match('skipped' in o.upstream ? o.upstream.skipped : '', /^upstream features not present: .* does not exist \(set CONFORMANCE_FEATURES=DIR/);
    assert.equal(o.only, undefined);
    assert.equal(o.timings, 'short');
    assert.deepEqual([o.waitForStatusMs, o.pollIntervalMs, o.scaleSettleMs, o.requestTimeoutMs], [8000, 200, 1000, 10_000]);
    assert.equal(o.ingressClass, 'conformance');
    assert.equal(o.address, '127.0.1.1');
    assert.deepEqual([o.httpPort, o.httpsPort], [80, 443]);
    assert.equal(o.kubeconfig, undefined);
    assert.equal(o.stopOnFailure, false);
    assert.match(timingsLine(o), /^timings \(short\): status wait 8s, poll 200ms, scale settle 1s, request timeout 10s \(upstream timings: --upstream-timings or CONFORMANCE_TIMINGS=upstream/);
  });

  test('takes the upstream waits from the flag, the environment, or cluster mode; single flags still win', () => {
    const upstream = [300_000, 5000, 60_000];
    const waits = (o: ReturnType<typeof parseOptions>) => [o.waitForStatusMs, o.pollIntervalMs, o.scaleSettleMs];
    assert.deepEqual(waits(parseOptions(['--upstream-timings'], BUILD_ROOT, {})), upstream);
    assert.deepEqual(waits(parseOptions([], BUILD_ROOT, { CONFORMANCE_TIMINGS: 'upstream' })), upstream);
    assert.deepEqual(waits(parseOptions(['--kubeconfig', '/k', '--backend-address', '127.0.0.5'], BUILD_ROOT, {})), upstream);
    assert.deepEqual(waits(parseOptions(['--kubeconfig', '/k', '--backend-address', '127.0.0.5'], BUILD_ROOT, { CONFORMANCE_TIMINGS: 'short' })), [8000, 200, 1000]);
    assert.deepEqual(waits(parseOptions(['--upstream-timings', '--scale-settle', '2s'], BUILD_ROOT, {})), [300_000, 5000, 2000]);
    assert.throws(() => parseOptions([], BUILD_ROOT, { CONFORMANCE_TIMINGS: 'fast' }), /CONFORMANCE_TIMINGS must be "short" or "upstream", got "fast"/);
  });

  test('uses a features folder given by flag or CONFORMANCE_FEATURES as is, the flag first', () => {
    assert.deepEqual(parseOptions([], BUILD_ROOT, { CONFORMANCE_FEATURES: '/nowhere/f' }).upstream, { dir: '/nowhere/f', given: true });
    assert.deepEqual(parseOptions(['--features', '/x'], BUILD_ROOT, { CONFORMANCE_FEATURES: '/nowhere/f' }).upstream, { dir: '/x', given: true });
    assert.equal(parseOptions(['--only', 'project'], BUILD_ROOT, {}).only, 'project');
    assert.throws(() => parseOptions(['--only', 'both'], BUILD_ROOT, {}), /--only must be "project" or "upstream"/);
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
