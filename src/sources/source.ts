/**
 * Where the objects come from: Kubernetes informers (`k8s`) or a watched folder (`dir:PATH`).
 * Both give the reconciler the same thing: the current set of raw objects, and a signal when it
 * changed. The reconciler decodes and validates them (`api/`), so a source never judges content.
 */
import type { RawObject } from '../api/decode.js';
import type { Problem } from '../api/problems.js';

export interface SourceState {
  /** Every object currently known, in no particular order (the pipeline sorts). */
  readonly objects: readonly RawObject[];
  /** Problems reading the input itself (a half-written YAML file), not about its content. */
  readonly problems: readonly Problem[];
  /** False until the first full listing is in: the reconciler never renders a partial cluster. */
  readonly synced: boolean;
}

/** Lifecycle events, for logs and metrics. */
export type SourceEvent =
  | { readonly type: 'synced'; readonly resource: string }
  | { readonly type: 'relist'; readonly resource: string; readonly reason: string }
  | { readonly type: 'restart'; readonly resource: string; readonly error: string; readonly delayMs: number }
  | { readonly type: 'error'; readonly resource: string; readonly error: string };

export interface Source {
  /** Starts watching. `onChange` is called (possibly in bursts) whenever `state()` may differ. */
  start(onChange: () => void, onEvent?: (e: SourceEvent) => void): Promise<void>;
  state(): SourceState;
  stop(): Promise<void>;
}
