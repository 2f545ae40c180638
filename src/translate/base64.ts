/**
 * The one reader of Secret values. Kubernetes keeps a Secret's `data` as standard base64 with
 * padding (Go's base64.StdEncoding, which the API server writes and reads). Like Go's decoder this
 * skips line breaks, so a wrapped value that kubectl would apply reads the same here; any other
 * character outside the alphabet, a misplaced `=` or a length that is not a multiple of four makes
 * the whole value invalid, never a silently shorter one.
 *
 * An empty value is valid base64 for zero bytes. It is reported as `empty`, apart from a value
 * that decodes to text and from a key that is not there, because whether it is an error is the
 * caller's decision: a TLS Secret with an empty tls.crt is unusable (pem.ts), an empty user entry
 * of an auth Secret is a user without a hash (annotations/secrets.ts).
 */
export type SecretValue =
  | { state: 'missing' }
  | { state: 'invalid' }
  | { state: 'empty' }
  | { state: 'text'; text: string };

/** Whole groups of four, then at most one group padded with `==` or `=`. */
const STD_ENCODING = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes one Secret data value (UTF-8 text: every value this controller reads is PEM or text). */
export function decodeSecretValue(value: string | undefined): SecretValue {
  if (value === undefined) return { state: 'missing' };
  const compact = value.replace(/[\r\n]/g, '');
  if (!STD_ENCODING.test(compact)) return { state: 'invalid' };
  if (compact === '') return { state: 'empty' };
  return { state: 'text', text: Buffer.from(compact, 'base64').toString('utf8') };
}
