/**
 * HAProxyDriver: keeps a running HAProxy equal to the last model it accepted.
 *
 * Every change is first rendered into the staging directory `next/` and checked with `haproxy -c`
 * (the configuration references its files relative to its own directory, so the staged copy
 * validates exactly like the live one); only then are the live files replaced. Runtime API
 * commands are preferred; a reload happens only for structural changes or when a command fails.
 * apply, the restart after a crash, and stop run one at a time.
 */
import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { serverKey } from '../../model/names.js';
import type { Model, SourceRef } from '../../model/types.js';
import { CONFIG_FILE, SERVER_STATE_FILE, ADMIN_SOCKET, RenderMemo, render } from '../render/config.js';
import { planLayout, slotName } from '../render/layout.js';
import { RenderRefusedError } from '../render/text.js';
import { query, setServerState } from '../runtime/commands.js';
import { RuntimeBatchError, RuntimeClient } from '../runtime/client.js';
import { planUpdate } from '../runtime/plan.js';
import { planServers } from '../runtime/servers.js';
import type {
  Applied, ApplyError, ApplyResult, DriverCounters, DriverOptions, Rendered, RuntimeCommand,
  UpdatePlan,
} from '../types.js';
import { syncFiles, writeFileAtomic, type WrittenFiles } from './files.js';
import { Supervisor } from './supervisor.js';
import { alertCertificateFiles, validateConfig, type Validation } from './validate.js';
import { Backoff } from '../../backoff.js';

const STAGING_DIR = 'next';
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;
/** A process that ran this long before dying restarts with the shortest backoff again. */
const STABLE_MS = 10_000;

interface Prepared {
  applied: Applied;
  rendered: Rendered;
}

