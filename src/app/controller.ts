import type { ControllerMetrics } from '../metrics/controller-metrics.js';
import type { Model } from '../model/types.js';
import { planStatusUpdates, publishedAddresses, type PublishSource } from '../status/status.js';
import type { Store, StoreChange } from '../store/store.js';
import { objectKey, SERVICE_NAME_LABEL, type LoadBalancerIngress, type ObjectRef } from '../store/types.js';
import { patchEndpoints, translate } from '../translate/index.js';
import type { Diagnostic, TranslateOptions, TranslateResult } from '../translate/types.js';
import type { ApplyResult, HAProxyDriver } from '../haproxy/index.js';
import { DiagnosticReporter, type EventSink } from './diagnostics.js';
import type { Logger } from './logger.js';

export interface ControllerOptions {
  store: Store;
  translateOptions: TranslateOptions;
  driver: Pick<HAProxyDriver, 'start' | 'apply'>;
  logger: Logger;
  metrics?: ControllerMetrics;
  publish: PublishSource;
  /** Writes an Ingress status; absent when there is no API to write to (manifest folder). */
  writeStatus?: (ref: ObjectRef, ingress: LoadBalancerIngress[]) => Promise<void>;
  recordEvent?: EventSink;
  /** Quiet time after a change before a pass starts, so a burst becomes one pass. */
  debounceMs?: number;
  /** Upper bound on how long a continuous stream of changes can delay a pass. */
  maxDelayMs?: number;
  /** Whether this replica may write status (leader election); defaults to always. */
  isLeader?: () => boolean;
}

export interface LastApply extends ApplyResult {
  at: string;
  storeVersion: number;
}

/**
 * The reconcile loop, and the only place that sequences side effects.
 *
 * Level-triggered: a store change only marks the state dirty; after a short debounce one pass
 * rebuilds the whole model from the snapshot and hands it to the driver, which diffs it against
 * what runs. Passes never overlap; changes that arrive during a pass cause exactly one more.
 */
export class Controller {
  private dirty = false;
  private running = false;
  private started = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private firstDirtyAt = 0;
  private statusRetry: NodeJS.Timeout | undefined;
  /** Ingresses whose configuration HAProxy rejected, with the resourceVersion that was rejected. */
  private readonly excluded = new Map<string, string>();
  private readonly reporter: DiagnosticReporter;
  private idleWaiters: (() => void)[] = [];
  /** The last translation, and the Services whose EndpointSlices changed since; undefined services = something else changed too. */
  private lastResult: TranslateResult | undefined;
  private changedServices: Set<string> | undefined = new Set();
  ready = false;
  model: Model | undefined;
  lastApply: LastApply | undefined;
  diagnostics: Diagnostic[] = [];

  constructor(private readonly options: ControllerOptions) {
    this.reporter = new DiagnosticReporter(options.logger, options.recordEvent);
    options.store.on('change', (change: StoreChange) => {
      this.noteChange(change);
      this.markDirty();
    });
  }

