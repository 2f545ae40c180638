/**
 * Self-signed server certificates shaped like the ones the conformance suite
 * puts into `kubernetes.io/tls` Secrets (Go's `generate_cert.go` recipe).
 */
import crypto from 'node:crypto';
import net from 'node:net';
import forge from 'node-forge';

/** Options for {@link selfSignedCertificate}. */
export interface SelfSignedOptions {
  /** Subject alternative names: IP literals become IP SANs, the rest DNS SANs. */
  hosts: string[];
  /** Subject/issuer common name; defaults to `default`. */
  commonName?: string;
  /** Subject/issuer organization; defaults to `Acme Co`. */
  organization?: string;
  /** Validity in days from now; defaults to 365. */
  days?: number;
}

/** A PEM certificate and its PKCS#1 (`RSA PRIVATE KEY`) private key. */
export interface CertificatePair {
  certPem: string;
  keyPem: string;
}

/**
 * A positive 128-bit serial as forge wants it (hex of the DER INTEGER
 * content): a leading zero byte keeps a high first bit from reading as negative.
 */
function randomSerial(): string {
  const bytes = crypto.randomBytes(16);
  const hex = bytes.toString('hex');
  return bytes[0] >= 0x80 ? `00${hex}` : hex;
}

function altNames(hosts: readonly string[]): object[] {
  return hosts.map((h) => (net.isIP(h) ? { type: 7, ip: h } : { type: 2, value: h }));
}

/**
 * Creates an RSA-2048 self-signed certificate (serverAuth, keyEncipherment |
 * digitalSignature, CA=false). The key comes from Node's native generator
 * because forge's pure-JS RSA generation takes seconds.
 */
export function selfSignedCertificate(options: SelfSignedOptions): CertificatePair {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;

  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  cert.serialNumber = randomSerial();
  const notBefore = new Date();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + (options.days ?? 365) * 86_400_000);
  const name = [
    { shortName: 'O', value: options.organization ?? 'Acme Co' },
    { shortName: 'CN', value: options.commonName ?? 'default' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  const extensions: object[] = [
    // Go marks both of these critical.
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'basicConstraints', critical: true, cA: false },
    { name: 'extKeyUsage', serverAuth: true },
  ];
  if (options.hosts.length > 0) {
    extensions.push({ name: 'subjectAltName', altNames: altNames(options.hosts) });
  }
  cert.setExtensions(extensions);
  cert.sign(forgeKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}
