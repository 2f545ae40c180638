/**
 * The order of every change to HAProxy, as data. `planStart`, `planApply` and `planRestart` are
 * pure: they list the steps that take HAProxy from its last good state to the next one, and what
 * runs instead when a step fails. `runPlan` walks such a list by one rule and builds the result;
 * the driver only carries out single steps. steps.test.ts reads as the specification.
 *
 * The rule: steps run in order until one fails; the steps after it are dropped.
 * - A step with a `fallback` recovers: its failure is no error (the fallback's reason, followed by
 *   the failure's message, joins the reasons; its action replaces the plan's), and the fallback's
 *   steps run in place of the dropped ones.
 * - Any other failure is the apply's error: the step's `onFailure` steps run to undo what was done
 *   (they stop at their own first failure), and what they send or say is not reported.
 * - A refused `render` is a refusal of the whole change, like a model the planner refuses: the
 *   result is action `none`, with no reasons and no commands, whatever ran before.
 */
import type { Applied, ApplyError, ApplyResult, RuntimeCommand, UpdatePlan } from '../types.js';
import { planServers } from '../runtime/servers.js';

export type Action = ApplyResult['action'];

/** Which state a step's files are: the one being applied, or the last good one (which is running). */
export type FilesOf = 'next' | 'last-good';

export type Step =
  /** Render the next state (config, maps, certificates). Fails when a model string cannot be made inert. */
  | { readonly op: 'render' }
  /** Send Runtime API commands as one batch. */
  | { readonly op: 'send'; readonly commands: readonly RuntimeCommand[]; readonly fallback: Fallback }
  /** Write the rendered files into the staging copy `next/` and check it with `haproxy -c`. */
  | { readonly op: 'validate'; readonly onFailure?: readonly Step[] }
  /**
   * Bring the running servers to the next state with `commands`, then save `show servers state`
   * as the server-state file, which the reload restores (drain, maintenance, ports).
   */
  | { readonly op: 'save-server-state'; readonly commands: readonly RuntimeCommand[]; readonly fallback: Fallback }
  /** A server-state file without servers: the configuration alone decides. */
  | { readonly op: 'clear-server-state' }
  /** Replace the live files (only those whose content changed). */
  | { readonly op: 'write-files'; readonly of: FilesOf }
  /** Start the master process on the live files and wait until a worker serves. */
  | { readonly op: 'start' }
  /** Seamless reload on the live files; waits for the new worker. */
  | { readonly op: 'reload'; readonly onFailure?: readonly Step[] }
  /** The next state becomes the last good one; `note` joins the reasons. */
  | { readonly op: 'commit'; readonly note?: string }
  /** Set drain on the last good state's draining servers (no configuration keyword says drain). Never fails; a refusal is a reason. */
  | { readonly op: 'apply-drains' };

export interface Fallback {
  /** The result's action from then on. */
  readonly action?: Action;
  /** Joins the reasons, followed by the failure's message. */
  readonly reason?: string;
  readonly steps: readonly Step[];
}

export interface Plan {
  readonly action: Action;
  /** Why, reported even when a step fails. */
  readonly reasons: readonly string[];
  readonly steps: readonly Step[];
}

export const OFFLINE_NOTE = 'HAProxy is not running; its restart loads this configuration';
export const RUNTIME_FAILED = 'runtime API failed, reloading instead';

const render: Step = { op: 'render' };
const writeNext: Step = { op: 'write-files', of: 'next' };
const commit: Step = { op: 'commit' };
const drains: Step = { op: 'apply-drains' };
const clearState: Step = { op: 'clear-server-state' };
/** A failed reload leaves the last good worker serving: the files go back to describing it. */
const reload: Step = { op: 'reload', onFailure: [{ op: 'write-files', of: 'last-good' }] };
/**
 * Undoes runtime commands that went through before a failure: the live files are still the last
 * good ones, so a reload on them (with drains re-applied) is the running state again.
 */
const reloadLastGood: readonly Step[] = [clearState, { op: 'reload' }, drains];

