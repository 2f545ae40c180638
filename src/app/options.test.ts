import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FLAGS, helpText, parseOptions } from './options.js';

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
});
