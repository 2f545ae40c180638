import { parseArgs } from 'node:util';
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { ControllerError } from '../errors.js';
import { isLogLevel, type LogLevel } from './logger.js';

/** Every command-line flag, with its help text: the one place the command-line contract lives. */
export const FLAGS = {
  kubeconfig: { type: 'string', arg: 'FILE', help: 'Kubeconfig file; run outside the cluster against the cluster it names.' },
  manifests: { type: 'string', arg: 'DIR', help: 'Folder of YAML manifests to use as the cluster (no API server needed); edits are picked up.' },
  'ingress-class': { type: 'string', arg: 'NAME', default: 'portcullis', help: 'Name of the IngressClass this controller serves.' },
  'controller-name': { type: 'string', arg: 'NAME', default: 'portcullis.dev/ingress-controller', help: 'Value matched in IngressClass spec.controller.' },
  'watch-ingress-without-class': { type: 'boolean', default: false, help: 'Also serve Ingresses that name no class at all.' },
  'gateway-api': { type: 'string', arg: 'MODE', default: 'auto', help: 'Gateway API kinds: auto (watch those whose CRDs are installed), on (refuse to start without them) or off.' },
  'gateway-controller-name': { type: 'string', arg: 'NAME', default: 'portcullis.dev/gateway-controller', help: 'Value matched in GatewayClass spec.controllerName.' },
  'gateway-address': { type: 'string', arg: 'IP', multiple: true, help: 'Address for Gateways without spec.addresses (repeatable: a pool, so several Gateways can listen on the same port).' },
  'http-port': { type: 'string', arg: 'PORT', default: '80', help: 'Port HAProxy listens on for HTTP.' },
  'https-port': { type: 'string', arg: 'PORT', default: '443', help: 'Port HAProxy listens on for HTTPS (also used in HTTPS redirects).' },
  'bind-address': { type: 'string', arg: 'IP', default: '', help: 'Address HAProxy listens on (default: all IPv4 addresses).' },
  'publish-address': { type: 'string', arg: 'ADDRESS', help: 'IP or host name written into the status of our Ingresses.' },
  'publish-service': { type: 'string', arg: 'NS/NAME', help: 'NS/NAME of a Service whose address is written into Ingress status.' },
  configmap: { type: 'string', arg: 'NS/NAME', help: 'NS/NAME of the ConfigMap with global settings.' },
  'default-backend-service': { type: 'string', arg: 'NS/NAME[:PORT]', help: 'NS/NAME[:PORT] of the Service for requests no rule matches.' },
  'default-ssl-certificate': { type: 'string', arg: 'NS/NAME', help: 'NS/NAME of the TLS Secret served when no other certificate matches (default: a generated self-signed one).' },
  namespace: { type: 'string', arg: 'NS', multiple: true, help: 'Namespace to watch (repeatable; default: all).' },
  'state-dir': { type: 'string', arg: 'DIR', help: 'Folder for HAProxy configuration, maps, certificates and sockets (default: a folder under the system temp dir).' },
  'haproxy-bin': { type: 'string', arg: 'PATH', default: 'haproxy', help: 'HAProxy executable.' },
  'health-port': { type: 'string', arg: 'PORT', default: '10254', help: 'Port of the health, metrics and admin HTTP server (0: pick a free one).' },
  'health-address': { type: 'string', arg: 'IP', default: '0.0.0.0', help: 'Address of the health, metrics and admin HTTP server.' },
  'allow-config-snippets': { type: 'boolean', default: false, help: 'Apply the global-, frontend- and backend-config-snippet keys (raw HAProxy configuration; off by default).' },
  'allow-cross-namespace-secrets': { type: 'boolean', default: false, help: 'Let annotations name Secrets in other namespaces (auth-secret, server-ca, server-crt).' },
  'access-log-relay': { type: 'boolean', default: false, help: 'Pass HAProxy\'s access logs through the controller\'s logger (structured, slower) instead of straight to stdout.' },
  'stats-port': { type: 'string', arg: 'PORT', default: '0', help: 'Port for HAProxy\'s Prometheus exporter (/metrics) and stats page (/stats); 0 turns them off.' },
  'leader-election-namespace': { type: 'string', arg: 'NS', help: 'Namespace of the Lease used to elect the replica that writes status (default: the pod\'s namespace).' },
  'leader-election-name': { type: 'string', arg: 'NAME', default: 'portcullis-leader', help: 'Name of that Lease.' },
  'leader-election-lease-duration': { type: 'string', arg: 'SECONDS', default: '15', help: 'Seconds a leader\'s Lease lasts without renewal before another replica may take over.' },
  'leader-election-renew-deadline': { type: 'string', arg: 'SECONDS', default: '10', help: 'Seconds the leader keeps trying to renew before it steps down.' },
  'leader-election-retry-period': { type: 'string', arg: 'SECONDS', default: '2', help: 'Seconds between attempts to acquire or renew the Lease.' },
  'log-level': { type: 'string', arg: 'LEVEL', default: 'info', help: 'debug, info, warn or error.' },
  'log-format': { type: 'string', arg: 'FORMAT', default: 'text', help: 'text or json.' },
  'shutdown-grace': { type: 'string', arg: 'SECONDS', default: '25', help: 'Seconds in-flight requests get to finish on SIGTERM.' },
  out: { type: 'string', arg: 'DIR', help: '(render) Folder to write the configuration and its files to, ready for haproxy -c.' },
  help: { type: 'boolean', short: 'h', default: false, help: 'Show this help.' },
} as const;

