import { isIPv4, isIPv6 } from 'node:net';
import { DEFAULT_TIMEOUTS, type Certificate, type Mutable, type LogFormat, type SyslogFacility, type SyslogLevel, type SyslogServer } from '../../model/types.js';
import { refOf } from '../../store/types.js';
import { GLOBAL_DEFAULTS } from '../defaults.js';
import { checkTlsSecret } from '../pem.js';
import { logFormatProblem } from './log-format.js';
import { findSecret } from './secrets.js';
import { defineKey, ok, refuse, type Parsed } from './types.js';
import { lines, parseBool, parseInteger, parseTime } from './values.js';

const GROUP = 'Global (ConfigMap only)';
const CONFIGMAP = ['configmap'] as const;

export const MAXCONN = defineKey<number>({
  name: 'maxconn',
  scopes: CONFIGMAP,
  group: GROUP,
  type: 'number',
  fallback: GLOBAL_DEFAULTS.maxconn,
  defaultText: 'from the file-descriptor limit',
  doc: 'Concurrent connections HAProxy accepts in total; by default HAProxy derives it from the file-descriptor limit it has.',
  parse: (raw) => parseInteger(raw, 1, 1_000_000),
});

export const NBTHREAD = defineKey<number>({
  name: 'nbthread',
  scopes: CONFIGMAP,
  group: GROUP,
  type: 'number',
  fallback: GLOBAL_DEFAULTS.nbthread,
  defaultText: 'one per CPU',
  doc: 'Worker threads (1 to 64).',
  parse: (raw) => parseInteger(raw, 1, 64),
});

function globalTime(name: string, fallback: number, defaultText: string, doc: string) {
  return defineKey<number>({ name, scopes: CONFIGMAP, group: GROUP, type: 'time', fallback, defaultText, doc, parse: (raw) => parseTime(raw) });
}

export const TIMEOUT_CLIENT = globalTime('timeout-client', DEFAULT_TIMEOUTS.client, '50s', 'Longest a client may stay silent while it owes data.');
export const TIMEOUT_HTTP_REQUEST = globalTime('timeout-http-request', DEFAULT_TIMEOUTS.httpRequest, '5s', 'Longest a client may take to send a whole request head.');
export const TIMEOUT_HTTP_KEEP_ALIVE = globalTime('timeout-http-keep-alive', DEFAULT_TIMEOUTS.httpKeepAlive, '1m', 'Longest an idle keep-alive connection waits for the next request.');
export const TIMEOUT_TUNNEL = globalTime('timeout-tunnel', DEFAULT_TIMEOUTS.tunnel, '1h', 'Inactivity timeout of WebSocket and other tunnels.');
export const HARD_STOP_AFTER = globalTime('hard-stop-after', GLOBAL_DEFAULTS.hardStopAfter, '30m', 'Longest an old HAProxy process keeps serving its connections after a reload.');

export const LOG_FORMAT = defineKey<LogFormat>({
  name: 'log-format',
  scopes: CONFIGMAP,
  group: GROUP,
  type: 'log format',
  doc: 'HTTP log line format (HAProxy 8.2.6): %-variables, and %[...] with the fetches available at log time (src, status, var, capture.req.*, ssl_*, ...) and common converters; "%%" is a literal "%".',
  parse(raw) {
    const problem = logFormatProblem(raw);
    return problem ? refuse(problem) : ok({ format: raw });
  },
});

export const DISABLE_ACCESS_LOG = defineKey<boolean>({
  name: 'disable-access-log',
  scopes: CONFIGMAP,
  group: GROUP,
  type: 'bool',
  fallback: false,
  defaultText: 'false',
  doc: 'Turns off the per-request traffic log (the key of the same name in ingress-nginx), for sites that record requests elsewhere; HAProxy\'s own messages still go to the syslog targets.',
  parse: parseBool,
});

const FACILITIES: readonly SyslogFacility[] = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'auth2', 'ftp',
  'ntp', 'audit', 'alert', 'cron2', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];
const LEVELS: readonly SyslogLevel[] = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const FORMATS = ['rfc3164', 'rfc5424', 'short', 'raw'] as const;

function pick<T extends string>(list: readonly T[], value: string | undefined): T | undefined {
  return list.find((item) => item === value);
}

