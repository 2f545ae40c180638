/**
 * The conformance suite: executes the upstream feature files against the
 * controller, one scenario at a time, and ends its report with the line
 * `N passed, N failed`.
 *
 * Local mode (default) starts an API test server and the controller itself;
 * `--kubeconfig` targets an existing cluster instead (see `options.ts`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AddressAllocator } from './backends.js';
import { Cluster, describeApiError } from './cluster.js';
import { loadFeatures, matchesTags, type ScenarioRun } from './gherkin.js';
import { startLocalEnvironment, type LocalEnvironment } from './local-env.js';
import { parseOptions, USAGE, UsageError, type RunnerOptions } from './options.js';
import { formatResult, runScenario, runTitle, summaryLine, type ScenarioResult } from './scenario.js';
import { ScenarioWorld } from './world.js';

type Print = (line: string) => void;

function selectRuns(runs: readonly ScenarioRun[], options: RunnerOptions): ScenarioRun[] {
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

async function runAll(
  runs: readonly ScenarioRun[],
  options: RunnerOptions,
  cluster: Cluster,
  signal: AbortSignal,
  print: Print,
  logTail?: () => Promise<string>,
): Promise<ScenarioResult[]> {
  const addresses = new AddressAllocator(options.kubeconfig ? options.backendAddress : undefined);
  const settings = {
    ingressClass: options.ingressClass,
    waitForStatusMs: options.waitForStatusMs,
    pollIntervalMs: options.pollIntervalMs,
    scaleSettleMs: options.scaleSettleMs,
    requestTimeoutMs: options.requestTimeoutMs,
    ports: { http: options.httpPort, https: options.httpsPort },
  };
  const results: ScenarioResult[] = [];
  for (const run of runs) {
    if (signal.aborted) break;
    const result = await runScenario(run, new ScenarioWorld(cluster, addresses, settings, signal), logTail);
    results.push(result);
    for (const line of formatResult(result)) print(line);
    if (!result.passed && options.stopOnFailure) break;
  }
  return results;
}

/** Parses flags and loads the selected runs, or says why it cannot (exit code). */
async function prepare(argv: readonly string[], buildRoot: string, print: Print): Promise<{ options: RunnerOptions; runs: ScenarioRun[] } | number> {
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
    return 2;
  }
  try {
    return { options, runs: selectRuns(await loadFeatures(options.featuresDir), options) };
  } catch (err) {
    print(`conformance: cannot load features from ${options.featuresDir}: ${err instanceof Error ? err.message : String(err)}`);
    print('0 passed, 0 failed');
    return 2;
  }
}

/**
 * Runs the suite; resolves to the exit code (0 only when nothing failed).
 * `buildRoot` is the compiled output root that holds `src/cli.js`.
 */
export async function runSuite(argv: readonly string[], buildRoot: string, print: Print): Promise<number> {
  const prepared = await prepare(argv, buildRoot, print);
  if (typeof prepared === 'number') return prepared;
  const { options, runs } = prepared;
  const abort = new AbortController();
  let local: LocalEnvironment | undefined;
  let allPassed = false;
  // Stop cleanly on a signal, so the controller and its HAProxy never outlive the run.
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let cluster: Cluster;
    if (options.kubeconfig) {
      cluster = Cluster.fromFile(options.kubeconfig);
    } else {
      local = await startLocalEnvironment(options);
      cluster = local.cluster;
      print(`controller log: ${local.logFile}`);
    }
    await sweepLeftovers(cluster, print);
    print(`running ${runs.length} scenario runs from ${options.featuresDir}`);
    const logTail = async () => {
      if (abort.signal.aborted) return '';
      // HAProxy's log line for the failing request reaches the file a moment later.
      await sleep(300);
      return local!.logTail();
    };
    const results = await runAll(runs, options, cluster, abort.signal, print, local ? logTail : undefined);
    if (abort.signal.aborted) print('interrupted');
    allPassed = results.every((r) => r.passed) && !abort.signal.aborted;
    print(summaryLine(results));
    return allPassed ? 0 : 1;
  } catch (err) {
    print(`conformance: ${err instanceof Error ? err.message : String(err)}`);
    print(`0 passed, ${runs.length} failed`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // The controller log and state stay behind for inspection unless all passed.
    await local?.stop(allPassed);
  }
}
