import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPaths, FLAGS, helpText, parseOptions } from './options.js';

describe('command line', () => {
  it('has the documented defaults', () => {
    const o = parseOptions(['controller']);
    assert.equal(o.ingressClass, 'portcullis');
    assert.equal(o.controllerName, 'portcullis.dev/ingress-controller');
    assert.equal(o.httpPort, 80);
    assert.equal(o.httpsPort, 443);
    assert.equal(o.bindAddress, '');
    assert.deepEqual(o.namespaces, []);
    assert.equal(o.watchIngressWithoutClass, false);
  });

  it('collects --gateway-address into the Gateway address pool, IP addresses only', () => {
    assert.deepEqual(parseOptions(['controller']).gatewayAddresses, []);
    assert.deepEqual(parseOptions(['controller', '--gateway-address', '127.0.1.5', '--gateway-address', '::1']).gatewayAddresses, ['127.0.1.5', '::1']);
    assert.throws(() => parseOptions(['controller', '--gateway-address', 'gw.example']), /--gateway-address must be an IP address, not "gw.example"/);
  });

  it('reads every flag of the contract', () => {
    const o = parseOptions([
      'controller', '--kubeconfig', 'k', '--ingress-class', 'c', '--controller-name', 'x/y', '--watch-ingress-without-class',
      '--http-port', '8080', '--https-port', '8443', '--bind-address', '127.0.0.2', '--publish-service', 'ns/svc',
      '--configmap', 'ns/cm', '--default-backend-service', 'ns/db', '--default-ssl-certificate', 'ns/tls',
      '--namespace', 'a', '--namespace', 'b', '--state-dir', '/tmp/s', '--haproxy-bin', '/bin/h', '--health-port', '9000',
    ]);
    assert.equal(o.kubeconfig, 'k');
    assert.deepEqual(o.publishService, { namespace: 'ns', name: 'svc' });
    assert.deepEqual(o.namespaces, ['a', 'b']);
    assert.equal(o.httpsPort, 8443);
    assert.equal(o.healthPort, 9000);
    assert.equal(o.stateDir, '/tmp/s');
    assert.equal(o.watchIngressWithoutClass, true);
  });

  it('refuses contradictory or malformed flags with a clear message', () => {
    assert.throws(() => parseOptions(['controller', '--kubeconfig', 'k', '--manifests', 'd']), /exclude each other/);
    assert.throws(() => parseOptions(['controller', '--http-port', '99999']), /--http-port must be a port number/);
    assert.throws(() => parseOptions(['controller', '--configmap', 'nonamespace']), /--configmap must be NAMESPACE\/NAME/);
    assert.throws(() => parseOptions(['render']), /render needs --manifests/);
    assert.throws(() => parseOptions(['controller', '--no-such-flag']), (e: Error & { code?: string }) => e.code === 'PCL_ERR_USAGE');
  });

  it('documents every flag in --help', () => {
    const help = helpText();
    for (const name of Object.keys(FLAGS)) assert.match(help, new RegExp(`--${name}\\b`));
  });

  it('keeps every flag apart from its description in --help', () => {
    const lines = helpText().split('\n');
    const start = lines.indexOf('Flags:') + 1;
    const rows = lines.slice(start).filter((l) => l.startsWith('  --'));
    assert.equal(rows.length, Object.keys(FLAGS).length);
    const column = new Set<number>();
    for (const row of rows) {
      const index = lines.indexOf(row);
      const inline = /^ {2}(--\S+(?: \S+)?) {2,}(\S.*)$/.exec(row);
      // A flag too long for the column stands alone, its description on the next line.
      const alone = /^ {2}--\S+(?: \S+)?$/.test(row) ? /^( +)\S/.exec(lines[index + 1]) : null;
      assert.ok(inline || alone, `flag and description collide: ${JSON.stringify(row)}`);
      column.add(inline ? row.length - inline[2].length : alone![1].length);
    }
    assert.equal(column.size, 1, 'every description starts in the same column');
  });

  it('names the closest flag for a typo, and only when it is close', () => {
    const message = (argv: string[]) => {
      try {
        parseOptions(argv);
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    assert.equal(message(['controller', '--manifest', 'x']), 'unknown flag --manifest (did you mean --manifests?)');
    assert.equal(message(['render', '--manifest', 'x']), 'unknown flag --manifest (did you mean --manifests?)');
    assert.equal(message(['controller', '--state_dir', 'x']), 'unknown flag --state_dir (did you mean --state-dir?)');
    assert.equal(message(['controller', '--no-such-flag']), 'unknown flag --no-such-flag');
    assert.equal(message(['controller', '-x']), 'unknown flag -x');
    assert.equal(message(['controler']), 'unknown command "controler" (did you mean controller?)');
    assert.equal(message(['deploy']), 'unknown command "deploy" (expected controller or render)');
    assert.equal(message(['render', '--manifests']), '--manifests needs a value (DIR)');
    // The next flag is not taken as the folder.
    assert.equal(message(['render', '--manifests', '--http-port', '80']), '--manifests needs a value (DIR)');
    assert.equal(message(['controller', '--help=yes']), '--help takes no value');
    assert.equal(parseOptions(['controller', '--bind-address=-weird']).bindAddress, '-weird', 'an inline value may start with a dash');
  });

  it('refuses a --manifests folder that is missing or a file, and a missing --kubeconfig', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-options-'));
    try {
      writeFileSync(join(dir, 'file.yaml'), '');
      assert.doesNotThrow(() => checkPaths(parseOptions(['render', '--manifests', dir])));
      assert.throws(() => checkPaths(parseOptions(['render', '--manifests', join(dir, 'nope')])), { message: `--manifests: there is no folder ${join(dir, 'nope')}` });
      assert.throws(() => checkPaths(parseOptions(['controller', '--manifests', join(dir, 'file.yaml')])), { message: `--manifests: ${join(dir, 'file.yaml')} is a file, not a folder` });
      assert.throws(() => checkPaths(parseOptions(['controller', '--kubeconfig', join(dir, 'nope')])), /--kubeconfig: there is no file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves the state folder to the controller unless --state-dir names one', () => {
    assert.equal(parseOptions(['controller']).stateDir, undefined);
    assert.equal(parseOptions(['controller', '--state-dir', '/srv/state']).stateDir, '/srv/state');
  });
});
