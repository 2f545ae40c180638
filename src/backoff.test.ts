import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from './backoff.js';

test('doubles from the shortest delay up to the longest, and starts again after reset()', () => {
  const backoff = new Backoff(100, 1000);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => backoff.next()), [100, 200, 400, 800, 1000, 1000]);
  backoff.reset();
  assert.equal(backoff.next(), 100);
});

test('refuses bounds that make no sense', () => {
  assert.throws(() => new Backoff(0, 10), RangeError);
  assert.throws(() => new Backoff(10, 5), RangeError);
});
