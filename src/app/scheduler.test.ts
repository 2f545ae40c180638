import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReconcileScheduler, type Clock } from './scheduler.js';

/** A clock that moves only when told; timers fire in time order as it passes them. */
class ManualClock implements Clock {
  private time = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Advances by `ms`, firing due timers and letting the passes they start settle. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(options: { debounceMs?: number; maxDelayMs?: number } = {}, work?: (n: number) => Promise<void>) {
  const clock = new ManualClock();
  const passes: number[] = [];
  const scheduler = new ReconcileScheduler(async () => {
    passes.push(clock.now());
    await work?.(passes.length);
  }, { ...options, clock });
  return { clock, passes, scheduler };
}

describe('ReconcileScheduler', () => {
  test('a pass starts after the debounce, not before', async () => {
    const { clock, passes, scheduler } = setup({ debounceMs: 10 });
    scheduler.markDirty();
    await clock.advance(9);
    assert.deepEqual(passes, []);
    await clock.advance(1);
    assert.deepEqual(passes, [10]);
  });

  test('a burst of changes becomes one pass', async () => {
    const { clock, passes, scheduler } = setup({ debounceMs: 10, maxDelayMs: 1000 });
    for (let i = 0; i < 5; i++) {
      scheduler.markDirty();
      await clock.advance(3);
    }
    await clock.advance(20);
    assert.deepEqual(passes, [22]);
  });

  test('a steady stream of changes delays a pass by at most maxDelayMs', async () => {
    const { clock, passes, scheduler } = setup({ debounceMs: 10, maxDelayMs: 30 });
    for (let i = 0; i < 20; i++) {
      scheduler.markDirty();
      await clock.advance(5);
    }
    assert.equal(passes[0], 30);
    assert.ok(passes.length >= 3, `passes at ${passes.join(', ')}`);
  });

  test('changes during a pass cause exactly one more pass, never an overlapping one', async () => {
    let release!: () => void;
    let running = 0;
    let maxRunning = 0;
    const { clock, passes, scheduler } = setup({ debounceMs: 5 }, async (n) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (n === 1) await new Promise<void>((resolve) => (release = resolve));
      running--;
    });
    scheduler.markDirty();
    await clock.advance(5);
    assert.equal(passes.length, 1);
    scheduler.markDirty();
    scheduler.markDirty();
    scheduler.markDirty();
    await clock.advance(50);
    assert.equal(passes.length, 1, 'the second pass waits for the first');
    release();
    await clock.advance(0);
    assert.equal(passes.length, 2);
    assert.equal(maxRunning, 1);
    await clock.advance(100);
    assert.equal(passes.length, 2);
  });

  test('idle() resolves once nothing is running or pending', async () => {
    const { clock, passes, scheduler } = setup({ debounceMs: 5 });
    let idle = false;
    scheduler.markDirty();
    void scheduler.idle().then(() => (idle = true));
    await settle();
    assert.equal(idle, false);
    await clock.advance(5);
    assert.equal(idle, true);
    assert.equal(passes.length, 1);
    let again = false;
    await scheduler.idle().then(() => (again = true));
    assert.equal(again, true);
  });

  test('after stop() nothing runs, and waiters are released', async () => {
    const { clock, passes, scheduler } = setup({ debounceMs: 5 });
    scheduler.markDirty();
    const waiting = scheduler.idle();
    scheduler.stop();
    await waiting;
    scheduler.markDirty();
    await clock.advance(100);
    assert.deepEqual(passes, []);
  });
});
