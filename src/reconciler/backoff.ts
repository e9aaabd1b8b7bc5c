/** Exponential backoff with full jitter: retries spread out and never exceed `maxMs`. */
export function backoffDelay(attempt: number, opts: { initialMs: number; maxMs: number }, random: () => number): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
