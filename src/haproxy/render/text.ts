/**
 * The one place that turns model strings into HAProxy text: configuration words, map keys and
 * values, Runtime API arguments and payloads. Every string that comes from the model passes through
 * a function here, which either returns text that cannot change the meaning of the line it lands in
 * (no newline, comment, quote, space, backslash or `%[` sample fetch can escape), or throws
 * `RenderRefusedError`. Refusing beats escaping wherever HAProxy has no escape (map keys cannot
 * hold whitespace; a CLI payload ends at the first empty line).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ControllerError } from '../../errors.js';
import type { SourceRef, SyslogServer } from '../../model/types.js';

/** A model value HAProxy text cannot carry safely; `source` names the object it came from. */
export class RenderRefusedError extends ControllerError {
  readonly source?: SourceRef;
  constructor(message: string, source?: SourceRef) {
    super('PCL_ERR_HAPROXY_VALIDATION', message);
    this.name = 'RenderRefusedError';
    this.source = source;
  }
}

function refuse(what: string, value: string, source?: SourceRef): never {
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  throw new RenderRefusedError(`refusing unsafe ${what} ${shown}`, source);
}

const IDENTIFIER = /^[A-Za-z0-9._-]{1,200}$/;
const LABEL = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
const HOST = new RegExp(`^(\\*\\.)?${LABEL}(\\.${LABEL})*$`);
const DNS_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
// RFC 3986 path characters. Excluded on purpose: whitespace and controls (a map key ends at
// whitespace), '#' (never sent by clients; starts comments), '\' (escape character), '"', '<', '>'.
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const PEM_LINE = /^(-----(BEGIN|END) [A-Z0-9 ]{1,64}-----|[A-Za-z0-9+/=]{1,128})$/;
const STATE_DIR = /^\/[A-Za-z0-9._/+@~-]*$/;

/** An HAProxy identifier (backend, server, certificate stem); `names.ts` guarantees the charset. */
export function identifier(id: string, source?: SourceRef): string {
  if (!IDENTIFIER.test(id)) refuse('identifier', id, source);
  return id;
}

/** A route host: '' (any host), a lower-case DNS name, or `*.` + DNS name. */
export function routeHost(host: string, source?: SourceRef): string {
  if (host !== '' && (host.length > 253 || !HOST.test(host))) refuse('host', host, source);
  return host;
}

/** A route path: absolute, RFC 3986 characters only, so it is a valid map key as is. */
export function routePath(path: string, source?: SourceRef): string {
  if (path.length > 2048 || !PATH.test(path)) refuse('path', path, source);
  return path;
}

/** A map key or value as it stands in a map file: one word, not a comment. */
export function mapWord(word: string, source?: SourceRef): string {
  if (word === '' || word.startsWith('#') || /[\s\\"\x00-\x1f\x7f]/.test(word)) refuse('map entry', word, source);
  return word;
}

/** A Runtime API argument: `;` separates commands and `\` escapes, so both are escaped. */
export function cliWord(word: string): string {
  if (word === '' || /[\s\x00-\x1f\x7f]/.test(word)) refuse('runtime API argument', word);
  return word.replace(/[\\;]/g, (c) => `\\${c}`);
}

/** A TCP port, 1-65535. */
export function port(value: number, source?: SourceRef): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) refuse('port', String(value), source);
  return value;
}

/** A non-negative integer setting (counts, milliseconds). */
export function count(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) refuse(what, String(value));
  return value;
}

/** An HTTP status HAProxy may answer with itself (`http-request return status`). */
export function statusCode(value: number): number {
  if (!Number.isInteger(value) || value < 200 || value > 599) refuse('status code', String(value));
  return value;
}

export interface ServerAddress {
  /** `addr:port` as a `server` line or `add server` wants it (IPv6 in brackets). */
  endpoint: string;
  /** The bare IP for `set server ... addr`; undefined for DNS names, which only a reload can change. */
  ip?: string;
}

/** A server address: an IP literal, or a DNS name resolved by HAProxy at startup. */
export function serverAddress(address: string, portNumber: number, source?: SourceRef): ServerAddress {
  const p = port(portNumber, source);
  if (isIPv4(address)) return { endpoint: `${address}:${p}`, ip: address };
  if (isIPv6(address)) return { endpoint: `[${address}]:${p}`, ip: address };
  if (address.length > 253 || !DNS_NAME.test(address)) refuse('server address', address, source);
  return { endpoint: `${address}:${p}` };
}