/** One `key:value, key:value` line of `syslog-server`. */
function parseSyslogLine(line: string): Parsed<SyslogServer> {
  const fields = new Map<string, string>();
  for (const part of line.split(',')) {
    const match = /^\s*([a-z]+)\s*:\s*(\S+)\s*$/.exec(part);
    if (!match || fields.has(match[1])) return refuse('has a line that is not "key:value" pairs separated by commas');
    fields.set(match[1], match[2]);
  }
  const unknown = [...fields.keys()].find((k) => !['address', 'port', 'facility', 'level', 'minlevel', 'format', 'length'].includes(k));
  if (unknown) return refuse(`has the unknown field "${unknown}"`);
  const address = fields.get('address') ?? '';
  const std = address === 'stdout' || address === 'stderr';
  if (!std && !isIPv4(address) && !(isIPv6(address) && !address.includes('%'))) return refuse('has an address that is not an IP, "stdout" or "stderr"');
  const facility = pick(FACILITIES, fields.get('facility'));
  if (!facility) return refuse(`has no facility among ${FACILITIES.join(', ')}`);
  const server: Mutable<SyslogServer> = { address, facility };
  const port = fields.get('port');
  if (port !== undefined) {
    const parsed = parseInteger(port, 1, 65535);
    if (!parsed.ok || std) return refuse('has a port that is not 1 to 65535 (or a port for stdout/stderr)');
    server.port = parsed.value;
  }
  const optional = { level: pick(LEVELS, fields.get('level')), minlevel: pick(LEVELS, fields.get('minlevel')), format: pick(FORMATS, fields.get('format')) };
  for (const [field, value] of Object.entries(optional)) {
    if (fields.has(field) && value === undefined) return refuse(`has an invalid ${field} "${fields.get(field)}"`);
  }
  if (optional.format) server.format = optional.format;
  const length = fields.get('length');
  if (length !== undefined) {
    const parsed = parseInteger(length, 80, 65535);
    if (!parsed.ok) return refuse('has a length that is not 80 to 65535');
    server.length = parsed.value;
  }
  if (optional.minlevel && !optional.level) return refuse('has a minlevel without a level');
  if (optional.level) server.level = optional.level;
  if (optional.minlevel) server.minlevel = optional.minlevel;
  return ok(server);
}

export const SYSLOG_SERVER = defineKey<SyslogServer[]>({
  name: 'syslog-server',
  scopes: CONFIGMAP,
  group: GROUP,
  type: 'syslog targets, one per line',
  defaultText: 'address:stdout, format:raw, facility:daemon',
  doc: 'Where logs go, one target per line: "address:IP|stdout|stderr, facility:F[, port:P][, level:L][, minlevel:L][, format:rfc3164|rfc5424|short|raw][, length:N]".',
  parse(raw) {
    const all = lines(raw);
    if (all.length === 0 || all.length > 8) return refuse('does not have 1 to 8 lines');
    const servers: SyslogServer[] = [];
    for (const line of all) {
      const server = parseSyslogLine(line);
      if (!server.ok) return server;
      servers.push(server.value);
    }
    return ok(servers);
  },
});

export const SSL_CERTIFICATE = defineKey<Pick<Certificate, 'pem' | 'source'>>({
  name: 'ssl-certificate',
  scopes: CONFIGMAP,
  group: GROUP,
  type: 'Secret ("namespace/name")',
  defaultText: '--default-ssl-certificate',
  doc: 'TLS Secret served when no other certificate matches; wins over --default-ssl-certificate, which is used if this one is unusable.',
  parse(raw, context) {
    const secret = findSecret(raw, context);
    if (!secret.ok) return secret;
    const check = checkTlsSecret(secret.value);
    return check.ok ? ok({ pem: check.pem, source: refOf(secret.value) }) : refuse(`names a Secret that is not a usable TLS Secret: ${check.reason}`);
  },
});

/** Every key of this group, in docs order. */
export const GLOBAL_KEYS = [
  MAXCONN,
  NBTHREAD,
  TIMEOUT_CLIENT,
  TIMEOUT_HTTP_REQUEST,
  TIMEOUT_HTTP_KEEP_ALIVE,
  TIMEOUT_TUNNEL,
  HARD_STOP_AFTER,
  LOG_FORMAT,
  DISABLE_ACCESS_LOG,
  SYSLOG_SERVER,
  SSL_CERTIFICATE,
];
