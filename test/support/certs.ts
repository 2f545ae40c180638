/**
 * The tests' one certificate maker: server certificates shaped like the ones the conformance suite
 * puts into `kubernetes.io/tls` Secrets (Go's `generate_cert.go` recipe), HAProxy `crt` files, and a
 * small CA with a server and a client certificate for mutual TLS.
 *
 * One way for all of them: keys from Node's native generator (milliseconds, where forge's pure-JS RSA
 * takes seconds), certificates assembled and signed by node-forge, the library the controller's own
 * generated default certificate uses (src/app/self-signed.ts). Not the openssl CLI: no child
 * processes or temporary files, and no dependence on which openssl a machine has installed. forge
 * signs with RSA only, so every key is RSA-2048.
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

/** A PEM certificate and its private key. */
export interface CertificatePair {
  certPem: string;
  keyPem: string;
}

type Usage = 'server' | 'client' | 'ca';

interface Recipe {
  hosts: readonly string[];
  commonName: string;
  organization?: string;
  days: number;
  usage: Usage;
  /** Signs the certificate; self-signed without one. */
  issuer?: CertificatePair;
  /** How the private key is written: PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`). */
  keyFormat: 'pkcs1' | 'pkcs8';
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

function extensions(recipe: Recipe, issuer: forge.pki.Certificate | undefined): object[] {
  if (recipe.usage === 'ca') {
    return [
      { name: 'basicConstraints', critical: true, cA: true },
      { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
      { name: 'subjectKeyIdentifier' },
    ];
  }
  const list: object[] = [
    // Go marks both of these critical.
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'basicConstraints', critical: true, cA: false },
    recipe.usage === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
  ];
  if (issuer) list.push({ name: 'authorityKeyIdentifier', keyIdentifier: issuer.generateSubjectKeyIdentifier().getBytes() });
  if (recipe.hosts.length > 0) list.push({ name: 'subjectAltName', altNames: altNames(recipe.hosts) });
  return list;
}

function issue(recipe: Recipe): CertificatePair {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;
  const issuerCert = recipe.issuer && forge.pki.certificateFromPem(recipe.issuer.certPem);

  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  cert.serialNumber = randomSerial();
  const notBefore = new Date();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + recipe.days * 86_400_000);
  const name = [
    ...(recipe.organization === undefined ? [] : [{ shortName: 'O', value: recipe.organization }]),
    { shortName: 'CN', value: recipe.commonName },
  ];
  cert.setSubject(name);
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : name);
  cert.setExtensions(extensions(recipe, issuerCert));
  const signer = recipe.issuer ? forge.pki.privateKeyFromPem(recipe.issuer.keyPem) : forgeKey;
  cert.sign(signer as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  // forge ends PEM lines with CRLF; openssl, Node and Kubernetes tools write LF, and tests compare
  // the files HAProxy is given byte for byte.
  const certPem = forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
  return { certPem, keyPem: privateKey.export({ type: recipe.keyFormat, format: 'pem' }).toString() };
}

/**
 * An RSA-2048 self-signed certificate (serverAuth, keyEncipherment |
 * digitalSignature, CA=false) with a PKCS#1 key, as Go's recipe writes it.
 */
export function selfSignedCertificate(options: SelfSignedOptions): CertificatePair {
  return issue({
    hosts: options.hosts,
    commonName: options.commonName ?? 'default',
    organization: options.organization ?? 'Acme Co',
    days: options.days ?? 365,
    usage: 'server',
    keyFormat: 'pkcs1',
  });
}

/**
 * A HAProxy `crt` file: the PEM of a self-signed certificate for `commonName` (DNS SANs `altNames`)
 * followed by its PKCS#8 (`PRIVATE KEY`) key, the way a Secret's tls.crt and tls.key are joined.
 */
export function makeCertificatePem(commonName: string, altNames: string[] = [commonName]): string {
  const { certPem, keyPem } = issue({ hosts: altNames, commonName, days: 2, usage: 'server', keyFormat: 'pkcs8' });
  return certPem + keyPem;
}

/**
 * A test CA with a server certificate (for 127.0.0.1) and a client certificate
 * (CN portcullis-client) it signed, for backends that speak or demand TLS.
 */
export function makeTestPki(): { ca: CertificatePair; server: CertificatePair; client: CertificatePair } {
  const ca = issue({ hosts: [], commonName: 'Portcullis Test CA', days: 2, usage: 'ca', keyFormat: 'pkcs8' });
  return {
    ca,
    server: issue({ hosts: ['127.0.0.1'], commonName: '127.0.0.1', days: 2, usage: 'server', issuer: ca, keyFormat: 'pkcs8' }),
    client: issue({ hosts: [], commonName: 'portcullis-client', days: 2, usage: 'client', issuer: ca, keyFormat: 'pkcs8' }),
  };
}