/** A bind address: '' or '*' listens on all IPv4 addresses. */
export function bindEndpoint(address: string, portNumber: number): string {
  const p = port(portNumber);
  if (address === '' || address === '*') return `*:${p}`;
  if (isIPv4(address)) return `${address}:${p}`;
  if (isIPv6(address)) return `[${address}]:${p}`;
  return refuse('bind address', address);
}

/** A listener name (`[a-z0-9_-]`): a frontend name, a crt-list file stem and the `<name>#` key prefix. */
export function listenerName(name: string, source?: SourceRef): string {
  if (!/^[a-z0-9_-]{1,63}$/.test(name)) refuse('listener name', name, source);
  return name;
}

/** A listener's bind: an IP literal (never all addresses: a listener has an address of its own). */
export function listenerEndpoint(address: string, portNumber: number, source?: SourceRef): string {
  const p = port(portNumber, source);
  if (isIPv4(address)) return `${address}:${p}`;
  if (isIPv6(address) && !address.includes('%')) return `[${address}]:${p}`;
  return refuse('listener address', address, source);
}

/**
 * PEM data normalised to its certificate and key blocks. Every line must be a BEGIN/END marker or
 * base64, so a payload can never end early (no empty line) nor smuggle a command.
 */
export function pem(text: string, source?: SourceRef): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0 || lines.some((l) => !PEM_LINE.test(l))) refuse('PEM data', '<redacted>', source);
  const joined = lines.join('\n');
  if (!joined.includes('-----BEGIN CERTIFICATE-----') || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(joined)) {
    refuse('PEM data (needs a certificate and a private key)', '<redacted>', source);
  }
  return `${joined}\n`;
}

/**
 * A literal string inside a log-format argument (`set-header` values): strongly quoted for the
 * configuration parser (a `'` closes and reopens the quote), with `%` doubled so it never starts
 * a `%[...]` sample fetch.
 */
export function logFormatLiteral(value: string): string {
  if (value === '' || /[^\x20-\x7e]/.test(value)) refuse('header value', value);
  return `'${value.replace(/%/g, '%%').replace(/'/g, `'\\''`)}'`;
}

/** The state directory as written into `stats socket` and `server-state-file` lines. */
export function stateDirPath(dir: string): string {
  if (!STATE_DIR.test(dir) || dir.length > 80) refuse('state directory (absolute, [A-Za-z0-9._/+@~-], at most 80 characters)', dir);
  return dir.replace(/\/+$/, '');
}

/**
 * A literal argument that HAProxy does not read as a log format (regexes, realms, password hashes,
 * origins): strongly quoted, so `$`, `#`, spaces and backslashes stay as they are.
 */
export function configLiteral(value: string, source?: SourceRef): string {
  if (value === '' || /[^\x20-\x7e]/.test(value)) refuse('literal', value, source);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A checked log-format string (`log-format`): strongly quoted but with its `%` left alone, since
 * its variables are the point. Translate admits only known variables and fetches.
 */
export function logFormatString(value: string): string {
  if (value === '' || /[^\x20-\x7e]/.test(value)) refuse('log format', value);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const TOKEN = /^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$/;

/** A bare word: header and cookie names, URL parameters, user names, retry-on keywords. */
export function token(word: string, source?: SourceRef): string {
  if (!TOKEN.test(word)) refuse('word', word, source);
  return word;
}

/** A header name (`[A-Za-z0-9_.-]`). */
export function headerName(name: string, source?: SourceRef): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(name)) refuse('header name', name, source);
  return name;
}

/** An IP address or CIDR as an ACL pattern. */
export function cidr(value: string, source?: SourceRef): string {
  const slash = value.indexOf('/');
  const address = slash < 0 ? value : value.slice(0, slash);
  const prefix = slash < 0 ? '' : value.slice(slash + 1);
  if ((!isIPv4(address) && !isIPv6(address)) || address.includes('%') || !/^(\d{1,3})?$/.test(prefix)) refuse('address', value, source);
  return value;
}

/** `host` or `host:port` (DNS name or IP literal). */
export function hostPort(value: string, source?: SourceRef): string {
  if (!/^([a-z0-9.-]{1,253}|\[[0-9a-f:.]+\])(:\d{1,5})?$/.test(value)) refuse('host', value, source);
  return value;
}

/** A path (and query) to send upstream: RFC 3986 characters only. */
export function urlPath(value: string, source?: SourceRef): string {
  if (value.length > 2048 || !/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/.test(value)) refuse('path', value, source);
  return value;
}

/** A cookie's `Path` attribute: a URL path without the `;` and `,` that would end the attribute. */
export function cookiePath(value: string, source?: SourceRef): string {
  if (/[;,]/.test(value)) refuse('cookie path', value, source);
  return urlPath(value, source);
}

/** PEM data with certificates only (CA bundles), normalised like `pem`. */
export function caPem(text: string, source?: SourceRef): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0 || lines.some((l) => !PEM_LINE.test(l)) || !lines.includes('-----BEGIN CERTIFICATE-----')) {
    refuse('PEM data (needs certificates)', '<redacted>', source);
  }
  if (lines.some((l) => l.includes('PRIVATE KEY'))) refuse('CA bundle holding a private key', '<redacted>', source);
  return `${lines.join('\n')}\n`;
}

