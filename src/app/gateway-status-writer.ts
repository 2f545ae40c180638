/**
 * Writes Gateway API status as `status/gateway` plans it, after each applied pass. A failed write
 * (a 409 because the object moved on, or the API being away) is retried on its own timer, planned
 * again from the store as it is then, so it never writes conditions for an outdated generation.
 */
import { planGatewayStatus, type GatewayStatusWrite } from '../status/gateway.js';
import type { Snapshot } from '../store/types.js';
import type { GatewayApiReport } from '../translate/gateway-report.js';
import type { Logger } from './logger.js';
import { systemClock, type Clock } from './scheduler.js';

export interface GatewayStatusWriterOptions {
  write: (write: GatewayStatusWrite) => Promise<void>;
  snapshot: () => Snapshot;
  /** `--gateway-controller-name`: whose route parent entries are ours when a pass reports none. */
  controllerName: string;
  logger: Logger;
  /** Whether this replica may write (leader election); defaults to always. */
  isLeader?: () => boolean;
  retryMs?: number;
  clock?: Clock;
}

export class GatewayStatusWriter {
  private report: GatewayApiReport;
  private retry: unknown;
  private stopped = false;
  private readonly clock: Clock;

  constructor(private readonly options: GatewayStatusWriterOptions) {
    this.clock = options.clock ?? systemClock;
    this.report = emptyReport(options.controllerName);
  }

  /**
   * Brings status in line with `report` (absent when no Gateway API object is ours: then our
   * entries still on routes are removed). Resolves with the number of writes that succeeded.
   */
  async update(report: GatewayApiReport | undefined): Promise<number> {
    this.report = report ?? emptyReport(this.options.controllerName);
    const { write, isLeader, logger, snapshot } = this.options;
    if (this.stopped || (isLeader && !isLeader())) return 0;
    const writes = planGatewayStatus(snapshot(), this.report, new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const results = await Promise.all(
      writes.map(async (w) => {
        try {
          await write(w);
          return true;
        } catch (err) {
          const object = `${w.ref.kind} ${w.ref.namespace ? `${w.ref.namespace}/` : ''}${w.ref.name}`;
          // A conflict only means the watch has not caught up yet; the retry plans from the newer object.
          if ((err as { code?: number }).code === 409) logger.debug('Gateway API status write raced a change; will plan again', { object });
          else logger.warn('writing Gateway API status failed; will retry', { code: 'PCL_ERR_GATEWAY_STATUS_UPDATE', object, err });
          return false;
        }
      }),
    );
    if (results.includes(false) && this.retry === undefined && !this.stopped) {
      this.retry = this.clock.setTimeout(() => {
        this.retry = undefined;
        void this.update(this.report);
      }, this.options.retryMs ?? 2000);
    }
    return results.filter(Boolean).length;
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.retry);
  }
}

function emptyReport(controllerName: string): GatewayApiReport {
  return { controllerName, gatewayClasses: [], gateways: [], routes: [] };
}
