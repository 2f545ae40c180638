/**
 * The conformance suite: the project's scenario files, then the upstream
 * feature files when present, against one controller, one run at a time.
 * Each part ends with its own `N passed, N failed` line and the report ends
 * with the combined one.
 *
 * Local mode (default) starts an API test server and the controller itself;
 * `--kubeconfig` targets an existing cluster instead (see `options.ts`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AddressAllocator } from './backends.js';
import { Cluster, describeApiError } from './cluster.js';
import { loadFeatures, matchesTags } from './gherkin.js';
import { startLocalEnvironment, type LocalEnvironment } from './local-env.js';
import { parseOptions, timingsLine, USAGE, UsageError, type RunnerOptions } from './options.js';
import type { PlannedRun } from './plan.js';
import { formatResult, runScenario, runTitle, type ScenarioResult } from './scenario.js';
import { loadScenarios } from './scenario-file.js';
import { bindRun } from './steps.js';
import { ScenarioWorld } from './world.js';

type Print = (line: string) => void;

/** One of the two formats: its runs, or why it does not run (`skipped` is fine, `error` fails the suite). */
interface Part {
  label: string;
  from: string;
  runs: PlannedRun[];
  skipped?: string;
  error?: string;
}

function selectRuns(runs: readonly PlannedRun[], options: RunnerOptions): PlannedRun[] {
  return runs.filter((r) => matchesTags(options.tags, r.tags) && (!options.name || options.name.test(runTitle(r))));
}