export type GatewayApiMode = 'auto' | 'on' | 'off';

export interface CliOptions {
  command: 'controller' | 'render' | 'help';
  kubeconfig?: string;
  manifests?: string;
  ingressClass: string;
  controllerName: string;
  watchIngressWithoutClass: boolean;
  /** Whether Gateway API kinds are watched: when their CRDs are installed, always (missing CRDs stop the start), or never. */
  gatewayApi: GatewayApiMode;
  gatewayControllerName: string;
  /** `--gateway-address`: the pool Gateways without `spec.addresses` get their address from. */
  gatewayAddresses: string[];
  httpPort: number;
  httpsPort: number;
  bindAddress: string;
  publishAddress?: string;
  publishService?: { namespace: string; name: string };
  configMap?: string;
  defaultBackendService?: string;
  defaultSslCertificate?: string;
  namespaces: string[];
  /** Undefined without --state-dir: the controller then makes a private temporary one and removes it at exit. */
  stateDir?: string;
  haproxyBin: string;
  healthPort: number;
  healthAddress: string;
  statsPort: number;
  accessLogRelay: boolean;
  allowConfigSnippets: boolean;
  allowCrossNamespaceSecrets: boolean;
  leaderElectionNamespace?: string;
  leaderElectionName: string;
  /** Lease timings, milliseconds. */
  leaderElection: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  logLevel: LogLevel;
  logFormat: 'text' | 'json';
  shutdownGraceMs: number;
  out?: string;
}

