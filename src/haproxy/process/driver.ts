/**
 * HAProxyDriver: keeps a running HAProxy equal to the last model it accepted.
 *
 * What happens, in which order, is a plan of steps (steps.ts: pure, table-tested); the driver
 * carries the steps out and reports the outcome. The staging directory `next/` holds each new
 * configuration while `haproxy -c` checks it (the configuration references its files relative to
 * its own directory, so the staged copy validates exactly like the live one). The supervisor owns
 * the process and its restart policy; the driver gives it the restart plan. apply, a restart and
 * stop run one at a time.
 */
import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ControllerError } from '../../errors.js';
import { serverKey } from '../../model/names.js';
import type { Model, SourceRef } from '../../model/types.js';
import { CONFIG_FILE, SERVER_STATE_FILE, ADMIN_SOCKET, RenderMemo, render } from '../render/config.js';
import { planLayout, slotName } from '../render/layout.js';
import { RenderRefusedError } from '../render/text.js';
import { query, setServerState } from '../runtime/commands.js';
import { RuntimeBatchError, RuntimeClient } from '../runtime/client.js';
import { planUpdate } from '../runtime/plan.js';
import type {
  Applied, ApplyError, ApplyResult, DriverCounters, DriverOptions, Rendered, RuntimeCommand, UpdatePlan,
} from '../types.js';
import { syncFiles, writeFileAtomic, type WrittenFiles } from './files.js';
import { planApply, planRestart, planStart, runPlan, type Action, type Outcome, type Plan, type Step, type StepResult } from './steps.js';
import { Supervisor, type Relauncher } from './supervisor.js';
import { alertCertificateFiles, validateConfig, type Validation } from './validate.js';

const STAGING_DIR = 'next';
/** Events of the supervisor that are the driver's too. */
const FORWARDED = ['log', 'exit', 'restarted', 'restart-failed'] as const;

/** The state a plan moves to; `rendered` once its `render` step ran. */
interface Target {
  applied: Applied;
  rendered?: Rendered;
}

function failure(code: ApplyError['code'], message: string, extra: Partial<ApplyError> = {}): ApplyError {
  return { code, message, ...extra };
}

export class HAProxyDriver extends EventEmitter {
  readonly counters: DriverCounters = { reloads: 0, runtimeCommands: { server: 0, map: 0, certificate: 0 }, restarts: 0 };
  private readonly options: DriverOptions;
  private readonly supervisor: Supervisor;
  private readonly client: RuntimeClient;
  private applied: Applied | undefined;
  private rendered: Rendered | undefined;
  private live: WrittenFiles | undefined;
  private staged: WrittenFiles | undefined;
  /** What renders reuse from earlier ones: maps and backend sections that did not change. */
  private readonly memo = new RenderMemo();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly relauncher: Relauncher = {
    exclusive: (task) => this.exclusive(task),
    relaunch: () => this.relaunch(),
  };

  constructor(options: DriverOptions) {
    super();
    // The directory is written into the configuration, where it must be absolute.
    this.options = { ...options, stateDir: resolve(options.stateDir) };
    this.supervisor = new Supervisor(options.bin, this.options.stateDir, options.accessLogs ?? 'relay');
    this.client = new RuntimeClient(join(this.options.stateDir, ADMIN_SOCKET));
    for (const event of FORWARDED) this.supervisor.on(event, (...args: unknown[]) => this.emit(event, ...args));
  }

  /** Writes the files, validates them with `haproxy -c`, starts HAProxy in master-worker mode. */
  start(model: Model): Promise<ApplyResult> {
    return this.exclusive(async () => {
      const t0 = Date.now();
      if (this.supervisor.running) throw new Error('HAProxy is already running');
      this.supervisor.supervise(this.relauncher);
      this.live = undefined;
      this.staged = undefined;
      const outcome = await this.run(planStart(), { applied: this.effective(model, undefined) });
      // start reports `start` whatever came of it.
      return this.result(t0, { ...outcome, action: 'start' });
    });
  }

  /**
   * Brings HAProxy to `model`: Runtime API when possible, else validate + seamless reload. Never
   * throws for a bad model: returns a result with `error` and keeps the last good one serving.
   */
  apply(model: Model): Promise<ApplyResult> {
    return this.exclusive(async () => {
      const t0 = Date.now();
      const current = this.applied;
      if (!current || !this.supervisor.supervised) throw new Error('apply() needs a started driver');
      const next = this.plan(model, current);
      if ('error' in next) return this.result(t0, { action: 'none', reasons: [], commands: 0, error: next.error });
      const plan = planApply(current, next.applied, next.update, this.supervisor.running);
      return this.result(t0, await this.run(plan, { applied: next.applied }));
    });
  }

