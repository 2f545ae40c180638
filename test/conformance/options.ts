/**
 * Command-line flags and environment of the conformance runner. Flag names
 * follow the upstream suite (`conformance_test.go`) where it has an
 * equivalent; the waits default to short ones (see `TIMINGS`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Everything the runner needs to know, resolved from the command line. */
export interface RunnerOptions {
  /** The project's scenario files. */
  scenariosDir: string;
  /** Upstream feature files to run too, or why they are skipped. */
  upstream: UpstreamFeatures;
  /** Run only one of the two formats. */
  only?: 'project' | 'upstream';
  /** Which timing set the waits came from (flags given one by one still win). */
  timings: TimingSet;
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

/** Where the upstream feature files live by default: `shared/` next to the repository. */
export function defaultFeaturesDir(repoRoot: string): string {
  return path.join(repoRoot, '..', 'shared', 'conformance', 'ingress', 'features');
}

/** The project's own scenario files, in the source tree (they are not compiled). */
export function defaultScenariosDir(repoRoot: string): string {
  return path.join(repoRoot, 'test', 'conformance', 'scenarios');
}

/** Upstream features to run (`dir`), or the reason they are skipped. */
export type UpstreamFeatures = { dir: string; given: boolean } | { skipped: string };

/**
 * Finds the upstream feature files: `given` (the flag, else
 * `CONFORMANCE_FEATURES`) is used as is and must exist when the run starts;
 * otherwise the default folder is used if it exists and skipped if not.
 */
export function upstreamFeatures(repoRoot: string, given?: string): UpstreamFeatures {
  if (given) return { dir: path.resolve(given), given: true };
  const dir = defaultFeaturesDir(repoRoot);
  if (fs.existsSync(dir)) return { dir, given: false };
  return { skipped: `upstream features not present: ${dir} does not exist (set CONFORMANCE_FEATURES=DIR or --features DIR to run them)` };
}

/** Named sets of waits: `short` is the default for local runs, `upstream` is the upstream suite's. */
export type TimingSet = 'short' | 'upstream';
export const TIMINGS: Readonly<Record<TimingSet, { status: string; poll: string; settle: string }>> = Object.freeze({
  short: { status: '8s', poll: '200ms', settle: '1s' },
  upstream: { status: '5m', poll: '5s', settle: '60s' },
});

const VALUE_FLAGS = new Set([
  'features', 'scenarios', 'only', 'ingress-class', 'wait-time-for-ingress-status', 'poll-interval', 'scale-settle',
  'tags', 'name', 'address', 'http-port', 'https-port', 'kubeconfig', 'backend-address',
  'request-timeout',
]);
const BOOL_FLAGS = new Set(['stop-on-failure', 'upstream-timings', 'help']);

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

/**
 * The timing set: `--upstream-timings`, else `CONFORMANCE_TIMINGS`, else
 * short in local mode and upstream against a real cluster (real pods and
 * load balancers take longer than 8 s).
 */
function timingSet(flags: Map<string, string>, env: NodeJS.ProcessEnv): TimingSet {
  if (flags.get('upstream-timings') === 'true') return 'upstream';
  const named = env.CONFORMANCE_TIMINGS;
  if (named) {
    if (named !== 'short' && named !== 'upstream') throw new UsageError(`CONFORMANCE_TIMINGS must be "short" or "upstream", got "${named}"`);
    return named;
  }
  return flags.has('kubeconfig') ? 'upstream' : 'short';
}

/** Resolves the command line (and `CONFORMANCE_FEATURES`, `CONFORMANCE_TIMINGS`) into {@link RunnerOptions}. */
export function parseOptions(argv: readonly string[], buildRoot: string, env: NodeJS.ProcessEnv = process.env): RunnerOptions {
  const flags = splitFlags(argv);
  const repoRoot = findRepoRoot(buildRoot);
  const duration = (name: string, fallback: string) => parseDuration(flags.get(name) ?? fallback);
  const timings = timingSet(flags, env);
  const only = flags.get('only');
  if (only !== undefined && only !== 'project' && only !== 'upstream') throw new UsageError(`--only must be "project" or "upstream", got "${only}"`);
  const options: RunnerOptions = {
    scenariosDir: path.resolve(flags.get('scenarios') ?? defaultScenariosDir(repoRoot)),
    upstream: upstreamFeatures(repoRoot, flags.get('features') ?? env.CONFORMANCE_FEATURES),
    only,
    timings,
    ingressClass: flags.get('ingress-class') ?? 'conformance',
    waitForStatusMs: duration('wait-time-for-ingress-status', TIMINGS[timings].status),
    pollIntervalMs: duration('poll-interval', TIMINGS[timings].poll),
    scaleSettleMs: duration('scale-settle', TIMINGS[timings].settle),
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

/** The line that states the waits in use, printed before anything runs. */
export function timingsLine(o: RunnerOptions): string {
  const s = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
  const other = o.timings === 'short' ? 'upstream timings: --upstream-timings or CONFORMANCE_TIMINGS=upstream' : 'short timings: CONFORMANCE_TIMINGS=short';
  return `timings (${o.timings}): status wait ${s(o.waitForStatusMs)}, poll ${s(o.pollIntervalMs)}, scale settle ${s(o.scaleSettleMs)}, request timeout ${s(o.requestTimeoutMs)} (${other}; single flags win)`;
}

/** Text printed for `--help`. */
export const USAGE = `Usage: conformance [flags]
Runs the project's scenarios, then the upstream feature files when present.
  --scenarios DIR                    the project's scenario files (default: <repo>/test/conformance/scenarios)
  --features DIR                     upstream feature files; also CONFORMANCE_FEATURES=DIR (default:
                                     <repo>/../shared/conformance/ingress/features, skipped when absent)
  --only project|upstream            run one of the two formats only
  --upstream-timings                 the upstream waits (5m / 5s / 60s); also CONFORMANCE_TIMINGS=upstream.
                                     Default: short waits (8s / 200ms / 1s) locally, upstream with --kubeconfig
  --ingress-class NAME               class set on Ingresses without one (default: conformance)
  --wait-time-for-ingress-status D   status wait, also the negative class window (short: 8s)
  --poll-interval D                  status poll interval (short: 200ms)
  --scale-settle D                   sleep after scaling a backend (short: 1s)
  --request-timeout D                per-request HTTP timeout (default: 10s)
  --tags EXPR                        godog tag filter: "@a,@b" = or, "&&" = and, "~@a" = not
  --name REGEX                       only runs whose "Feature: name" matches
  --stop-on-failure                  stop after the first failed run
  --address IP                       controller address and expected status IP (default: 127.0.1.1)
  --http-port N / --https-port N     ports the client connects to (default 80/443; other values
                                     depart from the upstream contract, which always uses 80/443)
  --kubeconfig FILE                  cluster mode: use this cluster, start no API server or controller
  --backend-address IP               cluster mode: address the local echo backends listen on`;