  /** Runs the first pass as soon as every watched kind is listed. */
  start(): void {
    const { store } = this.options;
    if (store.isSynced()) this.markDirty();
    else store.on('synced', () => store.isSynced() && this.markDirty());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.statusRetry);
  }

  /** Resolves when no pass is running or pending (for tests, `render` and benchmarks). */
  idle(): Promise<void> {
    if (!this.running && !this.dirty) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  markDirty(): void {
    if (this.stopped || !this.options.store.isSynced()) return;
    const now = Date.now();
    if (!this.dirty) this.firstDirtyAt = now;
    this.dirty = true;
    if (this.running) return;
    clearTimeout(this.timer);
    const debounce = this.options.debounceMs ?? 5;
    const waitLeft = Math.max(0, (this.options.maxDelayMs ?? 100) - (now - this.firstDirtyAt));
    this.timer = setTimeout(() => void this.loop(), Math.min(debounce, waitLeft));
  }

  private async loop(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        await this.pass();
      }
    } finally {
      this.running = false;
      if (this.dirty) this.markDirty();
      else for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async pass(): Promise<void> {
    const started = process.hrtime.bigint();
    const { store, logger, metrics } = this.options;
    const snapshot = store.snapshot();
    const storeVersion = store.version;
    const exclusions = this.excluded.size;
    this.forgetStaleExclusions();
    const result = this.translate(snapshot, exclusions !== this.excluded.size);
    this.diagnostics = result.diagnostics;
    this.reporter.report(result.diagnostics, snapshot);
    metrics?.setDiagnostics(result.diagnostics);

    let apply: ApplyResult;
    try {
      apply = this.started ? await this.options.driver.apply(result.model) : await this.options.driver.start(result.model);
    } catch (err) {
      // The driver reports bad models as results; a throw is an environment failure (HAProxy missing).
      logger.error('applying configuration failed', { err });
      metrics?.applyErrors.inc({ code: (err as { code?: string }).code ?? 'unknown' });
      return;
    }
    this.lastApply = { ...apply, at: new Date().toISOString(), storeVersion };
    logger.debug('reconcile pass', { storeVersion, action: apply.action, ms: apply.durationMs });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics?.syncDuration.observe({ result: apply.error ? 'error' : 'ok' }, seconds);
    metrics?.applies.inc({ action: apply.action });

    if (apply.error) {
      this.handleApplyError(apply);
      return;
    }
    if (!this.started) {
      this.started = true;
      this.ready = true;
      metrics?.ready.set(1);
      logger.info('HAProxy started', { routes: result.model.routes.length, backends: result.model.backends.length });
    } else if (apply.action !== 'none') {
      logger.info('configuration applied', { action: apply.action, reasons: apply.reasons, commands: apply.commands, ms: Math.round(seconds * 1000) });
    }
    this.model = result.model;
    await this.updateStatus(result.ingresses);
  }

  /**
   * A full translation, or, when only EndpointSlices changed since the last one, the cheaper patch
   * of the backends they feed (proven equal by the translate tests). Endpoint churn then costs the
   * same with a thousand Ingresses as with ten.
   */
  private translate(snapshot: ReturnType<Store['snapshot']>, exclusionsChanged: boolean): TranslateResult {
    const services = this.changedServices;
    this.changedServices = new Set();
    const patched = this.lastResult && services && !exclusionsChanged ? patchEndpoints(this.lastResult, snapshot, services) : undefined;
    this.lastResult = patched ?? translate(snapshot, { ...this.options.translateOptions, excluded: new Set(this.excluded.keys()) });
    return this.lastResult;
  }

  private noteChange(change: StoreChange): void {
    if (change.kind !== 'EndpointSlice') {
      this.changedServices = undefined;
      return;
    }
    for (const slice of [change.object, change.previous]) {
      if (slice?.kind === 'EndpointSlice') this.changedServices?.add(`${slice.metadata.namespace}/${slice.metadata.labels[SERVICE_NAME_LABEL] ?? ''}`);
    }
  }

  private handleApplyError(apply: ApplyResult): void {
    const { logger, metrics, store } = this.options;
    const error = apply.error!;
    metrics?.applyErrors.inc({ code: error.code });
    const source = error.source;
    const kind = source?.kind;
    // Ingresses are left out whole; a Service or the ConfigMap only loses its snippets (translate).
    const culprit = kind === 'Ingress' || kind === 'Service' || kind === 'ConfigMap' ? store.get(kind, objectKey(source!)) : undefined;
    const key = culprit ? `${culprit.kind}/${objectKey(culprit.metadata)}` : '';
    if (culprit && !this.excluded.has(key)) {
      // Leave the offending object out and try again: one bad object must not hold back the rest.
      this.excluded.set(key, culprit.metadata.resourceVersion);
      this.changedServices = undefined;
      this.reporter.rejected(culprit, error.message);
      this.dirty = true;
      return;
    }
    logger.error('HAProxy rejected the configuration; the last good one keeps serving', {
      code: error.code,
      error: error.message,
      source: source ? `${source.kind} ${source.namespace}/${source.name}` : undefined,
      output: error.output,
    });
  }

  /** An excluded object gets another chance once it changes or disappears. */
  private forgetStaleExclusions(): void {
    for (const [key, version] of this.excluded) {
      const slash = key.indexOf('/');
      const current = this.options.store.get(key.slice(0, slash) as 'Ingress' | 'Service' | 'ConfigMap', key.slice(slash + 1));
      if (!current || current.metadata.resourceVersion !== version) this.excluded.delete(key);
    }
  }

  private async updateStatus(ours: ObjectRef[]): Promise<void> {
    const { writeStatus, isLeader, store, logger, publish } = this.options;
    if (!writeStatus || (isLeader && !isLeader())) return;
    const snapshot = store.snapshot();
    const updates = planStatusUpdates(snapshot, ours, publishedAddresses(publish, snapshot));
    let failed = false;
    await Promise.all(
      updates.map(async (u) => {
        try {
          await writeStatus(u.ref, u.ingress);
        } catch (err) {
          failed = true;
          logger.warn('writing Ingress status failed; will retry', { code: 'PCL_ERR_STATUS_UPDATE', ingress: `${u.ref.namespace}/${u.ref.name}`, err });
        }
      }),
    );
    if (failed && !this.statusRetry && !this.stopped) {
      this.statusRetry = setTimeout(() => {
        this.statusRetry = undefined;
        this.markDirty();
      }, 2000);
    }
  }
}

export type { PublishSource };
