/**
 * Convergence without fixed sleeps: poll a probe until a predicate holds, and on timeout fail
 * with the last state the probe saw, so a reader sees what was there instead of what was wanted.
 */
import { sleep } from './system.js';

/** Generous for a loaded 2-core machine; a converging scenario takes 1-6 s (FRR's route-map delay timer is 5 s). */
export const DEFAULT_CONVERGE_TIMEOUT_MS = 30_000;
const DEFAULT_INTERVAL_MS = 150;

export interface PollOptions<T> {
  /** What is awaited, for the message: "router frrt-1-router2 to receive 198.51.100.10/32". */
  readonly what: string;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Renders the last observed state for the timeout message. */
  readonly show?: (last: T) => string;
}

export class ConvergenceTimeout extends Error {
  override readonly name = 'ConvergenceTimeout';
}

/**
 * Calls `probe` until `done(result)` is true and returns that result. A probe that throws
 * (e.g. vtysh while a daemon restarts) counts as "not yet"; its error is shown if it was last.
 */
export async function pollUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, opts: PollOptions<T>): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CONVERGE_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await probe();
      last = { value };
      if (done(value)) return value;
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) break;
    await sleep(opts.intervalMs ?? DEFAULT_INTERVAL_MS);
  }
  let state: string;
  if (last === undefined) state = '(never probed)';
  else if ('error' in last) state = `probe failed: ${last.error instanceof Error ? last.error.message : String(last.error)}`;
  else state = opts.show ? opts.show(last.value) : JSON.stringify(last.value, null, 2);
  throw new ConvergenceTimeout(`timed out after ${timeoutMs} ms waiting for ${opts.what}\n${state}`);
}

/**
 * Checks that `holds(probe())` stays true for `forMs` (for "must NOT happen" assertions, which a
 * poll cannot prove: e.g. a session without ebgp-multihop must not come up). Fails at the first
 * observation where it does not hold.
 */
export async function expectStays<T>(
  probe: () => Promise<T>,
  holds: (value: T) => boolean,
  opts: PollOptions<T> & { readonly forMs: number },
): Promise<void> {
  const deadline = Date.now() + opts.forMs;
  for (;;) {
    const value = await probe();
    if (!holds(value)) {
      const state = opts.show ? opts.show(value) : JSON.stringify(value, null, 2);
      throw new Error(`expected ${opts.what} for ${opts.forMs} ms, but it changed\n${state}`);
    }
    if (Date.now() >= deadline) return;
    await sleep(opts.intervalMs ?? 250);
  }
}