/** Parses and validates argv (without node and script); throws ControllerError PCL_ERR_USAGE. */
export function parseOptions(argv: string[]): CliOptions {
  const parseOptionsSpec = Object.fromEntries(Object.entries(FLAGS).map(([k, v]) => [k, { ...v, help: undefined, arg: undefined }])) as never;
  // Not strict: Node's own messages name no close flag, and its "ambiguous value" check misses
  // `--manifests --help`, which would take --help as the folder. The tokens are checked below.
  const parsed = parseArgs({ args: argv, options: parseOptionsSpec, allowPositionals: true, strict: false, tokens: true });
  for (const token of parsed.tokens) if (token.kind === 'option') checkFlag(token.name, token.rawName, token.value, token.inlineValue);
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const command = parsed.positionals[0] ?? 'help';
  if (v.help || command === 'help') return { ...defaults(), command: 'help' };
  if (command !== 'controller' && command !== 'render') throw usage(`unknown command "${command}"${didYouMean(command, COMMANDS) || ' (expected controller or render)'}`);
  if (parsed.positionals.length > 1) throw usage(`unexpected argument "${parsed.positionals[1]}"`);
  if (v.kubeconfig && v.manifests) throw usage('--kubeconfig and --manifests exclude each other');
  if (command === 'render' && !v.manifests) throw usage('render needs --manifests DIR');
  if (v['publish-address'] && v['publish-service']) throw usage('--publish-address and --publish-service exclude each other');
  const logLevel = String(v['log-level']);
  if (!isLogLevel(logLevel)) throw usage(`--log-level must be debug, info, warn or error, not "${logLevel}"`);
  const logFormat = String(v['log-format']);
  if (logFormat !== 'text' && logFormat !== 'json') throw usage(`--log-format must be text or json, not "${logFormat}"`);
  const gatewayApi = String(v['gateway-api']);
  if (gatewayApi !== 'auto' && gatewayApi !== 'on' && gatewayApi !== 'off') throw usage(`--gateway-api must be auto, on or off, not "${gatewayApi}"`);
  const gatewayAddresses = (v['gateway-address'] as string[] | undefined) ?? [];
  for (const a of gatewayAddresses) if (!isIP(a)) throw usage(`--gateway-address must be an IP address, not "${a}"`);
  for (const flag of ['configmap', 'default-ssl-certificate', 'default-backend-service', 'publish-service'] as const) {
    if (v[flag] !== undefined && !/^[a-z0-9.-]+\/[a-z0-9.-]+(:[A-Za-z0-9-]+)?$/.test(String(v[flag]))) throw usage(`--${flag} must be NAMESPACE/NAME, not "${v[flag]}"`);
  }
  const publishService = v['publish-service'] ? String(v['publish-service']).split('/') : undefined;
  return {
    command,
    kubeconfig: v.kubeconfig as string | undefined,
    manifests: v.manifests ? resolve(String(v.manifests)) : undefined,
    ingressClass: String(v['ingress-class']),
    controllerName: String(v['controller-name']),
    watchIngressWithoutClass: Boolean(v['watch-ingress-without-class']),
    gatewayApi,
    gatewayControllerName: String(v['gateway-controller-name']),
    gatewayAddresses,
    httpPort: port(v['http-port'], 'http-port'),
    httpsPort: port(v['https-port'], 'https-port'),
    bindAddress: String(v['bind-address']),
    publishAddress: v['publish-address'] as string | undefined,
    publishService: publishService ? { namespace: publishService[0], name: publishService[1] } : undefined,
    configMap: v.configmap as string | undefined,
    defaultBackendService: v['default-backend-service'] as string | undefined,
    defaultSslCertificate: v['default-ssl-certificate'] as string | undefined,
    namespaces: (v.namespace as string[] | undefined) ?? [],
    stateDir: v['state-dir'] ? resolve(String(v['state-dir'])) : undefined,
    haproxyBin: String(v['haproxy-bin']),
    healthPort: port(v['health-port'], 'health-port', true),
    healthAddress: String(v['health-address']),
    statsPort: port(v['stats-port'], 'stats-port', true),
    accessLogRelay: Boolean(v['access-log-relay']),
    allowConfigSnippets: Boolean(v['allow-config-snippets']),
    allowCrossNamespaceSecrets: Boolean(v['allow-cross-namespace-secrets']),
    leaderElectionNamespace: v['leader-election-namespace'] as string | undefined,
    leaderElectionName: String(v['leader-election-name']),
    leaderElection: {
      leaseDurationMs: seconds(v['leader-election-lease-duration'], 'leader-election-lease-duration'),
      renewDeadlineMs: seconds(v['leader-election-renew-deadline'], 'leader-election-renew-deadline'),
      retryPeriodMs: seconds(v['leader-election-retry-period'], 'leader-election-retry-period'),
    },
    logLevel,
    logFormat,
    shutdownGraceMs: Math.round(Number(v['shutdown-grace']) * 1000),
    out: v.out ? resolve(String(v.out)) : undefined,
  };
}

