/**
 * When reconcile passes run: level-triggered, one at a time.
 *
 * A change only marks the state dirty. After `debounceMs` of quiet a pass starts, so a burst
 * becomes one pass; a steady stream of changes delays it by at most `maxDelayMs` from the first
 * change. Passes never overlap: changes that arrive during a pass cause exactly one more after it.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SchedulerOptions {
  debounceMs?: number;
  maxDelayMs?: number;
  clock?: Clock;
}

export class ReconcileScheduler {
  private dirty = false;
  private running = false;
  private stopped = false;
  private firstDirtyAt = 0;
  private timer: unknown;
  private idleWaiters: (() => void)[] = [];
  private readonly debounceMs: number;
  private readonly maxDelayMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly pass: () => Promise<void>,
    options: SchedulerOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 100;
    this.clock = options.clock ?? systemClock;
  }

  /** Asks for a pass: after the debounce, or right after the running one. */
  markDirty(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    if (!this.dirty) this.firstDirtyAt = now;
    this.dirty = true;
    if (this.running) return;
    this.clock.clearTimeout(this.timer);
    const waitLeft = Math.max(0, this.maxDelayMs - (now - this.firstDirtyAt));
    this.timer = this.clock.setTimeout(() => void this.loop(), Math.min(this.debounceMs, waitLeft));
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Resolves when no pass is running or pending. */
  idle(): Promise<void> {
    if (this.stopped || (!this.running && !this.dirty)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
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
      if (this.dirty && !this.stopped) this.markDirty();
      else for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
