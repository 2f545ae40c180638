/**
 * The command line as a user meets it: a mistake gets one line naming what is wrong (and the
 * closest flag), exit code 2, and nothing starts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli-process.js';
import { freePort } from '../support/net.js';

async function loopbackPorts(): Promise<string[]> {
  return [
    '--bind-address', '127.0.0.1', '--http-port', String(await freePort()), '--https-port', String(await freePort()),
    '--health-address', '127.0.0.1', '--health-port', '0',
  ];
}

describe('the command line', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-cli-'));
    await writeFile(join(dir, 'file.yaml'), '');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** Exactly one line on stderr, nothing on stdout, exit code 2. */
  async function refused(args: string[]): Promise<string> {
    const run = await runCli(args);
    assert.equal(run.signal, null, `portcullis ${args.join(' ')} ended by itself; output: ${run.stdout}${run.stderr}`);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr.split('\n').length, 2, `one line: ${JSON.stringify(run.stderr)}`);
    return run.stderr.trimEnd();
  }

  it('--help lists every flag apart from its description and exits 0', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0);
    assert.doesNotMatch(run.stdout, /--\S+ [A-Z/[\]:]+[A-Z][a-z]/, 'no value name runs into its description');
    assert.match(run.stdout, /^ {2}--leader-election-lease-duration SECONDS\n {4,}Seconds a leader's Lease lasts/m);
  });

  for (const command of ['controller', 'render']) {
    it(`${command}: an unknown flag is one line with the closest flag`, async () => {
      assert.equal(await refused([command, '--manifest', dir]), 'portcullis: unknown flag --manifest (did you mean --manifests?); see portcullis --help');
      assert.equal(await refused([command, '--frobnicate']), 'portcullis: unknown flag --frobnicate; see portcullis --help');
    });

    it(`${command}: a flag without its value is one line`, async () => {
      assert.equal(await refused([command, '--manifests']), 'portcullis: --manifests needs a value (DIR); see portcullis --help');
    });

    it(`${command}: a --manifests folder that does not exist, or is a file, is one line`, async () => {
      // Should the check ever be lost, the controller that starts anyway stays on loopback.
      const ports = command === 'controller' ? await loopbackPorts() : [];
      const missing = join(dir, 'no-such-folder');
      assert.equal(await refused([command, '--manifests', missing, ...ports]), `portcullis: --manifests: there is no folder ${missing}; see portcullis --help`);
      const file = join(dir, 'file.yaml');
      assert.equal(await refused([command, '--manifests', file, ...ports]), `portcullis: --manifests: ${file} is a file, not a folder; see portcullis --help`);
    });
  }

  it('a malformed value is one line too, without the help', async () => {
    assert.equal(await refused(['controller', '--http-port', '99999']), 'portcullis: --http-port must be a port number, not "99999"; see portcullis --help');
  });
});