const COMMANDS = ['controller', 'render'];

/** Flags longer than this get their description on the next line, so no column is pushed far right. */
const FLAG_COLUMN_MAX = 34;

export function helpText(): string {
  const lines = [
    'Usage: portcullis <command> [flags]',
    '',
    'Commands:',
    '  controller   Run the Ingress controller (against --kubeconfig, in-cluster, or a --manifests folder).',
    '  render       Print the HAProxy configuration for --manifests DIR; exits non-zero if an object is rejected.',
    '',
    'Flags:',
  ];
  const rows = Object.entries(FLAGS).map(([name, spec]) => {
    const def = 'default' in spec && spec.default !== '' && spec.default !== false ? ` (default ${JSON.stringify(spec.default)})` : '';
    return { flag: `--${name}${'arg' in spec ? ` ${spec.arg}` : ''}`, text: spec.help + def };
  });
  const width = Math.max(...rows.map((r) => r.flag.length).filter((n) => n <= FLAG_COLUMN_MAX));
  const indent = ' '.repeat(2 + width + 2);
  for (const { flag, text } of rows) {
    if (flag.length <= width) lines.push(`  ${flag.padEnd(width)}  ${text}`);
    else lines.push(`  ${flag}`, indent + text);
  }
  return lines.join('\n') + '\n';
}

/** Rejects a flag that does not exist, a value flag without its value and a value on a switch. */
function checkFlag(name: string, rawName: string, value: string | undefined, inline: boolean | undefined): void {
  const spec = (FLAGS as Record<string, { type: string; arg?: string }>)[name];
  if (!spec) throw usage(`unknown flag ${rawName}${didYouMean(name, Object.keys(FLAGS), '--')}`);
  // A value that looks like a flag is a forgotten value; `--flag=-x` still passes one on purpose.
  if (spec.type === 'string' && (value === undefined || (!inline && value.startsWith('-')))) throw usage(`${rawName} needs a value (${spec.arg ?? 'VALUE'})`);
  if (spec.type === 'boolean' && inline) throw usage(`${rawName} takes no value`);
}

/** ` (did you mean X?)` for the candidate closest to `word`, when it is close enough to be a typo. */
function didYouMean(word: string, candidates: string[], prefix = ''): string {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  // A third of the word may be wrong: catches typos and a missing plural, not unrelated words.
  return best && best.distance <= Math.max(1, Math.floor(word.length / 3)) ? ` (did you mean ${prefix}${best.name}?)` : '';
}

/** Levenshtein distance: insertions, deletions and substitutions of single characters. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}

/**
 * The folder and file the flags name exist and are of the right kind: one clear line before
 * anything starts, instead of a stack trace (render) or a controller that is never ready.
 */
export function checkPaths(options: CliOptions): void {
  if (options.manifests) {
    const stat = statSync(options.manifests, { throwIfNoEntry: false });
    if (!stat) throw usage(`--manifests: there is no folder ${options.manifests}`);
    if (!stat.isDirectory()) throw usage(`--manifests: ${options.manifests} is a file, not a folder`);
  }
  if (options.kubeconfig) {
    const stat = statSync(options.kubeconfig, { throwIfNoEntry: false });
    if (!stat) throw usage(`--kubeconfig: there is no file ${options.kubeconfig}`);
    if (stat.isDirectory()) throw usage(`--kubeconfig: ${options.kubeconfig} is a folder, not a file`);
  }
}

function defaults(): CliOptions {
  return parseOptions(['controller']);
}

function port(value: unknown, flag: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) throw usage(`--${flag} must be a port number, not "${value}"`);
  return n;
}

function seconds(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw usage(`--${flag} must be a positive number of seconds, not "${value}"`);
  return Math.round(n * 1000);
}

function usage(message: string): ControllerError {
  return new ControllerError('PCL_ERR_USAGE', message);
}
