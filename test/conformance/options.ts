/**
 * Command-line flags of the conformance runner. Names and defaults follow
 * the upstream suite (`conformance_test.go`) where it has an equivalent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Everything the runner needs to know, resolved from the command line. */
export interface RunnerOptions {
  featuresDir: string;
  ingressClass: string;
  waitForStatusMs: number;
  pollIntervalMs: number;
  scaleSettleMs: number;
  requestTimeoutMs: number;
  tags?: string;
  /** Only run scenarios whose `Feature: name` text matches this pattern. */
  name?: RegExp;
  stopOnFailure: boolean;
  /** Address the controller listens on and publishes in Ingress status. */
  address: string;
  httpPort: number;
  httpsPort: number;
  /** Cluster mode when set: use this cluster, start nothing but backends. */
  kubeconfig?: string;
  /** Cluster mode only: the local address backends listen on. */
  backendAddress?: string;
  /** Local mode: the compiled output root holding `src/cli.js`. */
  buildRoot: string;
  repoRoot: string;
}

/** Thrown for a bad command line; the message is meant for the user. */
export class UsageError extends Error {}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration string (`5m`, `1m30s`, `200ms`) into milliseconds. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    matched = re.lastIndex;
  }
  if (text === '0') return 0;
  if (matched === 0 || matched !== text.length) throw new UsageError(`invalid duration "${text}"`);
  return total;
}

/** The build output root: the runner lives at `<root>/test/conformance/`. */
export function buildRootFrom(moduleUrl: string): string {
  return path.resolve(path.dirname(fileURLToPath(moduleUrl)), '..', '..');
}

/** The nearest ancestor of `start` (inclusive) holding a package.json. */
export function findRepoRoot(start: string): string {
  let dir = path.resolve(start);
  for (let i = 0; i < 32; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new UsageError(`no package.json above ${start}`);
}

/** Where the upstream feature files live: `shared/` next to the repository. */
export function defaultFeaturesDir(repoRoot: string): string {
  return path.join(repoRoot, '..', 'shared', 'conformance', 'ingress', 'features');
}

const VALUE_FLAGS = new Set([
  'features', 'ingress-class', 'wait-time-for-ingress-status', 'poll-interval', 'scale-settle',
  'tags', 'name', 'address', 'http-port', 'https-port', 'kubeconfig', 'backend-address',
  'request-timeout',
]);
const BOOL_FLAGS = new Set(['stop-on-failure', 'help']);

/** Splits `--flag value` / `--flag=value` pairs; rejects unknown flags. */
export function splitFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (BOOL_FLAGS.has(name)) {
      flags.set(name, eq === -1 ? 'true' : arg.slice(eq + 1));
    } else if (VALUE_FLAGS.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new UsageError(`unknown flag --${name}`);
    }
  }
  return flags;
}

function port(flags: Map<string, string>, name: string, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--${name}: bad port "${raw}"`);
  return n;
}

/** Resolves the command line into {@link RunnerOptions}. */
export function parseOptions(argv: readonly string[], buildRoot: string): RunnerOptions {
  const flags = splitFlags(argv);
  const repoRoot = findRepoRoot(buildRoot);
  const duration = (name: string, fallback: string) => parseDuration(flags.get(name) ?? fallback);
  const options: RunnerOptions = {
    featuresDir: path.resolve(flags.get('features') ?? defaultFeaturesDir(repoRoot)),
    ingressClass: flags.get('ingress-class') ?? 'conformance',
    waitForStatusMs: duration('wait-time-for-ingress-status', '5m'),
    pollIntervalMs: duration('poll-interval', '5s'),
    scaleSettleMs: duration('scale-settle', '60s'),
    requestTimeoutMs: duration('request-timeout', '10s'),
    tags: flags.get('tags'),
    name: flags.has('name') ? new RegExp(flags.get('name')!) : undefined,
    stopOnFailure: flags.get('stop-on-failure') === 'true',
    address: flags.get('address') ?? '127.0.1.1',
    httpPort: port(flags, 'http-port', 80),
    httpsPort: port(flags, 'https-port', 443),
    kubeconfig: flags.get('kubeconfig'),
    backendAddress: flags.get('backend-address'),
    buildRoot,
    repoRoot,
  };
  if (options.kubeconfig && !options.backendAddress) {
    throw new UsageError('--backend-address is required with --kubeconfig');
  }
  if (options.pollIntervalMs <= 0) throw new UsageError('--poll-interval must be positive');
  return options;
}

/** Text printed for `--help`. */
export const USAGE = `Usage: conformance [flags]
  --features DIR                     feature files (default: <repo>/../shared/conformance/ingress/features)
  --ingress-class NAME               class set on Ingresses without one (default: conformance)
  --wait-time-for-ingress-status D   status wait, also the negative class window (default: 5m)
  --poll-interval D                  status poll interval (default: 5s)
  --scale-settle D                   sleep after scaling a backend (default: 60s)
  --request-timeout D                per-request HTTP timeout (default: 10s)
  --tags EXPR                        godog tag filter: "@a,@b" = or, "&&" = and, "~@a" = not
  --name REGEX                       only scenarios whose "Feature: name" matches
  --stop-on-failure                  stop after the first failed scenario
  --address IP                       controller address and expected status IP (default: 127.0.1.1)
  --http-port N / --https-port N     ports the client connects to (default 80/443; other values
                                     depart from the upstream contract, which always uses 80/443)
  --kubeconfig FILE                  cluster mode: use this cluster, start no API server or controller
  --backend-address IP               cluster mode: address the local echo backends listen on`;
