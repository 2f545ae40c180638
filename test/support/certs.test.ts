import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import tls from 'node:tls';
import { describe, test } from 'node:test';
import forge from 'node-forge';
import { makeCertificatePem, makeTestPki, selfSignedCertificate } from './certs.js';

describe('selfSignedCertificate', () => {
  test('makes a self-signed RSA-2048 leaf for CN=default, O=Acme Co with a DNS SAN', () => {
    const { certPem } = selfSignedCertificate({ hosts: ['foo.bar.com'] });
    const x509 = new crypto.X509Certificate(certPem);
    assert.equal(x509.subjectAltName, 'DNS:foo.bar.com');
    assert.equal(x509.subject, x509.issuer);
    assert.match(x509.subject, /CN=default/);
    assert.match(x509.subject, /O=Acme Co/);
    assert.equal(x509.ca, false);
    assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.ok(x509.verify(x509.publicKey), 'signature does not verify with its own key');
  });

  test('turns IP literals into IP SANs and names into DNS SANs, in order', () => {
    const { certPem } = selfSignedCertificate({ hosts: ['127.0.0.1', 'a.example', '::1'] });
    assert.equal(
      new crypto.X509Certificate(certPem).subjectAltName,
      'IP Address:127.0.0.1, DNS:a.example, IP Address:0:0:0:0:0:0:0:1',
    );
  });

  test('returns a PKCS#1 private key that belongs to the certificate', () => {
    const { certPem, keyPem } = selfSignedCertificate({ hosts: ['foo.bar.com'] });
    assert.match(keyPem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.ok(new crypto.X509Certificate(certPem).checkPrivateKey(crypto.createPrivateKey(keyPem)));
  });

  test('sets key usages, serverAuth, CA=false constraints and a positive 128-bit serial', () => {
    const cert = forge.pki.certificateFromPem(selfSignedCertificate({ hosts: ['x.test'] }).certPem);
    const keyUsage = cert.getExtension('keyUsage') as { digitalSignature?: boolean; keyEncipherment?: boolean; keyCertSign?: boolean };
    assert.equal(keyUsage.digitalSignature, true);
    assert.equal(keyUsage.keyEncipherment, true);
    assert.equal(keyUsage.keyCertSign, false);
    assert.equal((cert.getExtension('extKeyUsage') as { serverAuth?: boolean }).serverAuth, true);
    const basic = cert.getExtension('basicConstraints') as { cA?: boolean; critical?: boolean };
    assert.equal(basic.cA, false);
    const serial = BigInt(`0x${cert.serialNumber}`);
    assert.ok(serial > 0n && serial < 1n << 128n, `serial ${cert.serialNumber} out of range`);
  });

  test('draws a different serial and key each time', () => {
    const a = new crypto.X509Certificate(selfSignedCertificate({ hosts: ['x.test'] }).certPem);
    const b = new crypto.X509Certificate(selfSignedCertificate({ hosts: ['x.test'] }).certPem);
    assert.notEqual(a.serialNumber, b.serialNumber);
    assert.notEqual(a.fingerprint256, b.fingerprint256);
  });

  test('is valid from now for the requested number of days (365 by default)', () => {
    const now = Date.now();
    const def = new crypto.X509Certificate(selfSignedCertificate({ hosts: ['x.test'] }).certPem);
    const short = new crypto.X509Certificate(selfSignedCertificate({ hosts: ['x.test'], days: 2 }).certPem);
    const days = (x: crypto.X509Certificate) => (Date.parse(x.validTo) - Date.parse(x.validFrom)) / 86_400_000;
    assert.ok(Math.abs(days(def) - 365) < 0.01);
    assert.ok(Math.abs(days(short) - 2) < 0.01);
    assert.ok(Math.abs(Date.parse(def.validFrom) - now) < 5000);
  });

  test('passes tls.checkServerIdentity for its own name only', () => {
    const { certPem } = selfSignedCertificate({ hosts: ['foo.bar.com'] });
    const legacy = new crypto.X509Certificate(certPem).toLegacyObject();
    assert.equal(tls.checkServerIdentity('foo.bar.com', legacy), undefined);
    assert.ok(tls.checkServerIdentity('bar.foo.com', legacy) instanceof Error);
  });

  test('uses native key generation, so it takes well under a second', () => {
    const started = performance.now();
    selfSignedCertificate({ hosts: ['fast.test'] });
    assert.ok(performance.now() - started < 1000, 'certificate generation took a second or more');
  });
});

describe('makeCertificatePem', () => {
  test('is a certificate for the common name and DNS names, then its PKCS#8 key, as HAProxy loads a crt file', () => {
    const pem = makeCertificatePem('a.test', ['a.test', '*.wild.test']);
    const at = pem.indexOf('-----BEGIN PRIVATE KEY-----');
    assert.ok(at > 0, 'the key follows the certificate');
    const x509 = new crypto.X509Certificate(pem.slice(0, at));
    assert.match(x509.subject, /^CN=a\.test$/);
    assert.equal(x509.subjectAltName, 'DNS:a.test, DNS:*.wild.test');
    assert.ok(x509.checkPrivateKey(crypto.createPrivateKey(pem.slice(at))));
    assert.ok(!pem.includes('\r'), 'lines end in LF, as openssl writes them');
  });

  test('names only the common name when no other names are given', () => {
    const pem = makeCertificatePem('default.test');
    assert.equal(new crypto.X509Certificate(pem).subjectAltName, 'DNS:default.test');
  });
});

describe('makeTestPki', () => {
  const pki = makeTestPki();
  const ca = new crypto.X509Certificate(pki.ca.certPem);

  test('makes a CA that signs the server and the client certificate', () => {
    assert.equal(ca.ca, true);
    assert.ok(ca.verify(ca.publicKey), 'the CA is self-signed');
    for (const leaf of [pki.server, pki.client]) {
      const x509 = new crypto.X509Certificate(leaf.certPem);
      assert.equal(x509.ca, false);
      assert.ok(x509.checkIssued(ca), `${x509.subject} names the CA as issuer`);
      assert.ok(x509.verify(ca.publicKey), `${x509.subject} is signed by the CA`);
      assert.ok(!x509.verify(x509.publicKey), `${x509.subject} is not self-signed`);
      assert.ok(x509.checkPrivateKey(crypto.createPrivateKey(leaf.keyPem)));
    }
  });

  test('gives the server certificate 127.0.0.1 and serverAuth, the client certificate clientAuth', () => {
    const server = new crypto.X509Certificate(pki.server.certPem);
    const client = new crypto.X509Certificate(pki.client.certPem);
    assert.equal(server.subjectAltName, 'IP Address:127.0.0.1');
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
    assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.match(client.subject, /CN=portcullis-client/);
    assert.deepEqual(client.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  });

  test('passes a TLS handshake that demands a client certificate from this CA', async () => {
    const server = tls.createServer({ cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: true }, (socket) => {
      socket.end(String((socket.getPeerCertificate().subject as { CN?: string }).CN));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ca: pki.ca.certPem, cert: pki.client.certPem, key: pki.client.keyPem }, () => undefined);
        let data = '';
        socket.on('data', (d: Buffer) => (data += d.toString()));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      assert.equal(answer, 'portcullis-client');
    } finally {
      server.close();
    }
  });
});
