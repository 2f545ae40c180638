import type { ControllerMetrics } from '../metrics/controller-metrics.js';
import type { Model } from '../model/types.js';
import type { GatewayStatusWrite } from '../status/gateway.js';
import type { PublishSource } from '../status/status.js';
import type { Store } from '../store/store.js';
import { objectKey, type LoadBalancerIngress, type ObjectRef, type StoreChange } from '../store/types.js';
import { TranslatorSession } from '../translate/session.js';
import type { Diagnostic, TranslateOptions } from '../translate/types.js';
import type { ApplyResult, HAProxyDriver } from '../haproxy/index.js';
import { DiagnosticReporter, type EventSink } from './diagnostics.js';
import { ExclusionLedger } from './exclusions.js';
import type { Logger } from './logger.js';
import { ReconcileScheduler, type Clock } from './scheduler.js';
import { GatewayStatusWriter } from './gateway-status-writer.js';
import { StatusWriter } from './status-writer.js';

export interface ControllerOptions {
  store: Store;
  translateOptions: TranslateOptions;
  driver: Pick<HAProxyDriver, 'start' | 'apply'>;
  logger: Logger;
  metrics?: ControllerMetrics;
  publish: PublishSource;
  /** Writes an Ingress status; absent when there is no API to write to (manifest folder). */
  writeStatus?: (ref: ObjectRef, ingress: LoadBalancerIngress[]) => Promise<void>;
  /**
   * Writes Gateway API status; absent when there is no API to write to. `controllerName` is
   * `--gateway-controller-name`: route parent entries with it are ours, and go once no longer reported.
   */
  gatewayStatus?: { write: (write: GatewayStatusWrite) => Promise<void>; controllerName: string };
  recordEvent?: EventSink;
  /** Quiet time after a change before a pass starts, so a burst becomes one pass. */
  debounceMs?: number;
  /** Upper bound on how long a continuous stream of changes can delay a pass. */
  maxDelayMs?: number;
  /** Whether this replica may write status (leader election); defaults to always. */
  isLeader?: () => boolean;
  clock?: Clock;
}

/** Past this many EndpointSlice changes in one pass, a full translation costs no more than a patch. */
const MAX_KEPT_CHANGES = 1000;

export interface LastApply extends ApplyResult {
  at: string;
  storeVersion: number;
}

/**
 * The reconcile loop, and the only place that sequences side effects: store changes go to the
 * scheduler, a pass asks the translator session for a model, hands it to the driver, leaves out
 * what HAProxy rejected (the exclusions ledger) and lets the status writers publish addresses
 * and Gateway API conditions.
 */
export class Controller {
  private started = false;
  /** Changes since the last pass; 'all' once one would need a full translation anyway, so a relist holds no list. */
  private changes: StoreChange[] | 'all' = 'all';
  private readonly scheduler: ReconcileScheduler;
  private readonly session: TranslatorSession;
  private readonly exclusions = new ExclusionLedger();
  private readonly reporter: DiagnosticReporter;
  private readonly status: StatusWriter | undefined;
  private readonly gatewayStatus: GatewayStatusWriter | undefined;
  ready = false;
  model: Model | undefined;
  lastApply: LastApply | undefined;
  diagnostics: readonly Diagnostic[] = [];

  constructor(private readonly options: ControllerOptions) {
    const { store, logger, clock } = options;
    this.reporter = new DiagnosticReporter(logger, options.recordEvent);
    this.scheduler = new ReconcileScheduler(() => this.pass(), { debounceMs: options.debounceMs, maxDelayMs: options.maxDelayMs, clock });
    this.session = new TranslatorSession(options.translateOptions);
    if (options.writeStatus) {
      this.status = new StatusWriter({ write: options.writeStatus, snapshot: () => store.snapshot(), publish: options.publish, logger, isLeader: options.isLeader, clock });
    }
    if (options.gatewayStatus) {
      this.gatewayStatus = new GatewayStatusWriter({ ...options.gatewayStatus, snapshot: () => store.snapshot(), logger, isLeader: options.isLeader, clock });
    }
    store.on('change', (change: StoreChange) => {
      if (change.kind !== 'EndpointSlice' || this.changes === 'all' || this.changes.length >= MAX_KEPT_CHANGES) this.changes = 'all';
      else this.changes.push(change);
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
    this.scheduler.stop();
    this.status?.stop();
    this.gatewayStatus?.stop();
  }

  /** Resolves when no pass is running or pending (for tests, `render` and benchmarks). */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }

  markDirty(): void {
    if (this.options.store.isSynced()) this.scheduler.markDirty();
  }

  private async pass(): Promise<void> {
    const started = process.hrtime.bigint();
    const { store, logger, metrics } = this.options;
    const snapshot = store.snapshot();
    const storeVersion = store.version;
    this.exclusions.forgetStale((kind, key) => store.get(kind, key)?.metadata.resourceVersion);
    const changes = this.changes;
    this.changes = [];
    const { result } = this.session.next(snapshot, changes, this.exclusions.keys());
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
    // Both after apply: Programmed and the addresses are only true once HAProxy serves them.
    await Promise.all([this.status?.update(result.ingresses), this.gatewayStatus?.update(result.gatewayApi)]);
  }

  private handleApplyError(apply: ApplyResult): void {
    const { logger, metrics, store } = this.options;
    const error = apply.error!;
    metrics?.applyErrors.inc({ code: error.code });
    const source = error.source;
    const kind = source?.kind;
    // Ingresses are left out whole; a Service or the ConfigMap only loses its snippets (translate).
    const culprit = kind === 'Ingress' || kind === 'Service' || kind === 'ConfigMap' ? store.get(kind, objectKey(source!)) : undefined;
    if (culprit && this.exclusions.exclude(culprit)) {
      // Leave the offending object out and try again: one bad object must not hold back the rest.
      this.reporter.rejected(culprit, error.message);
      this.scheduler.markDirty();
      return;
    }
    logger.error('HAProxy rejected the configuration; the last good one keeps serving', {
      code: error.code,
      error: error.message,
      source: source ? `${source.kind} ${source.namespace}/${source.name}` : undefined,
      output: error.output,
    });
  }
}

export type { PublishSource };
