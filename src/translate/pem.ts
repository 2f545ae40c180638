import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { Secret } from '../store/types.js';
import { decodeSecretValue } from './base64.js';

/** A usable TLS Secret, or why it is not. */
export type TlsSecretCheck = { ok: true; pem: string } | { ok: false; reason: string };

const CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/;
/** The key formats HAProxy loads unencrypted: PKCS#8, PKCS#1 (RSA) and SEC1 (EC). */
const PRIVATE_KEY = /-----BEGIN (PRIVATE KEY|RSA PRIVATE KEY|EC PRIVATE KEY)-----\r?\n[\s\S]*?-----END \1-----/;

/**
 * Checks a `kubernetes.io/tls`-shaped Secret and builds the PEM HAProxy loads: `tls.crt` (ending in
 * a newline) followed by `tls.key`. The key must belong to the certificate: HAProxy refuses a
 * mismatched pair, and that would fail the whole configuration rather than this one Secret.
 */
export function checkTlsSecret(secret: Secret): TlsSecretCheck {
  let check = checkedSecrets.get(secret);
  if (!check) checkedSecrets.set(secret, (check = checkUncached(secret)));
  return check;
}

/**
 * Parsing a certificate and its key costs a fraction of a millisecond, times thousands of TLS
 * Secrets on every pass. Store objects are immutable and replaced on every change, so the check is
 * kept per object: computed once per version, dropped with it.
 */
const checkedSecrets = new WeakMap<Secret, TlsSecretCheck>();

function checkUncached(secret: Secret): TlsSecretCheck {
  const crt = pemText(secret.data['tls.crt']);
  const key = pemText(secret.data['tls.key']);
  if (crt === undefined) return { ok: false, reason: 'tls.crt is missing, empty or not base64' };
  if (key === undefined) return { ok: false, reason: 'tls.key is missing, empty or not base64' };
  const certBlock = CERTIFICATE.exec(crt)?.[0];
  if (!certBlock) return { ok: false, reason: 'tls.crt holds no PEM CERTIFICATE' };
  const keyBlock = PRIVATE_KEY.exec(key)?.[0];
  if (!keyBlock) return { ok: false, reason: 'tls.key holds no unencrypted PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)' };
  const mismatch = pairProblem(certBlock, keyBlock);
  if (mismatch) return { ok: false, reason: mismatch };
  return { ok: true, pem: withNewline(crt) + withNewline(key) };
}

function pairProblem(certBlock: string, keyBlock: string): string | undefined {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certBlock);
  } catch {
    return 'tls.crt holds a CERTIFICATE block that cannot be parsed';
  }
  try {
    return certificate.checkPrivateKey(createPrivateKey(keyBlock)) ? undefined : 'tls.key does not belong to the certificate in tls.crt';
  } catch {
    return 'tls.key holds a private key that cannot be parsed';
  }
}

/** The text of tls.crt or tls.key; an empty value is as unusable as a missing one: there is no PEM in it. */
function pemText(value: string | undefined): string | undefined {
  const decoded = decodeSecretValue(value);
  return decoded.state === 'text' ? decoded.text : undefined;
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * Short SHA-256 fingerprint of the first certificate in a PEM (the first 16 hex digits of what
 * `openssl x509 -fingerprint -sha256` prints), to tell certificates apart without showing keys.
 */
export function certificateFingerprint(pem: string): string {
  const block = CERTIFICATE.exec(pem)?.[0];
  if (!block) return 'none';
  try {
    return new X509Certificate(block).fingerprint256.replace(/:/g, '').slice(0, 16).toLowerCase();
  } catch {
    return 'unreadable';
  }
}
