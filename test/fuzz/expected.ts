/**
 * What a backend section must hold, worked out from the model alone: how many lines of each kind,
 * and the exact words of the lines that carry user values. Written independently of the renderer,
 * so a value that escaped its quoting shows up as an extra line, an extra word or a changed one.
 */
import type { Backend } from '../../src/model/types.js';

/** `%` is doubled in log-format arguments, so the word HAProxy reads is the value with `%%`. */
function lf(value: string): string {
  return value.replace(/%/g, '%%');
}

/** Kind of a line: its first word, with the action for rule lines. */
function kind(words: string[]): string {
  return ['http-request', 'http-response', 'http-after-response', 'option'].includes(words[0]) ? `${words[0]} ${words[1]}` : words[0];
}

function expectedKinds(b: Backend, slots: number): Map<string, number> {
  const p = b.policy ?? {};
  const chunks = (list: readonly string[] | undefined) => Math.ceil((list?.length ?? 0) / 32);
  const cors = p.cors;
  const echoOrigin = cors !== undefined && !('any' in cors.allowOrigin);
  const hashed = typeof b.balance !== 'string' || b.balance === 'source' || b.balance === 'uri';
  const counts: [string, number][] = [
    ['balance', 1],
    ['hash-type', hashed ? 1 : 0],
    ['acl', chunks(p.deny) + chunks(p.allow) + chunks(p.rateLimit?.exempt)],
    ['http-request deny', (p.deny ? 1 : 0) + (p.allow ? 1 : 0) + (p.rateLimit ? 1 : 0)],
    ['stick-table', p.rateLimit ? 1 : 0],
    ['http-request track-sc0', p.rateLimit ? 1 : 0],
    ['http-request set-var(txn.pcl_origin)', echoOrigin ? 1 : 0],
    ['http-request return', cors ? 1 : 0],
    ['http-request auth', p.auth ? 1 : 0],
    // A redirect that names its scheme is one line; otherwise one per scheme, keeping the request's.
    ['http-request redirect', p.redirect ? (p.redirect.scheme ? 1 : 2) : 0],
    ['http-request set-path', rewritten(p).filter((r) => r.kind === 'set').length + (p.redirect?.path?.kind === 'set' ? 1 : 0)],
    ['http-request replace-pathq', rewritten(p).filter((r) => r.kind === 'regex').length],
    ['http-request set-header', rewrites(p) ? (p.setHost ? 1 : 0) + (p.requestHeaders?.length ?? 0) : 0],
    ['http-response set-header', p.responseHeaders?.length ?? 0],
    ['http-after-response set-header', cors ? 4 + (cors.allowCredentials ? 1 : 0) : 0],
    ['http-after-response add-header', echoOrigin ? 1 : 0],
    ['option forwardfor', p.forwardedFor === false ? 1 : 0],
    ['option httpchk', b.server?.checkHttp ? 1 : 0],
    ['timeout', Object.keys(b.timeouts ?? {}).length],
    ['retries', b.retries?.count !== undefined ? 1 : 0],
    ['retry-on', b.retries?.on ? 1 : 0],
    ['cookie', b.cookie ? 1 : 0],
    ['dynamic-cookie-key', b.cookie ? 1 : 0],
    ['server', slots],
  ];
  return new Map(counts.filter(([, n]) => n > 0));
}

/** A redirect that names its scheme answers every request, so the rewrites after it are not rendered. */
function rewrites(p: NonNullable<Backend['policy']>): boolean {
  return p.redirect?.scheme === undefined;
}

function rewritten(p: NonNullable<Backend['policy']>): NonNullable<NonNullable<Backend['policy']>['pathRewrites']> {
  return rewrites(p) ? (p.pathRewrites ?? []) : [];
}

/** Words of the lines that carry user values, in order, by kind. */
function expectedLiterals(b: Backend): Map<string, string[][]> {
  const p = b.policy ?? {};
  return new Map([
    ['http-request set-header', rewrites(p) ? [...(p.setHost ? [['Host', lf(p.setHost)]] : []), ...(p.requestHeaders ?? []).map((h) => [h.name, lf(h.value)])] : []],
    ['http-response set-header', (p.responseHeaders ?? []).map((h) => [h.name, lf(h.value)])],
    ['http-request replace-pathq', rewritten(p).flatMap((r) => (r.kind === 'regex' ? [[r.match, lf(r.replace)]] : []))],
    ['http-request set-path', [p.redirect?.path, ...rewritten(p)].flatMap((r) => (r?.kind === 'set' ? [[lf(r.path)]] : []))],
  ]);
}

/** Words a server line may carry after its name and address. */
const SERVER_WORDS = /^(disabled|check|inter|maxconn|send-proxy(-v2(-ssl(-cn)?)?)?|ssl|verify|none|required|ca-file|crt|alpn|h2,http\/1\.1|proto|h2|\d+(ms)?|tls\/[A-Za-z0-9._-]+\.pem)$/;

export function backendProblems(b: Backend, lines: string[][], slots: number): { problems: string[]; literals: number } {
  const problems: string[] = [];
  const actual = new Map<string, number>();
  for (const words of lines) actual.set(kind(words), (actual.get(kind(words)) ?? 0) + 1);
  const wanted = expectedKinds(b, slots);
  for (const key of new Set([...actual.keys(), ...wanted.keys()])) {
    if ((actual.get(key) ?? 0) !== (wanted.get(key) ?? 0)) problems.push(`${actual.get(key) ?? 0} "${key}" lines instead of ${wanted.get(key) ?? 0}`);
  }
  let literals = 0;
  for (const [key, expected] of expectedLiterals(b)) {
    const got = lines.filter((w) => kind(w) === key).map((w) => w.slice(2));
    if (JSON.stringify(got) !== JSON.stringify(expected)) problems.push(`${key} reads ${JSON.stringify(got)} instead of ${JSON.stringify(expected)}`);
    literals += expected.length;
  }
  const auth = lines.find((w) => kind(w) === 'http-request auth');
  if (b.policy?.auth && (auth?.length !== 8 || auth[3] !== b.policy.auth.realm)) problems.push(`auth line reads ${JSON.stringify(auth)}`);
  const cidrs = new Set([...(b.policy?.deny ?? []), ...(b.policy?.allow ?? []), ...(b.policy?.rateLimit?.exempt ?? [])]);
  for (const words of lines.filter((w) => w[0] === 'acl')) {
    if (words[2] !== 'src' || words.slice(3).some((c) => !cidrs.has(c))) problems.push(`acl line reads ${JSON.stringify(words)}`);
  }
  for (const words of lines.filter((w) => w[0] === 'server')) {
    if (words.length < 3 || words.slice(3).some((w) => !SERVER_WORDS.test(w))) problems.push(`server line reads ${JSON.stringify(words)}`);
  }
  return { problems, literals };
}
