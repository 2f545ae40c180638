import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { emptySnapshot } from '../../src/store/types.js';
import { judgeAnnotation } from '../../src/app/migrate-report.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const INGRESS = { metadata: { namespace: 'default', name: 'x', annotations: {}, labels: {} } } as never;

describe('migrate: the verdict on each ingress-nginx key', () => {
  const cases: [key: string, value: string, verdict: string, detail?: RegExp][] = [
    ['whitelist-source-range', '10.0.0.0/8', 'served'],
    ['upstream-vhost', 'internal.example.com', 'served'],
    ['limit-rps', '5', 'different', /503/],
    ['load-balance', 'ewma', 'different', /leastconn/],
    ['load-balance', 'chash', 'not-served', /round_robin/],
    ['proxy-read-timeout', 'soon', 'not-served', /seconds/],
    ['configuration-snippet', 'more_set_headers "X: y";', 'not-served', /request-set-header/],
    ['auth-url', 'http://auth/', 'not-served', /external authentication/],
    ['canary-weight', '10', 'served'],
    ['canary-weight', 'ten', 'not-served', /ignored/],
    ['affinity', 'cookie', 'served'],
    ['auth-type', 'basic', 'different', /digest/],
    ['auth-realm', 'Staff', 'served'],
    ['no-such-key', 'x', 'not-served', /unknown/],
  ];
  for (const [key, value, verdict, detail] of cases) {
    it(`${key}: ${value} -> ${verdict}`, () => {
      const report = judgeAnnotation(key, value, INGRESS, emptySnapshot());
      assert.equal(report.verdict, verdict);
      if (detail) assert.match(report.detail ?? '', detail);
    });
  }
});

describe('portcullis migrate', () => {
  it('reports per Ingress and exits 1 when a key is not served', async () => {
    const failed = await run(process.execPath, [CLI, 'migrate', '--manifests', join(ROOT, 'test', 'fixtures', 'migrate')]).then(
      () => assert.fail('exit 0'),
      (e: { code: number; stdout: string }) => e,
    );
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /^Ingress shop\/api\n/m);
    assert.match(failed.stdout, /nginx\.ingress\.kubernetes\.io\/whitelist-source-range: served as is\n/);
    assert.match(failed.stdout, /nginx\.ingress\.kubernetes\.io\/auth-url: not served \(external authentication/);
  });

  it('exits 0 and prints JSON when everything is served', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'migrate', '--manifests', join(ROOT, 'test', 'fixtures', 'migrate-served'), '--format', 'json']);
    const report = JSON.parse(stdout) as { served: boolean; ingresses: { ingress: string; annotations: { key: string; verdict: string }[] }[] };
    assert.equal(report.served, true);
    assert.deepEqual(report.ingresses[0].annotations.map((a) => a.verdict), ['different', 'different', 'different', 'served']);
  });

  it('refuses to run without --manifests', async () => {
    const failed = await run(process.execPath, [CLI, 'migrate']).catch((e: { code: number; stderr: string }) => e);
    assert.equal((failed as { code: number }).code, 2);
  });
});