type Action = ApplyResult['action'];

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
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly backoff = new Backoff(BACKOFF_MIN_MS, BACKOFF_MAX_MS);
  private upSince = 0;

  constructor(options: DriverOptions) {
    super();
    // The directory is written into the configuration, where it must be absolute.
    this.options = { ...options, stateDir: resolve(options.stateDir) };
    this.supervisor = new Supervisor(options.bin, this.options.stateDir, options.accessLogs ?? 'relay');
    this.client = new RuntimeClient(join(this.options.stateDir, ADMIN_SOCKET));
    this.supervisor.on('log', (...message: unknown[]) => this.emit('log', ...message));
    this.supervisor.on('exit', (code: number | null, signal: string | null) => this.onUnexpectedExit(code, signal));
  }

  /** Writes the files, validates them with `haproxy -c`, starts HAProxy in master-worker mode. */
  start(model: Model): Promise<ApplyResult> {
    return this.exclusive(async () => {
      const t0 = Date.now();
      if (this.supervisor.running) throw new Error('HAProxy is already running');
      this.stopping = false;
      this.live = undefined;
      this.staged = undefined;
      const prepared = this.prepare(this.effective(model, undefined));
      if ('error' in prepared) return this.result('start', t0, [], 0, prepared.error);
      const invalid = await this.stage(prepared);
      if (invalid) return this.result('start', t0, [], 0, invalid);
      await mkdir(join(this.options.stateDir, 'run'), { recursive: true });
      await this.writeLive(prepared.rendered);
      try {
        await this.launch();
      } catch (err) {
        return this.result('start', t0, [], 0, failure('PCL_ERR_HAPROXY_START', (err as Error).message));
      }
      this.commit(prepared);
      const drained = await this.applyDrains();
      return this.result('start', t0, drained.reasons, drained.sent);
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
      if (!current || this.stopping) throw new Error('apply() needs a started driver');
      // Endpoint churn is the hot path: plan from the layout alone and send the commands first;
      // rendering and writing the files that describe the new state follows, off the latency path.
      const next = this.plan(model, current);
      if ('error' in next) return this.result('none', t0, [], 0, next.error);
      const { applied, plan } = next;
      if (this.supervisor.running && !plan.reload && plan.commands.length > 0) {
        const sent = await this.send(plan.commands);
        const prepared = this.prepare(applied);
        if ('error' in prepared) return this.result('none', t0, [], 0, prepared.error);
        if (sent.error) return this.reload(prepared, [`runtime API failed, reloading instead: ${sent.error}`], t0, true, sent.count);
        await this.writeLive(prepared.rendered);
        this.commit(prepared);
        return this.result('runtime', t0, [], sent.count);
      }
      const prepared = this.prepare(applied);
      if ('error' in prepared) return this.result('none', t0, [], 0, prepared.error);
      if (!this.supervisor.running) return this.applyOffline(prepared, t0);
      if (plan.reload) return this.reload(prepared, plan.reasons, t0, false);
      await this.writeLive(prepared.rendered);
      this.commit(prepared);
      return this.result('none', t0, [], 0);
    });
  }

  /** Graceful stop: in-flight requests get up to `graceMs`, then HAProxy is killed. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.exclusive(() => this.supervisor.stop(graceMs));
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The next state and how to get there; refuses models whose strings cannot be rendered safely. */
  private plan(model: Model, current: Applied): { applied: Applied; plan: UpdatePlan } | { error: ApplyError } {
    const applied = this.effective(model, current);
    try {
      return { applied, plan: planUpdate(current, applied, this.memo.maps) };
    } catch (err) {
      if (!(err instanceof RenderRefusedError)) throw err;
      return { error: failure(err.code, err.message, { source: err.source }) };
    }
  }

  private effective(model: Model, current: Applied | undefined): Applied {
    const effective = this.options.hardStopAfterMs === undefined
      ? model
      : { ...model, global: { ...model.global, hardStopAfter: this.options.hardStopAfterMs } };
    return { model: effective, layout: planLayout(current?.layout, effective, current?.model) };
  }

  private prepare(applied: Applied): Prepared | { error: ApplyError } {
    try {
      return { applied, rendered: render(applied.model, applied.layout, this.options.stateDir, this.memo) };
    } catch (err) {
      if (!(err instanceof RenderRefusedError)) throw err;
      return { error: failure(err.code, err.message, { source: err.source }) };
    }
  }

  /** Writes the staging copy and validates it; resolves with the error when HAProxy rejects it. */
  private async stage(prepared: Prepared): Promise<ApplyError | undefined> {
    const dir = join(this.options.stateDir, STAGING_DIR);
    this.staged = await syncFiles(dir, prepared.rendered.files, this.staged);
    const configPath = join(dir, CONFIG_FILE);
    await writeFileAtomic(configPath, prepared.rendered.config, 0o644);
    const validation = await validateConfig(this.options.bin, configPath);
    if (validation.ok) return undefined;
    const source = locateSource(validation, prepared);
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

  private commit(prepared: Prepared): void {
    this.applied = prepared.applied;
    this.rendered = prepared.rendered;
  }

  private async reload(prepared: Prepared, reasons: string[], t0: number, dirty: boolean, sentBefore = 0): Promise<ApplyResult> {
    const invalid = await this.stage(prepared);
    if (invalid) {
      // Some runtime commands went through: reload the last good files to undo them.
      if (dirty) await this.reloadLastGood();
      return this.result('reload', t0, reasons, sentBefore, invalid);
    }
    const presync = await this.saveServerState(prepared.applied, dirty);
    await this.writeLive(prepared.rendered);
    try {
      await this.supervisor.reload();
    } catch (err) {
      if (this.rendered) await this.writeLive(this.rendered);
      return this.result('reload', t0, reasons, sentBefore + presync.sent, failure('PCL_ERR_HAPROXY_RELOAD', (err as Error).message));
    }
    this.counters.reloads++;
    this.commit(prepared);
    const drained = presync.saved ? { sent: 0, reasons: [] } : await this.applyDrains();
    return this.result('reload', t0, [...reasons, ...drained.reasons], sentBefore + presync.sent + drained.sent);
  }

  /**
   * Server state survives the reload through `server-state-file` (drain has no configuration
   * keyword). HAProxy restores more than drain from that file (ports, maintenance), so the
   * running servers are first brought to `next`; if that fails the file is dropped instead and
   * drain is re-applied after the reload.
   */
  private async saveServerState(next: Applied, dirty: boolean): Promise<{ saved: boolean; sent: number }> {
    const statePath = join(this.options.stateDir, SERVER_STATE_FILE);
    const servers = this.applied && !dirty ? planServers(this.applied, next) : undefined;
    const sent = servers && servers.reasons.length === 0 ? await this.send(servers.commands) : undefined;
    if (sent && !sent.error) {
      try {
        const [state] = await this.client.run([query('show', 'servers', 'state')]);
        await writeFileAtomic(statePath, `${state}\n`, 0o600);
        return { saved: true, sent: sent.count };
      } catch {
        // Fall through: without a trustworthy state file the configuration alone decides.
      }
    }
    await this.clearServerState();
    return { saved: false, sent: sent?.count ?? 0 };
  }

  /** A state file with no server in it: the configuration alone decides (and HAProxy stays quiet). */
  private clearServerState(): Promise<void> {
    return writeFileAtomic(join(this.options.stateDir, SERVER_STATE_FILE), '1\n', 0o600);
  }

  private async reloadLastGood(): Promise<void> {
    await this.clearServerState();
    try {
      await this.supervisor.reload();
      this.counters.reloads++;
      await this.applyDrains();
    } catch {
      // The running HAProxy keeps what it has; the next apply tries again.
    }
  }

  /** Sends `commands` as one batch over one connection; counts what took effect, even when one failed. */
  private async send(commands: readonly RuntimeCommand[]): Promise<{ count: number; error?: string }> {
    let count = commands.length;
    let error: string | undefined;
    try {
      await this.client.run(commands);
    } catch (err) {
      count = err instanceof RuntimeBatchError ? err.completed : 0;
      error = (err as Error).message;
    }
    for (const command of commands.slice(0, count)) if (command.kind !== 'query') this.counters.runtimeCommands[command.kind]++;
    return error === undefined ? { count } : { count, error };
  }

  /** Drain cannot be written in the configuration: after a fresh start it is set at runtime. */
  private async applyDrains(): Promise<{ sent: number; reasons: string[] }> {
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
    return { sent: sent.count, reasons: sent.error ? [`drain state not applied: ${sent.error}`] : [] };
  }

  /** HAProxy is down and a restart is pending: validate, write, and let the restart load it. */
  private async applyOffline(prepared: Prepared, t0: number): Promise<ApplyResult> {
    const invalid = await this.stage(prepared);
    if (invalid) return this.result('reload', t0, [], 0, invalid);
    await this.writeLive(prepared.rendered);
    this.commit(prepared);
    return this.result('reload', t0, ['HAProxy is not running; its restart loads this configuration'], 0);
  }

  private async launch(): Promise<void> {
    await this.clearServerState();
    await this.supervisor.start();
    this.upSince = Date.now();
  }

  private onUnexpectedExit(code: number | null, signal: string | null): void {
    this.emit('exit', code, signal);
    if (this.stopping) return;
    if (Date.now() - this.upSince >= STABLE_MS) this.backoff.reset();
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = this.backoff.next();
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.exclusive(() => this.restart());
    }, delay);
  }

  private async restart(): Promise<void> {
    if (this.stopping || this.supervisor.running) return;
    try {
      await this.launch();
    } catch (err) {
      this.emit('restart-failed', err);
      if (!this.stopping) this.scheduleRestart();
      return;
    }
    this.counters.restarts++;
    await this.applyDrains();
    this.emit('restarted');
  }

  private result(action: Action, t0: number, reasons: string[], commands: number, error?: ApplyError): ApplyResult {
    const result: ApplyResult = { action, reasons, commands, durationMs: Date.now() - t0 };
    if (error) result.error = error;
    return result;
  }
}

/** The object behind a `haproxy -c` failure: the config line's source, or the named certificate's. */
function locateSource(validation: Validation, prepared: Prepared): SourceRef | undefined {
  const { rendered, applied } = prepared;
  const files = alertCertificateFiles(validation.output);
  if (files.length > 0) {
    const model = applied.model;
    if (files[0] === 'certs/default.pem') return model.defaultCertificate.source;
    const certificate = model.certificates.find((c) => `certs/${c.id}.pem` === files[0]);
    if (certificate) return certificate.source;
  }
  return validation.line === undefined ? undefined : rendered.lineSources[validation.line - 1];
}
