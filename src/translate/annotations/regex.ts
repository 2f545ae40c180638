/**
 * Regular expressions from users end up in HAProxy (PCRE2), but translate can only compile them with
 * JavaScript's engine. So only the common subset both engines read the same way is accepted: ASCII
 * without spaces, the escapes below, `(?:`, `(?=`, `(?!`, bounded `{n,m}`, and nothing PCRE-only
 * (POSIX classes, verbs, `\Q..\E`) or JS-only (`[]`, `[^]`, `\u`). A regex HAProxy might still
 * reject would fail its `haproxy -c`; this keeps that from happening.
 */

const MAX_REGEX = 512;
/** Escapes with the same meaning in both engines: character classes, anchors and literal punctuation. */
const ESCAPABLE = new Set([...'dDwWsSbB.*+?()[]{}|^$/\\-', ...'123456789']);
/** Group openers both engines read the same way. */
const GROUP_OPENERS = ['(?:', '(?=', '(?!'];
/** PCRE2 refuses larger repeat counts than 65535; smaller bounds keep the compiled size sane. */
const MAX_REPEAT = 1000;

/** Why `source` is not an accepted regex, or undefined when it is. */
export function regexProblem(source: string): string | undefined {
  if (source.length === 0) return 'is empty';
  if (source.length > MAX_REGEX) return `is longer than ${MAX_REGEX} characters`;
  if (!/^[\x21-\x7e]+$/.test(source)) return 'has spaces, control or non-ASCII characters (write them as \\s or as ranges)';
  const structural = scan(source);
  if (structural) return structural;
  try {
    new RegExp(source, 'u');
  } catch (err) {
    return `is not a valid regular expression (${(err as Error).message.replace(/^Invalid regular expression: /, '')})`;
  }
  return undefined;
}

/** Walks the pattern once, skipping escaped characters, and reports the first construct outside the subset. */
function scan(source: string): string | undefined {
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined) return 'ends with a lone "\\"';
      if (!ESCAPABLE.has(next)) return `uses the escape "\\${next}", which is not supported (use \\d \\w \\s \\b, their capitals, or escape punctuation)`;
      i++;
      continue;
    }
    if (c === '(' && source[i + 1] === '?' && !GROUP_OPENERS.some((g) => source.startsWith(g, i))) {
      return 'uses a "(?" group other than (?:...), (?=...) or (?!...)';
    }
    if (c === '[' && /^\[\^?\]/.test(source.slice(i))) return 'has an empty character class ("[]" or "[^]")';
    if (c === '[' && /^[:.=]/.test(source[i + 1] ?? '')) return 'uses a POSIX class or collating element ("[:", "[." or "[=")';
    if (c === '{') {
      const bound = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (bound && (Number(bound[1]) > MAX_REPEAT || Number(bound[3] || 0) > MAX_REPEAT)) return `repeats more than ${MAX_REPEAT} times`;
    }
  }
  return undefined;
}