/** Upstream start-up: remove namespaces an earlier run left behind. */
async function sweepLeftovers(cluster: Cluster, print: Print): Promise<void> {
  for (const ns of await cluster.listSuiteNamespaces()) {
    try {
      await cluster.deleteNamespace(ns);
    } catch (err) {
      print(`warning: could not delete leftover namespace ${ns}: ${describeApiError(err)}`);
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function loadParts(options: RunnerOptions): Promise<Part[]> {
  const parts: Part[] = [];
  if (options.only !== 'upstream') {
    const part: Part = { label: 'project scenarios', from: options.scenariosDir, runs: [] };
    try {
      part.runs = selectRuns(await loadScenarios(options.scenariosDir), options);
    } catch (err) {
      part.error = `cannot load scenarios: ${message(err)}`;
    }
    parts.push(part);
  }
  if (options.only !== 'project') {
    const { upstream } = options;
    const part: Part = { label: 'upstream features', from: 'dir' in upstream ? upstream.dir : '', runs: [] };
    if ('skipped' in upstream) {
      // Asked for explicitly, a missing folder is an error; by default it is only reported.
      if (options.only === 'upstream') part.error = upstream.skipped;
      else part.skipped = upstream.skipped;
    } else {
      try {
        part.runs = selectRuns((await loadFeatures(upstream.dir)).map(bindRun), options);
      } catch (err) {
        part.error = `cannot load features from ${upstream.dir}: ${message(err)}`;
      }
    }
    parts.push(part);
  }
  return parts;
}

interface Context {
  options: RunnerOptions;
  cluster: Cluster;
  signal: AbortSignal;
  print: Print;
  addresses: AddressAllocator;
  logTail?: () => Promise<string>;
}

/** Runs the runs of one part in order; `--stop-on-failure` ends it at the first failure. */
async function runPart(part: Part, ctx: Context): Promise<ScenarioResult[]> {
  const { options } = ctx;
  const settings = {
    ingressClass: options.ingressClass,
    waitForStatusMs: options.waitForStatusMs,
    pollIntervalMs: options.pollIntervalMs,
    scaleSettleMs: options.scaleSettleMs,
    requestTimeoutMs: options.requestTimeoutMs,
    ports: { http: options.httpPort, https: options.httpsPort },
  };
  const results: ScenarioResult[] = [];
  for (const run of part.runs) {
    if (ctx.signal.aborted) break;
    const result = await runScenario(run, new ScenarioWorld(ctx.cluster, ctx.addresses, settings, ctx.signal), ctx.logTail);
    results.push(result);
    for (const line of formatResult(result)) ctx.print(line);
    if (!result.passed && options.stopOnFailure) break;
  }
  return results;
}

/** Parses flags and loads both parts, or says why it cannot (exit code). */
async function prepare(argv: readonly string[], buildRoot: string, print: Print): Promise<{ options: RunnerOptions; parts: Part[] } | number> {
  let options: RunnerOptions;
  try {
    if (argv.includes('--help')) {
      print(USAGE);
      return 0;
    }
    options = parseOptions(argv, buildRoot);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    print(`conformance: ${err.message}\n${USAGE}`);
    print('0 passed, 1 failed');
    return 2;
  }
  return { options, parts: await loadParts(options) };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** The plan, printed before anything starts. */
function announce(options: RunnerOptions, parts: readonly Part[], print: Print): void {
  print(timingsLine(options));
  for (const part of parts) {
    if (part.skipped) print(`${part.label}: skipped: ${part.skipped}`);
    else if (part.error) print(`${part.label}: ${part.error}`);
    else print(`${part.label}: ${part.runs.length} run${part.runs.length === 1 ? '' : 's'} from ${part.from}`);
  }
}

/**
 * Runs the suite; resolves to the exit code (0 only when nothing failed).
 * `buildRoot` is the compiled output root that holds `src/cli.js`.
 */
export async function runSuite(argv: readonly string[], buildRoot: string, print: Print): Promise<number> {
  const prepared = await prepare(argv, buildRoot, print);
  if (typeof prepared === 'number') return prepared;
  const { options, parts } = prepared;
  announce(options, parts, print);
  const abort = new AbortController();
  let local: LocalEnvironment | undefined;
  let allPassed = false;
  const tally = { passed: 0, failed: 0 };
  const finish = (part: Part, results: readonly ScenarioResult[], ms: number) => {
    const passed = results.filter((r) => r.passed).length;
    // A part that could not load counts as one failed run, and an interruption fails the runs it
    // prevented, so the total says failed whenever the exit code does.
    const failed = (abort.signal.aborted ? part.runs.length : results.length) - passed + (part.error ? 1 : 0);
    tally.passed += passed;
    tally.failed += failed;
    if (!part.skipped) print(`${part.label}: ${passed} passed, ${failed} failed (${seconds(ms)})`);
  };
  const toRun = parts.filter((p) => p.runs.length > 0);
  // Stop cleanly on a signal, so the controller and its HAProxy never outlive the run.
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now();
  try {
    if (toRun.length > 0) {
      let cluster: Cluster;
      try {
        if (options.kubeconfig) {
          cluster = Cluster.fromFile(options.kubeconfig);
        } else {
          local = await startLocalEnvironment(options);
          cluster = local.cluster;
          print(`controller log: ${local.logFile}`);
        }
        await sweepLeftovers(cluster, print);
      } catch (err) {
        print(`conformance: ${message(err)}`);
        for (const part of parts) finish(part, part.runs.map((run) => ({ run, passed: false, cleanupProblems: [], durationMs: 0 })), 0);
        return 1;
      }
      const logTail = async () => {
        if (abort.signal.aborted) return '';
        // HAProxy's log line for the failing request reaches the file a moment later.
        await sleep(300);
        return local!.logTail();
      };
      const ctx: Context = {
        options, cluster, signal: abort.signal, print,
        addresses: new AddressAllocator(options.kubeconfig ? options.backendAddress : undefined),
        logTail: local ? logTail : undefined,
      };
      let stopped = false;
      for (const part of parts) {
        const partStart = Date.now();
        let results: ScenarioResult[] = [];
        if (!stopped && part.runs.length > 0) {
          print(`── ${part.label}`);
          results = await runPart(part, ctx);
          stopped = options.stopOnFailure && results.some((r) => !r.passed);
        }
        finish(part, results, Date.now() - partStart);
      }
    } else {
      for (const part of parts) finish(part, [], 0);
    }
    if (abort.signal.aborted) print('interrupted');
    allPassed = tally.failed === 0 && !abort.signal.aborted;
    return allPassed ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // The controller log and state stay behind for inspection unless all passed.
    await local?.stop(allPassed);
    print(`conformance took ${seconds(Date.now() - started)}`);
    print(`${tally.passed} passed, ${tally.failed} failed`);
  }
}
