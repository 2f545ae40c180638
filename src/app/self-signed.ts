import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { isIP } from 'node:net';

export interface SelfSigned {
  certPem: string;
  /** PKCS#1 (`RSA PRIVATE KEY`). */
  keyPem: string;
}

/**
 * A self-signed RSA-2048 server certificate for `hosts` (IP SANs for IP literals, DNS SANs
 * otherwise). The key comes from Node's native crypto: node-forge only assembles and signs the
 * certificate, so generation takes milliseconds, not seconds.
 */
export function generateSelfSigned(options: { hosts: string[]; commonName?: string; organization?: string; days?: number; now?: Date }): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // 128 random bits with the top bit cleared, so the DER integer stays positive.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  const now = options.now ?? new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + (options.days ?? 365) * 86_400_000);
  const subject = [
    { name: 'commonName', value: options.commonName ?? options.hosts[0] ?? 'portcullis' },
    { name: 'organizationName', value: options.organization ?? 'Portcullis' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', keyEncipherment: true, digitalSignature: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: options.hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey };
}
