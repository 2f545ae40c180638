import { X509Certificate } from 'node:crypto';
import type { AuthUser, PemFile } from '../../model/types.js';
import { serverPemId } from '../../model/names.js';
import { objectKey, refOf, type Secret } from '../../store/types.js';
import { decodeSecretValue } from '../base64.js';
import { compareText } from '../diagnostics.js';
import { checkTlsSecret } from '../pem.js';
import { ok, refuse, type ParseContext, type Parsed } from './types.js';

/** A Secret named by a key, resolved against the namespace of the object that names it. */
interface SecretKey {
  namespace: string;
  name: string;
}

const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Reads `name` or `namespace/name` and finds the Secret. Annotations may only name Secrets of their
 * own namespace unless cross-namespace Secrets are allowed: otherwise anyone who can write an
 * Ingress could serve another team's credentials or keys. The ConfigMap is the operator's own and
 * may name any namespace.
 */
export function findSecret(raw: string, context: ParseContext): Parsed<Secret> {
  const slash = raw.indexOf('/');
  const key: SecretKey = slash < 0 ? { namespace: context.namespace, name: raw } : { namespace: raw.slice(0, slash), name: raw.slice(slash + 1) };
  if (!NAMESPACE.test(key.namespace) || !SECRET_NAME.test(key.name)) return refuse('is not a Secret name ("name" or "namespace/name")');
  if (context.scope !== 'configmap' && key.namespace !== context.namespace && !context.allowCrossNamespaceSecrets) {
    return refuse(
      `names a Secret in namespace "${key.namespace}", not the object's own ("${context.namespace}"); cross-namespace Secrets are not allowed`,
      'PCL_ANNOTATION_SECRET_CROSS_NAMESPACE',
    );
  }
  const secret = context.snapshot.secrets.get(objectKey(key));
  return secret ? ok(secret) : refuse(`names Secret "${objectKey(key)}", which does not exist`, 'PCL_ANNOTATION_SECRET_INVALID');
}

const USER = /^[A-Za-z0-9._@+-]{1,64}$/;
const SALT = '[./0-9A-Za-z]';
/**
 * The crypt(3) schemes the libcrypt of Debian's HAProxy (libxcrypt) checks, with their exact
 * lengths: MD5, SHA-256, SHA-512 and bcrypt (`htpasswd -B` writes $2y$).
 */
const HASHES: readonly RegExp[] = [
  new RegExp(`^\\$1\\$${SALT}{1,8}\\$${SALT}{22}$`),
  new RegExp(`^\\$5\\$(rounds=\\d{4,9}\\$)?${SALT}{1,16}\\$${SALT}{43}$`),
  new RegExp(`^\\$6\\$(rounds=\\d{4,9}\\$)?${SALT}{1,16}\\$${SALT}{86}$`),
  new RegExp(`^\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$${SALT}{53}$`),
];

const REMAKE = 'make it again with htpasswd -B (bcrypt) or openssl passwd -6';

/** Why `hash` cannot be checked by HAProxy, or undefined. */
function hashProblem(hash: string): string | undefined {
  if (HASHES.some((re) => re.test(hash))) return undefined;
  // HAProxy hands hashes to crypt(3), which has no Apache MD5: such a user could never log in.
  if (hash.startsWith('$apr1$')) return `has an Apache MD5 ($apr1$) hash, which HAProxy's crypt(3) does not check; ${REMAKE}`;
  if (/^\$2[abxy]?\$/.test(hash)) return `has a malformed bcrypt hash; ${REMAKE}`;
  if (/^\$[1-6]\$/.test(hash)) return 'has a malformed $1$, $5$ or $6$ hash';
  if (hash.startsWith('$')) return `has a hash scheme other than $2y$, $1$, $5$ or $6$; ${REMAKE}`;
  return `has no crypt(3) hash (plain-text passwords are not accepted); ${REMAKE}`;
}

/** A user read from a Secret, with why it cannot be one when that is known before its hash is read. */
interface Credential {
  name: string;
  hash: string;
  problem?: string;
}

