import type { PathRewrite } from '../../../model/types.js';
import { objectKey, type Ingress } from '../../../store/types.js';
import { regexProblem } from '../regex.js';
import type { FeedContext } from './types.js';

/**
 * ingress-nginx's regex paths: `location ~* "^path"`, a case-insensitive PCRE anchored at the
 * start only. The model's regex paths are case-sensitive and match the whole path, and HAProxy 2.6
 * reads them with the JavaScript-compatible subset (no `(?i)`), so the case is spelled out:
 * every letter becomes `[aA]`, every letter range in a class gets its other case.
 */
export function caseInsensitive(re: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      out += c + (re[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        out += c;
        continue;
      }
      const range = /^([A-Za-z])-([A-Za-z])/.exec(re.slice(i));
      if (range && isSameCase(range[1], range[2])) {
        out += `${range[0]}${swap(range[1])}-${swap(range[2])}`;
        i += 2;
        continue;
      }
      out += /[A-Za-z]/.test(c) ? c + swap(c) : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (re[i + 1] === '^') out += re[++i];
      continue;
    }
    // A `{n,m}` bound holds digits only; `(?:` and friends hold no letters.
    out += /[A-Za-z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
  }
  return out;
}

function swap(c: string): string {
  return c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
}

function isSameCase(a: string, b: string): boolean {
  return (a === a.toLowerCase()) === (b === b.toLowerCase());
}

export type RegexPathCheck = { ok: true; path: string; match: 'regex' } | { ok: false; code: 'PCL_INVALID_PATH'; message: string };

/** A path of a host in regex mode, as the model's regex (case-insensitive, anchored at the start only). */
export function nginxRegexPath(path: string | undefined): RegexPathCheck {
  const written = path === undefined || path === '' ? '/' : path;
  if (!written.startsWith('/')) return { ok: false, code: 'PCL_INVALID_PATH', message: `path ${JSON.stringify(written)} does not start with "/"` };
  const problem = regexProblem(written);
  if (problem) return { ok: false, code: 'PCL_INVALID_PATH', message: `regex path ${JSON.stringify(written)} ${problem}` };
  return { ok: true, path: `(?:${caseInsensitive(written)}).*`, match: 'regex' };
}

/** Capture groups of a regex in the subset `regexProblem` accepts: `(` not escaped, not `(?`, outside classes. */
function captureGroups(re: string): number {
  let count = 0;
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(' && re[i + 1] !== '?') count++;
  }
  return count;
}

/** `$` outside classes, so an end anchor also holds before a query string. */
function endBeforeQuery(re: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      out += c + (re[i + 1] ?? '');
      i++;
    } else if (inClass) {
      inClass = c !== ']';
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else out += c === '$' ? '(?=\\?|$)' : c;
  }
  return out;
}

/**
 * nginx's `rewrite "(?i)path" target break;` replaces the whole URI by the target (with `$1`..`$9`)
 * and keeps the query string. Ours rewrites path and query (`replace-pathq`), so the rest of the
 * path is matched and the query captured as one more group, appended to the target.
 */
export function rewriteRule(path: string, target: string): PathRewrite | undefined {
  const groups = captureGroups(path);
  if (regexProblem(path) || groups >= 9) return undefined;
  const match = `^(?:${caseInsensitive(endBeforeQuery(path))})[^?]*(\\?.*)?$`;
  return { kind: 'regex', match, replace: `${target.replace(/\$([1-9])/g, '\\$1')}\\${groups + 1}` };
}

/** The rewrite rules of an Ingress with `rewrite-target`: one per path, the longest path first. */
export function rewriteRules(target: string, context: FeedContext): PathRewrite[] | undefined {
  const ingress = context.snapshot.ingresses.get(objectKey(context.ref));
  if (!ingress) return undefined;
  const paths = [...new Set(ingress.spec.rules.flatMap((r) => (r.http?.paths ?? []).map((p) => p.path || '/')))];
  paths.sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const rules = paths.map((p) => rewriteRule(p, target)).filter((r): r is PathRewrite => r !== undefined);
  return rules.length > 0 ? rules : undefined;
}

/** Hosts whose paths are all regexes: those of an Ingress with `use-regex` or `rewrite-target`. */
export function regexHosts(ingresses: readonly Ingress[], inRegexMode: (ingress: Ingress) => boolean): Set<string> {
  const hosts = new Set<string>();
  for (const ingress of ingresses) {
    if (!inRegexMode(ingress)) continue;
    for (const rule of ingress.spec.rules) hosts.add((rule.host ?? '').toLowerCase());
  }
  return hosts;
}
