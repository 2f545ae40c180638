/**
 * Writes Ingress status as `status` plans it, and retries on its own when a write fails: the
 * retry plans again from the store as it is then, so it never writes an outdated address.
 */
import { planStatusUpdates, publishedAddresses, type PublishSource } from '../status/status.js';
import type { LoadBalancerIngress, ObjectRef, Snapshot } from '../store/types.js';
import type { Logger } from './logger.js';
import { systemClock, type Clock } from './scheduler.js';

export interface StatusWriterOptions {
  write: (ref: ObjectRef, ingress: LoadBalancerIngress[]) => Promise<void>;
  snapshot: () => Snapshot;
  publish: PublishSource;
  logger: Logger;
  /** Whether this replica may write (leader election); defaults to always. */
  isLeader?: () => boolean;
  retryMs?: number;
  clock?: Clock;
}

export class StatusWriter {
  private ours: readonly ObjectRef[] = [];
  private retry: unknown;
  private stopped = false;
  private readonly clock: Clock;

  constructor(private readonly options: StatusWriterOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Brings the status of `ours` (the Ingresses now served) in line with the published address. */
  async update(ours: readonly ObjectRef[]): Promise<void> {
    this.ours = ours;
    const { write, isLeader, logger, publish, snapshot } = this.options;
    if (this.stopped || (isLeader && !isLeader())) return;
    const current = snapshot();
    const updates = planStatusUpdates(current, ours, publishedAddresses(publish, current));
    const failures = await Promise.all(
      updates.map(async (u) => {
        try {
          await write(u.ref, u.ingress);
          return false;
        } catch (err) {
          logger.warn('writing Ingress status failed; will retry', { code: 'PCL_ERR_STATUS_UPDATE', ingress: `${u.ref.namespace}/${u.ref.name}`, err });
          return true;
        }
      }),
    );
    if (failures.includes(true) && this.retry === undefined && !this.stopped) {
      this.retry = this.clock.setTimeout(() => {
        this.retry = undefined;
        void this.update(this.ours);
      }, this.options.retryMs ?? 2000);
    }
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.retry);
  }
}