/** First start: nothing is live until `haproxy -c` accepted the staged copy. */
export function planStart(): Plan {
  return { action: 'start', reasons: [], steps: [render, { op: 'validate' }, writeNext, clearState, { op: 'start' }, commit, drains] };
}

/** After a crash: the last good files are still live; only the runtime-only state must be set again. */
export function planRestart(): Plan {
  return { action: 'start', reasons: [], steps: [clearState, { op: 'start' }, drains] };
}

/**
 * From `current` (running, last good) to `next`, given the runtime planner's verdict and whether
 * HAProxy runs now. Endpoint churn is the hot path: the commands go first, and rendering and
 * writing the files that describe the new state follow, off the latency path.
 */
export function planApply(current: Applied, next: Applied, update: UpdatePlan, running: boolean): Plan {
  if (running && !update.reload && update.commands.length > 0) {
    const fallback: Fallback = { action: 'reload', reason: RUNTIME_FAILED, steps: [render, ...reloadSteps(undefined)] };
    return { action: 'runtime', reasons: [], steps: [{ op: 'send', commands: update.commands, fallback }, render, writeNext, commit] };
  }
  // A restart is pending: what passes `haproxy -c` becomes the files it starts on.
  if (!running) return { action: 'reload', reasons: [], steps: [render, { op: 'validate' }, writeNext, { op: 'commit', note: OFFLINE_NOTE }] };
  if (update.reload) {
    const servers = planServers(current, next);
    return { action: 'reload', reasons: update.reasons, steps: [render, ...reloadSteps(servers.reasons.length === 0 ? servers.commands : undefined)] };
  }
  return { action: 'none', reasons: [], steps: [render, writeNext, commit] };
}

/**
 * Validate, then reload. With `presync` (the server commands to the next state) the running servers
 * are brought there first and their state is saved, so drain survives the reload; without it (some
 * runtime commands already failed, or the servers cannot change at runtime) the state file is
 * cleared and drains are set after the reload. HAProxy restores more than drain from that file
 * (ports, maintenance), which is why it must match the next state or be empty.
 */
function reloadSteps(presync: readonly RuntimeCommand[] | undefined): Step[] {
  if (presync === undefined) return [{ op: 'validate', onFailure: reloadLastGood }, clearState, writeNext, reload, commit, drains];
  const unsaved: Fallback = { steps: [clearState, writeNext, reload, commit, drains] };
  return [{ op: 'validate' }, { op: 'save-server-state', commands: presync, fallback: unsaved }, writeNext, reload, commit];
}

/** What one step came to; `sent` counts the commands that took effect, even when it failed. */
export interface StepResult {
  sent?: number;
  note?: string;
  failure?: ApplyError;
}

export interface Outcome {
  action: Action;
  reasons: string[];
  commands: number;
  error?: ApplyError;
}

/** Runs `plan` by the rule above; `execute` carries out one step. */
export async function runPlan(plan: Plan, execute: (step: Step) => Promise<StepResult>): Promise<Outcome> {
  const outcome: Outcome = { action: plan.action, reasons: [...plan.reasons], commands: 0 };
  const walk = async (steps: readonly Step[]): Promise<void> => {
    for (const step of steps) {
      const result = await execute(step);
      if (outcome.error === undefined) {
        outcome.commands += result.sent ?? 0;
        const note = step.op === 'commit' ? step.note : result.note;
        if (note !== undefined) outcome.reasons.push(note);
      }
      const failure = result.failure;
      if (failure === undefined) continue;
      if ('fallback' in step) {
        const { action, reason, steps: instead } = step.fallback;
        if (outcome.error === undefined) {
          if (action !== undefined) outcome.action = action;
          if (reason !== undefined) outcome.reasons.push(`${reason}: ${failure.message}`);
        }
        return walk(instead);
      }
      if (outcome.error !== undefined) return;
      if (step.op === 'render') Object.assign(outcome, { action: 'none', reasons: [], commands: 0 });
      outcome.error = failure;
      if ('onFailure' in step && step.onFailure) await walk(step.onFailure);
      return;
    }
  };
  await walk(plan.steps);
  return outcome;
}
