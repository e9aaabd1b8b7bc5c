/** Issue 14, item 5: one backoff for apply retries and watch restarts, equal jitter as its comment says. */
import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from '../../../src/ops/backoff.js';

const opts = { initialMs: 1_000, maxMs: 8_000 };

describe('backoffDelay (equal jitter)', () => {
  it('is half fixed, half random: between ceiling/2 and the ceiling, which doubles per attempt', () => {
    expect([1, 2, 3].map((a) => [backoffDelay(a, opts, () => 0), backoffDelay(a, opts, () => 1)])).toEqual([
      [500, 1_000],
      [1_000, 2_000],
      [2_000, 4_000],
    ]);
  });

  it('never exceeds maxMs, even after a very long outage', () => {
    expect(backoffDelay(5, opts, () => 1)).toBe(8_000);
    expect(backoffDelay(10_000, opts, () => 1)).toBe(8_000);
    expect(backoffDelay(10_000, opts, () => 0)).toBe(4_000);
  });
});
