import { hasControl } from './values.js';

/**
 * Checks a `log-format` string. Log formats are the one value where `%` is meant to be interpreted,
 * so instead of escaping it, every `%` construct must be one HAProxy documents (section 8.2.6) and
 * every `%[...]` expression must use fetches and converters from the small list below, with
 * arguments of the expected shape. Anything else is refused, so the result always passes
 * `haproxy -c` and cannot read files or the environment.
 */

const VARIABLES = new Set(
  ('o B CC CS H HM HP HPO HQ HU HV ID ST T Ta Tc Td Tl Th Ti Tq TR Tr Ts Tt Tu Tw U ac b bc bi bp bq ci cp f fc fi fp ft ' +
    'lc hr hrl hs hsl ms pid r rc rt s sc si sp sq sslc sslv t tr trg trl ts tsc').split(' '),
);

type ArgKind = 'name' | 'int' | 'var' | 'delim' | 'json' | 'sha';
const ARG: Record<ArgKind, RegExp> = {
  name: /^[A-Za-z0-9_-]{1,64}$/,
  int: /^-?\d{1,4}$/,
  var: /^(proc|sess|txn|req|res)\.[A-Za-z0-9_]{1,64}$/,
  delim: /^[-:/|;.=_]{1,4}$/,
  json: /^(ascii|utf8|utf8s|utf8p|utf8ps)$/,
  sha: /^(224|256|384|512)$/,
};

/** Name -> argument kinds; kinds after `optionalFrom` may be left out. */
interface Signature {
  args: ArgKind[];
  optionalFrom: number;
}

const sig = (args: ArgKind[] = [], optionalFrom = args.length): Signature => ({ args, optionalFrom });

/**
 * Fetches available when the log line is written. Request and response headers, cookies and the
 * URL are gone by then (HAProxy refuses them here): capture them and log `capture.req.hdr(N)`.
 */
const FETCHES: Record<string, Signature> = {
  src: sig(), src_port: sig(), dst: sig(), dst_port: sig(), method: sig(), status: sig(), 'unique-id': sig(),
  be_name: sig(), fe_name: sig(), srv_name: sig(), ssl_fc: sig(), ssl_fc_sni: sig(), ssl_fc_protocol: sig(), ssl_fc_cipher: sig(),
  ssl_c_s_dn: sig(), ssl_c_i_dn: sig(), ssl_c_verify: sig(), 'capture.req.uri': sig(), 'capture.req.method': sig(),
  'capture.req.ver': sig(), 'capture.req.hdr': sig(['int']), 'capture.res.hdr': sig(['int']), var: sig(['var']),
};

const CONVERTERS: Record<string, Signature> = {
  lower: sig(), upper: sig(), base64: sig(), hex: sig(), url_dec: sig(), djb2: sig(), sdbm: sig(), wt6: sig(), sha1: sig(),
  json: sig(['json'], 0), crc32: sig(['int'], 0), xxh32: sig(['int'], 0), sha2: sig(['sha'], 0),
  bytes: sig(['int', 'int'], 1), field: sig(['int', 'delim', 'int'], 2), word: sig(['int', 'delim', 'int'], 2),
};

/** One `name` or `name(args)` call checked against a table. */
function callProblem(call: string, table: Record<string, Signature>, what: string): string | undefined {
  const match = /^([a-z0-9_.-]+)(?:\(([^()]*)\))?$/.exec(call);
  const signature = match && Object.hasOwn(table, match[1]) ? table[match[1]] : undefined;
  if (!match || !signature) return `uses ${what} ${JSON.stringify(call.slice(0, 40))}, which is not supported`;
  const args = match[2] === undefined || match[2] === '' ? [] : match[2].split(',');
  if (args.length < signature.optionalFrom || args.length > signature.args.length) return `calls ${match[1]} with the wrong number of arguments`;
  const bad = args.findIndex((arg, i) => !ARG[signature.args[i]].test(arg));
  return bad >= 0 ? `calls ${match[1]} with an invalid argument ${JSON.stringify(args[bad])}` : undefined;
}

/** A `%[...]` body: a fetch followed by converters, separated by commas outside parentheses. */
function expressionProblem(body: string): string | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '(') depth++;
    else if (body[i] === ')') depth--;
    else if (body[i] === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  const [fetch, ...converters] = parts;
  return callProblem(fetch, FETCHES, 'the fetch') ?? converters.map((c) => callProblem(c, CONVERTERS, 'the converter')).find((p) => p);
}

/** Why `format` is not an accepted log format, or undefined. */
export function logFormatProblem(format: string): string | undefined {
  if (format.length === 0) return 'is empty';
  if (format.length > 1024) return 'is longer than 1024 characters';
  if (hasControl(format) || !/^[\x20-\x7e]+$/.test(format)) return 'has control or non-ASCII characters';
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue;
    const rest = format.slice(i + 1);
    if (rest.startsWith('%')) {
      i++;
      continue;
    }
    if (rest.startsWith('[')) {
      const end = rest.indexOf(']');
      if (end < 0) return 'has a "%[" without its "]"';
      const problem = expressionProblem(rest.slice(1, end));
      if (problem) return problem;
      i += end + 1;
      continue;
    }
    // HAProxy reads the whole run of letters and digits as the name, so `%cifoo` is unknown, not `%ci`.
    const variable = /^(\{[+-][QXE](,[+-][QXE])*\})?([A-Za-z][A-Za-z0-9]*)/.exec(rest);
    if (!variable || !VARIABLES.has(variable[3])) return `has an unknown variable after "%" at position ${i} (write "%%" for a literal "%")`;
    i += (variable[1]?.length ?? 0) + variable[3].length;
  }
  return undefined;
}
