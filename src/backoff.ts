/**
 * Exponential backoff, the one used everywhere something is retried after a failure (a watch
 * restarted, HAProxy restarted, a status write retried): the delay doubles from `minMs` up to
 * `maxMs`, and `reset()` after a success starts again from the shortest.
 */
export class Backoff {
  private current: number;

  constructor(
    readonly minMs: number,
    readonly maxMs: number,
  ) {
    if (!(minMs > 0 && maxMs >= minMs)) throw new RangeError(`backoff needs 0 < min <= max (got ${minMs}, ${maxMs})`);
    this.current = minMs;
  }

  /** The delay before the next attempt; each call doubles the one after it. */
  next(): number {
    const delay = this.current;
    this.current = Math.min(this.current * 2, this.maxMs);
    return delay;
  }

  reset(): void {
    this.current = this.minMs;
  }
}