  /** Graceful stop: in-flight requests get up to `graceMs`, then HAProxy is killed. */
  async stop(graceMs: number): Promise<void> {
    this.supervisor.unsupervise();
    await this.exclusive(() => this.supervisor.stop(graceMs));
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The next state and the runtime planner's verdict; refuses models whose strings cannot be rendered safely. */
  private plan(model: Model, current: Applied): { applied: Applied; update: UpdatePlan } | { error: ApplyError } {
    const applied = this.effective(model, current);
    try {
      return { applied, update: planUpdate(current, applied, this.memo.maps) };
    } catch (err) {
      return { error: refusal(err) };
    }
  }

  private effective(model: Model, current: Applied | undefined): Applied {
    const effective = this.options.hardStopAfterMs === undefined
      ? model
      : { ...model, global: { ...model.global, hardStopAfter: this.options.hardStopAfterMs } };
    return { model: effective, layout: planLayout(current?.layout, effective, current?.model) };
  }

  /** The supervisor's restart: the restart plan on the last good files; rejects when HAProxy did not come up. */
  private async relaunch(): Promise<void> {
    const outcome = await this.run(planRestart(), undefined);
    if (outcome.error) throw new ControllerError(outcome.error.code, outcome.error.message);
    this.counters.restarts++;
  }

  private run(plan: Plan, target: Target | undefined): Promise<Outcome> {
    return runPlan(plan, (step) => this.execute(step, target));
  }

  /**
   * Carries out one step. A file that cannot be written (a full disk, a read-only state folder)
   * fails the step like any other failure, so the plan's rule keeps the last good HAProxy serving.
   */
  private async execute(step: Step, target: Target | undefined): Promise<StepResult> {
    try {
      return await this.executeStep(step, target);
    } catch (err) {
      if (!isSystemError(err)) throw err;
      return { failure: failure('PCL_ERR_STATE_WRITE', `the state folder ${this.options.stateDir} cannot be written (${err.code}): ${err.message}`) };
    }
  }

  /** One step; `target` is what `render`, `validate`, `write-files` of next and `commit` act on. */
  private async executeStep(step: Step, target: Target | undefined): Promise<StepResult> {
    const next = (): Target & { rendered: Rendered } => {
      if (!target?.rendered) throw new Error(`step ${step.op} needs a rendered state`);
      return target as Target & { rendered: Rendered };
    };
    switch (step.op) {
      case 'render':
        if (!target) throw new Error('render needs a state');
        try {
          target.rendered = render(target.applied.model, target.applied.layout, this.options.stateDir, this.memo);
          return {};
        } catch (err) {
          return { failure: refusal(err) };
        }
      case 'send':
        return this.send(step.commands);
      case 'validate':
        return { failure: await this.stage(next()) };
      case 'save-server-state':
        return this.saveServerState(step.commands);
      case 'clear-server-state':
        await this.clearServerState();
        return {};
      case 'write-files': {
        const rendered = step.of === 'next' ? next().rendered : this.rendered;
        if (rendered) await this.writeLive(rendered);
        return {};
      }
      case 'start':
        try {
          await mkdir(join(this.options.stateDir, 'run'), { recursive: true });
          await this.supervisor.start();
          return {};
        } catch (err) {
          return { failure: failure('PCL_ERR_HAPROXY_START', (err as Error).message) };
        }
      case 'reload':
        try {
          await this.supervisor.reload();
        } catch (err) {
          return { failure: failure('PCL_ERR_HAPROXY_RELOAD', (err as Error).message) };
        }
        this.counters.reloads++;
        return {};
      case 'commit':
        this.applied = next().applied;
        this.rendered = next().rendered;
        return {};
      case 'apply-drains':
        return this.applyDrains();
    }
  }

  /** Writes the staging copy and validates it; resolves with the error when HAProxy rejects it. */
  private async stage(target: Target & { rendered: Rendered }): Promise<ApplyError | undefined> {
    const dir = join(this.options.stateDir, STAGING_DIR);
    this.staged = await syncFiles(dir, target.rendered.files, this.staged);
    const configPath = join(dir, CONFIG_FILE);
    await writeFileAtomic(configPath, target.rendered.config, 0o644);
    const validation = await validateConfig(this.options.bin, configPath);
    if (validation.ok) return undefined;
    const source = locateSource(validation, target.applied, target.rendered);
    const where = validation.line === undefined ? '' : ` at line ${validation.line}`;
    return failure('PCL_ERR_HAPROXY_VALIDATION', `haproxy -c rejected the configuration${where}`, { output: validation.output, source });
  }

  private async writeLive(rendered: Rendered): Promise<void> {
    this.live = await syncFiles(this.options.stateDir, rendered.files, this.live);
    if (this.rendered?.config !== rendered.config || !this.live.has(CONFIG_FILE)) {
      await writeFileAtomic(join(this.options.stateDir, CONFIG_FILE), rendered.config, 0o644);
    }
    this.live = new Map([...this.live, [CONFIG_FILE, rendered.config]]);
  }

  /** Server state survives the reload through `server-state-file` (drain has no configuration keyword). */
  private async saveServerState(commands: readonly RuntimeCommand[]): Promise<StepResult> {
    const sent = await this.send(commands);
    if (sent.failure) return sent;
    try {
      const [state] = await this.client.run([query('show', 'servers', 'state')]);
      await writeFileAtomic(join(this.options.stateDir, SERVER_STATE_FILE), `${state}\n`, 0o600);
      return sent;
    } catch (err) {
      // Without a trustworthy state file the configuration alone decides (the plan's fallback).
      return { sent: sent.sent, failure: failure('PCL_ERR_RUNTIME_API', (err as Error).message) };
    }
  }

  /** A state file with no server in it: the configuration alone decides (and HAProxy stays quiet). */
  private clearServerState(): Promise<void> {
    return writeFileAtomic(join(this.options.stateDir, SERVER_STATE_FILE), '1\n', 0o600);
  }

  /** Sends `commands` as one batch over one connection; counts what took effect, even when one failed. */
  private async send(commands: readonly RuntimeCommand[]): Promise<StepResult> {
    let count = commands.length;
    let error: ApplyError | undefined;
    try {
      await this.client.run(commands);
    } catch (err) {
      count = err instanceof RuntimeBatchError ? err.completed : 0;
      error = failure(err instanceof ControllerError ? err.code : 'PCL_ERR_RUNTIME_API', (err as Error).message);
    }
    for (const command of commands.slice(0, count)) if (command.kind !== 'query') this.counters.runtimeCommands[command.kind]++;
    return error === undefined ? { sent: count } : { sent: count, failure: error };
  }

  /** Drain cannot be written in the configuration: after a fresh start or reload it is set at runtime. */
  private async applyDrains(): Promise<StepResult> {
    const commands: RuntimeCommand[] = [];
    const applied = this.applied;
    for (const backend of applied?.model.backends ?? []) {
      const slots = applied!.layout.backends[backend.name] ?? [];
      for (const server of backend.servers) {
        const index = slots.indexOf(serverKey(server));
        if (server.state === 'drain' && index >= 0) commands.push(setServerState(backend.name, slotName(index), 'drain'));
      }
    }
    const sent = await this.send(commands);
    return sent.failure ? { sent: sent.sent, note: `drain state not applied: ${sent.failure.message}` } : { sent: sent.sent };
  }

  private result(t0: number, outcome: Outcome & { action: Action }): ApplyResult {
    const result: ApplyResult = { action: outcome.action, reasons: outcome.reasons, commands: outcome.commands, durationMs: Date.now() - t0 };
    if (outcome.error) result.error = outcome.error;
    return result;
  }
}

/** An error of the file system (it has a `syscall`), not a bug. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/** A model string that cannot be made inert, as the apply's error; anything else is a bug and thrown. */
function refusal(err: unknown): ApplyError {
  if (!(err instanceof RenderRefusedError)) throw err;
  return failure(err.code, err.message, { source: err.source });
}

/** The object behind a `haproxy -c` failure: the config line's source, or the named certificate's. */
function locateSource(validation: Validation, applied: Applied, rendered: Rendered): SourceRef | undefined {
  const files = alertCertificateFiles(validation.output);
  if (files.length > 0) {
    const model = applied.model;
    if (files[0] === 'certs/default.pem') return model.defaultCertificate.source;
    const certificate = model.certificates.find((c) => `certs/${c.id}.pem` === files[0]);
    if (certificate) return certificate.source;
  }
  return validation.line === undefined ? undefined : rendered.lineSources[validation.line - 1];
}