/**
 * `user:hash` lines of an htpasswd file (the `auth` key), or one user per key (its value the hash).
 * An `auth` key that reads as base64 is the file, even an empty one (a file without users); one that
 * does not is read like any other key. An empty entry is a user without a hash: it is left out with
 * a warning, never a user who logs in with an empty password.
 */
function credentials(secret: Secret): Credential[] {
  const file = decodeSecretValue(secret.data.auth);
  if (file.state === 'text' || file.state === 'empty') {
    return (file.state === 'text' ? file.text : '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const colon = line.indexOf(':');
        return colon < 0 ? { name: line, hash: '' } : { name: line.slice(0, colon), hash: line.slice(colon + 1) };
      });
  }
  return Object.keys(secret.data).map((name): Credential => {
    const value = decodeSecretValue(secret.data[name]);
    if (value.state === 'invalid') return { name, hash: '', problem: 'has a value that is not base64' };
    return { name, hash: value.state === 'text' ? value.text.trim() : '' };
  });
}

/**
 * The users of a basic-auth Secret. Users with a bad name or a hash HAProxy cannot check are left
 * out with a warning; the rest still log in.
 */
export function readAuthUsers(secret: Secret): Parsed<AuthUser[]> {
  const users = new Map<string, AuthUser>();
  const warnings: string[] = [];
  const where = `Secret "${objectKey(secret.metadata)}"`;
  for (const { name, hash, problem: known } of credentials(secret)) {
    const problem = !USER.test(name) ? 'has a name that is not 1-64 of A-Z a-z 0-9 . _ @ + -' : known ?? hashProblem(hash);
    if (problem) warnings.push(`${where}: user ${JSON.stringify(name.slice(0, 64))} ${problem}; the user is left out`);
    else if (!users.has(name)) users.set(name, { name, hash });
  }
  if (users.size === 0) return refuse(`names ${where}, which holds no usable user (htpasswd lines in "auth", or one key per user)`, 'PCL_ANNOTATION_SECRET_INVALID');
  const sorted = [...users.values()].sort((a, b) => compareText(a.name, b.name));
  return warnings.length > 0 ? { ok: true, value: sorted, warnings } : ok(sorted);
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g;

/**
 * The CA bundle of a Secret: `ca.crt`, or `tls.crt` when there is no `ca.crt`. A `ca.crt` that is
 * there is the bundle even when it is empty or not base64 (then the Secret is refused): falling back
 * to the leaf certificate in tls.crt would trust something nobody named as a CA.
 */
export function readCaFile(secret: Secret): Parsed<PemFile> {
  const key = secret.data['ca.crt'] === undefined ? 'tls.crt' : 'ca.crt';
  const bundle = decodeSecretValue(secret.data[key]);
  const where = `Secret "${objectKey(secret.metadata)}"`;
  if (bundle.state === 'invalid') return refuse(`names ${where}, whose ${key} is not base64`, 'PCL_ANNOTATION_SECRET_INVALID');
  const blocks = bundle.state === 'text' ? bundle.text.match(CERTIFICATE) ?? [] : [];
  if (blocks.length === 0) return refuse(`names ${where}, which has no PEM certificate in ca.crt or tls.crt`, 'PCL_ANNOTATION_SECRET_INVALID');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      return refuse(`names ${where}, whose CA bundle holds a certificate that cannot be parsed`, 'PCL_ANNOTATION_SECRET_INVALID');
    }
  }
  const { namespace, name } = secret.metadata;
  return ok({ id: serverPemId('ca', namespace, name), pem: `${blocks.join('\n')}\n`, source: refOf(secret) });
}

/** The client certificate and key of a TLS Secret, checked like Ingress certificates. */
export function readClientCertificate(secret: Secret): Parsed<PemFile> {
  const check = checkTlsSecret(secret);
  if (!check.ok) return refuse(`names Secret "${objectKey(secret.metadata)}", which is not a usable TLS Secret: ${check.reason}`, 'PCL_ANNOTATION_SECRET_INVALID');
  const { namespace, name } = secret.metadata;
  return ok({ id: serverPemId('crt', namespace, name), pem: check.pem, source: refOf(secret) });
}
