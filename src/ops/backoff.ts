/**
 * Exponential backoff with "equal jitter": half of each delay is fixed, half random, so retries of
 * many nodes spread out while none comes back at once; never above `maxMs`. The reconciler's apply
 * retries and the Kubernetes watch restarts both use it.
 */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** The delay before retry number `attempt` (1 = the first retry). */
export function backoffDelay(attempt: number, opts: Backoff, random: () => number): number {
  // The exponent is capped so that a long outage never computes 2 ** 1000.
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
