/**
 * How the sidecar's V8 heap trades memory for speed (`run --heap small|fast`).
 *
 * Why: the sidecar's peak RSS is mostly garbage, not live data. At 10,000 services x 8 peers the
 * live heap is ~80-130 MiB, but each change (render, status diff, a relist's pages) allocates tens
 * of MiB that outlive V8's young generation; with its default heuristics V8 lets the old
 * generation grow to about twice its live size before a full collection, and the peak RSS
 * measured 394-444 MiB. `--optimize-for-size` makes V8 collect the old generation at a smaller
 * growth and compact it harder: 202-215 MiB in the same benchmark, for slower changes at that
 * size (one added Service to applied 2.1-4.1 s instead of 1.3-1.4 s in paired runs on a 2-core
 * machine: V8 collects a ~150 MiB heap more often). `fast` keeps V8's defaults and is the
 * default: it is what every earlier measurement and soak of the sidecar ran.
 *
 * Set at run time because Node refuses `--optimize-for-size` in NODE_OPTIONS; V8 reads it when
 * it sizes the heap after each collection, so setting it before the sidecar's first allocations of
 * any size is enough (the process is a few MiB of heap then).
 */
export const HEAP_MODES = ['small', 'fast'] as const;
export type HeapMode = (typeof HEAP_MODES)[number];
export const DEFAULT_HEAP_MODE: HeapMode = 'fast';

/** The V8 flags of each mode. */
export const HEAP_MODE_FLAGS: Readonly<Record<HeapMode, readonly string[]>> = {
  small: ['--optimize-for-size'],
  fast: [],
};

/** Applies `mode` through `setFlags` (the process's `v8.setFlagsFromString`). */
export function applyHeapMode(mode: HeapMode, setFlags: (flags: string) => void): void {
  for (const flag of HEAP_MODE_FLAGS[mode]) setFlags(flag);
}
