import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ControllerError } from '../errors.js';
import { isLogLevel, type LogLevel } from './logger.js';

/** Every command-line flag, with its help text: the one place the command-line contract lives. */
export const FLAGS = {
  kubeconfig: { type: 'string', help: 'Kubeconfig file; run outside the cluster against the cluster it names.' },
  manifests: { type: 'string', help: 'Folder of YAML manifests to use as the cluster (no API server needed); edits are picked up.' },
  'ingress-class': { type: 'string', default: 'portcullis', help: 'Name of the IngressClass this controller serves.' },
  'controller-name': { type: 'string', default: 'portcullis.dev/ingress-controller', help: 'Value matched in IngressClass spec.controller.' },
  'watch-ingress-without-class': { type: 'boolean', default: false, help: 'Also serve Ingresses that name no class at all.' },
  'http-port': { type: 'string', default: '80', help: 'Port HAProxy listens on for HTTP.' },
  'https-port': { type: 'string', default: '443', help: 'Port HAProxy listens on for HTTPS (also used in HTTPS redirects).' },
  'bind-address': { type: 'string', default: '', help: 'Address HAProxy listens on (default: all IPv4 addresses).' },
  'publish-address': { type: 'string', help: 'IP or host name written into the status of our Ingresses.' },
  'publish-service': { type: 'string', help: 'NS/NAME of a Service whose address is written into Ingress status.' },
  configmap: { type: 'string', help: 'NS/NAME of the ConfigMap with global settings.' },
  'default-backend-service': { type: 'string', help: 'NS/NAME[:PORT] of the Service for requests no rule matches.' },
  'default-ssl-certificate': { type: 'string', help: 'NS/NAME of the TLS Secret served when no other certificate matches (default: a generated self-signed one).' },
  namespace: { type: 'string', multiple: true, help: 'Namespace to watch (repeatable; default: all).' },
  'state-dir': { type: 'string', help: 'Folder for HAProxy configuration, maps, certificates and sockets (default: a folder under the system temp dir).' },
  'haproxy-bin': { type: 'string', default: 'haproxy', help: 'HAProxy executable.' },
  'health-port': { type: 'string', default: '10254', help: 'Port of the health, metrics and admin HTTP server (0: pick a free one).' },
  'health-address': { type: 'string', default: '0.0.0.0', help: 'Address of the health, metrics and admin HTTP server.' },
  'allow-config-snippets': { type: 'boolean', default: false, help: 'Apply the global-, frontend- and backend-config-snippet keys (raw HAProxy configuration; off by default).' },
  'allow-cross-namespace-secrets': { type: 'boolean', default: false, help: 'Let annotations name Secrets in other namespaces (auth-secret, server-ca, server-crt).' },
  'access-log-relay': { type: 'boolean', default: false, help: 'Pass HAProxy\'s access logs through the controller\'s logger (structured, slower) instead of straight to stdout.' },
  'stats-port': { type: 'string', default: '0', help: 'Port for HAProxy\'s Prometheus exporter (/metrics) and stats page (/stats); 0 turns them off.' },
  'leader-election-namespace': { type: 'string', help: 'Namespace of the Lease used to elect the replica that writes status (default: the pod\'s namespace).' },
  'leader-election-name': { type: 'string', default: 'portcullis-leader', help: 'Name of that Lease.' },
  'leader-election-lease-duration': { type: 'string', default: '15', help: 'Seconds a leader\'s Lease lasts without renewal before another replica may take over.' },
  'leader-election-renew-deadline': { type: 'string', default: '10', help: 'Seconds the leader keeps trying to renew before it steps down.' },
  'leader-election-retry-period': { type: 'string', default: '2', help: 'Seconds between attempts to acquire or renew the Lease.' },
  'log-level': { type: 'string', default: 'info', help: 'debug, info, warn or error.' },
  'log-format': { type: 'string', default: 'text', help: 'text or json.' },
  'shutdown-grace': { type: 'string', default: '25', help: 'Seconds in-flight requests get to finish on SIGTERM.' },
  out: { type: 'string', help: '(render) Folder to write the configuration and its files to, ready for haproxy -c.' },
  help: { type: 'boolean', short: 'h', default: false, help: 'Show this help.' },
} as const;

export interface CliOptions {
  command: 'controller' | 'render' | 'help';
  kubeconfig?: string;
  manifests?: string;
  ingressClass: string;
  controllerName: string;
  watchIngressWithoutClass: boolean;
  httpPort: number;
  httpsPort: number;
  bindAddress: string;
  publishAddress?: string;
  publishService?: { namespace: string; name: string };
  configMap?: string;
  defaultBackendService?: string;
  defaultSslCertificate?: string;
  namespaces: string[];
  stateDir: string;
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
  const parseOptionsSpec = Object.fromEntries(Object.entries(FLAGS).map(([k, v]) => [k, { ...v, help: undefined }])) as never;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: parseOptionsSpec, allowPositionals: true, strict: true });
  } catch (err) {
    throw usage((err as Error).message);
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const command = parsed.positionals[0] ?? 'help';
  if (v.help || command === 'help') return { ...defaults(), command: 'help' };
  if (command !== 'controller' && command !== 'render') throw usage(`unknown command "${command}" (expected controller or render)`);
  if (parsed.positionals.length > 1) throw usage(`unexpected argument "${parsed.positionals[1]}"`);
  if (v.kubeconfig && v.manifests) throw usage('--kubeconfig and --manifests exclude each other');
  if (command === 'render' && !v.manifests) throw usage('render needs --manifests DIR');
  if (v['publish-address'] && v['publish-service']) throw usage('--publish-address and --publish-service exclude each other');
  const logLevel = String(v['log-level']);
  if (!isLogLevel(logLevel)) throw usage(`--log-level must be debug, info, warn or error, not "${logLevel}"`);
  const logFormat = String(v['log-format']);
  if (logFormat !== 'text' && logFormat !== 'json') throw usage(`--log-format must be text or json, not "${logFormat}"`);
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
    httpPort: port(v['http-port'], 'http-port'),
    httpsPort: port(v['https-port'], 'https-port'),
    bindAddress: String(v['bind-address']),
    publishAddress: v['publish-address'] as string | undefined,
    publishService: publishService ? { namespace: publishService[0], name: publishService[1] } : undefined,
    configMap: v.configmap as string | undefined,
    defaultBackendService: v['default-backend-service'] as string | undefined,
    defaultSslCertificate: v['default-ssl-certificate'] as string | undefined,
    namespaces: (v.namespace as string[] | undefined) ?? [],
    stateDir: resolve(String(v['state-dir'] ?? join(tmpdir(), `portcullis-${process.pid}`))),
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
  for (const [name, spec] of Object.entries(FLAGS)) {
    const arg = spec.type === 'string' ? ` ${name === 'namespace' ? 'NS' : 'VALUE'}` : '';
    const def = 'default' in spec && spec.default !== '' && spec.default !== false ? ` (default ${JSON.stringify(spec.default)})` : '';
    lines.push(`  --${name}${arg}`.padEnd(36) + spec.help + def);
  }
  return lines.join('\n') + '\n';
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