/**
 * One raw line of a config snippet (only with --allow-config-snippets). Raw by design; it must
 * still be one line, so it cannot open a section or smuggle a second line.
 */
export function snippetLine(line: string, source?: SourceRef): string {
  if (line.trim() === '' || /[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]/.test(line)) refuse('snippet line', line, source);
  return line.trim();
}

const SYSLOG_WORD = /^[a-z0-9]{1,16}$/;

/** A `log` target: `address[:port] [len N] [format F] facility [level [minlevel]]`. */
export function syslogTarget(target: SyslogServer): string {
  const { address } = target;
  const std = address === 'stdout' || address === 'stderr';
  if (!std && !isIPv4(address) && !isIPv6(address)) refuse('syslog address', address);
  const where = std ? address : `${isIPv6(address) ? `[${address}]` : address}${target.port === undefined ? '' : `:${port(target.port)}`}`;
  const words = [where];
  if (target.length !== undefined) words.push('len', String(count(target.length, 'log length')));
  const named = [target.format, target.facility, target.level, target.minlevel];
  for (const word of named) if (word !== undefined && !SYSLOG_WORD.test(word)) refuse('syslog setting', word);
  if (target.format) words.push('format', target.format);
  words.push(target.facility);
  if (target.level) words.push(target.level, ...(target.minlevel ? [target.minlevel] : []));
  return words.join(' ');
}

/** An HTTP method for a `method` ACL: an upper-case token. */
export function methodToken(method: string, source?: SourceRef): string {
  if (!/^[A-Z]{1,32}$/.test(method)) refuse('method', method, source);
  return method;
}

/**
 * A regular expression that must stand as one word (a `map_reg` key): printable ASCII without
 * whitespace, not starting a comment, and one that compiles. Backslashes stay: map files keep them,
 * and `cliWord` escapes them for the Runtime API.
 */
export function regexWord(re: string, source?: SourceRef): string {
  if (re === '' || re.length > 2048 || re.startsWith('#') || /[^\x21-\x7e]/.test(re) || !compiles(re)) refuse('regular expression', re, source);
  return re;
}

/** A regex argument quoted like `configLiteral`, refused when it does not compile. */
export function regexLiteral(re: string, source?: SourceRef): string {
  if (!compiles(re)) refuse('regular expression', re, source);
  return configLiteral(re, source);
}

function compiles(re: string): boolean {
  try {
    new RegExp(re);
    return true;
  } catch {
    return false;
  }
}

/** A weight on a server line or in `set server ... weight`: 0-256. */
export function weight(value: number, source?: SourceRef): number {
  if (!Number.isInteger(value) || value < 0 || value > 256) refuse('server weight', String(value), source);
  return value;
}

/** `value` with every regex metacharacter escaped, for a literal inside a pattern. */
export function regexEscape(value: string): string {
  return value.replace(/[\\^$.*+?()[\]{}|]/g, (c) => `\\${c}`);
}
