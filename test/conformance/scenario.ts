/**
 * Executes one scenario run, whichever format it came from: steps in order
 * until one fails (later steps are skipped, as godog does), then the cleanup
 * after every scenario, whatever happened.
 */
import { perform, type PlannedRun } from './plan.js';
import type { ScenarioWorld } from './world.js';

/** Outcome of one scenario run. */
export interface ScenarioResult {
  run: PlannedRun;
  passed: boolean;
  /** Label of the step that failed. */
  failedStep?: string;
  reason?: string;
  /** Cleanup errors; reported but they do not fail the scenario. */
  cleanupProblems: string[];
  durationMs: number;
  /** Diagnostics collected when the step failed, before cleanup changed anything. */
  diagnostics?: string;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs `run` against a fresh `world`, always cleaning up afterwards.
 * `diagnose` is called on failure before the cleanup, e.g. to grab the
 * controller log while it still shows the failing request.
 */
export async function runScenario(
  run: PlannedRun,
  world: ScenarioWorld,
  diagnose?: () => Promise<string> | string,
): Promise<ScenarioResult> {
  const started = Date.now();
  let failure: { step: string; reason: string } | undefined;
  for (const step of run.steps) {
    if (step.error !== undefined) {
      failure = { step: step.label, reason: step.error };
      break;
    }
    try {
      for (const action of step.actions) await perform(world, action);
    } catch (err) {
      failure = { step: step.label, reason: errorText(err) };
      break;
    }
  }
  const diagnostics = failure && diagnose ? await diagnose() : undefined;
  const cleanupProblems = await world.cleanup();
  return {
    run,
    passed: failure === undefined,
    ...(failure ? { failedStep: failure.step, reason: failure.reason } : {}),
    ...(diagnostics ? { diagnostics } : {}),
    cleanupProblems,
    durationMs: Date.now() - started,
  };
}

/** The one-line title of a run: `Feature: scenario [example row]`. */
export function runTitle(run: PlannedRun): string {
  return `${run.feature}: ${run.name}${run.example !== undefined ? ` [${run.example}]` : ''}`;
}

/** Report lines for a result: a ✓/✗ line, plus the failing step and reason. */
export function formatResult(result: ScenarioResult): string[] {
  const seconds = (result.durationMs / 1000).toFixed(1);
  const lines = [`${result.passed ? '✓' : '✗'} ${runTitle(result.run)} (${seconds}s)`];
  if (!result.passed) {
    lines.push(`    step: ${result.failedStep}`);
    lines.push(`    reason: ${result.reason}`);
  }
  for (const problem of result.cleanupProblems) lines.push(`    cleanup: ${problem}`);
  if (result.diagnostics) {
    lines.push('    controller log (tail):');
    for (const line of result.diagnostics.split('\n')) lines.push(`      ${line}`);
  }
  return lines;
}

/** The summary line that ends every report. */
export function summaryLine(results: readonly ScenarioResult[]): string {
  const passed = results.filter((r) => r.passed).length;
  return `${passed} passed, ${results.length - passed} failed`;
}
