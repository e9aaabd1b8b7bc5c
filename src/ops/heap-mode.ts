/**
 * How the sidecar's V8 heap trades memory for speed (`run --heap small|balanced|fast`).
 *
 * Why: the sidecar's peak RSS is mostly garbage, not live data. At 10,000 services x 8 peers the
 * live heap is ~80-130 MiB, but each change (render, status diff, a relist's pages) allocates tens
 * of MiB that outlive V8's young generation; with its default heuristics (`fast`) V8 lets the old
 * generation grow up to several times its live size before a full collection when the sidecar
 * allocates fast, and the peak RSS measured 362-444 MiB.
 * - `balanced`, the default: `--heap-growing-percent=50`, the old generation may grow by half
 *   its size after a collection, no more: 241-248 MiB in three runs paired with `fast` on a
 *   2-core machine (2026-12-02), with the start and one added Service as fast (start to first
 *   apply 4.2-6.1 s vs 5.1-6.2 s, +1 Service 0.78-1.07 s vs 0.64-1.14 s); a relist after 410
 *   Gone 3.1-4.2 s vs 2.4-3.6 s. Memory is what a DaemonSet's limit is set by.
 * - `small`: `--optimize-for-size` also compacts harder and favours small code: 202-215 MiB,
 *   for changes up to twice as slow at that size (+1 Service 1.2-4.1 s).
 *
 * Set at run time because Node refuses `--optimize-for-size` in NODE_OPTIONS; V8 reads it when
 * it sizes the heap after each collection, so setting it before the sidecar's first allocations of
 * any size is enough (the process is a few MiB of heap then).
 */
export const HEAP_MODES = ['small', 'balanced', 'fast'] as const;
export type HeapMode = (typeof HEAP_MODES)[number];
export const DEFAULT_HEAP_MODE: HeapMode = 'balanced';

/** The V8 flags of each mode. */
export const HEAP_MODE_FLAGS: Readonly<Record<HeapMode, readonly string[]>> = {
  small: ['--optimize-for-size'],
  balanced: ['--heap-growing-percent=50'],
  fast: [],
};

/** Applies `mode` through `setFlags` (the process's `v8.setFlagsFromString`). */
export function applyHeapMode(mode: HeapMode, setFlags: (flags: string) => void): void {
  for (const flag of HEAP_MODE_FLAGS[mode]) setFlags(flag);
}
