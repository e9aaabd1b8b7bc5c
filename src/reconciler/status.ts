import { describeFrrAfter, frrRunsVerified, type ApplyStage, type FrrAfterFailure } from '../frr/apply-error.js';
import type { ApplyPath } from '../frr/frr-target.js';

/** What the reconciler last did: read by /readyz, /status and the status writers. */
export interface ReconcilerStatus {
  /** Every source listed once. */
  readonly synced: boolean;
  /** The last render: valid or not, with the problems (one line each). */
  readonly conversion:
    | { readonly at: number; readonly valid: boolean; readonly errors: readonly string[]; readonly warnings: readonly string[] }
    | undefined;
  /** The last apply attempt. `adopted`: FRR already ran the config, nothing was reloaded. */
  readonly apply:
    | {
        readonly at: number;
        readonly result: 'success' | 'adopted' | 'failure';
        readonly passes: number;
        readonly description: string;
        /** How a success reached FRR: `fast` (vtysh session, targeted verification), `cold`, `reload` (frr-reload.py), `file`. */
        readonly path?: ApplyPath;
        readonly stage?: ApplyStage;
        readonly details?: readonly string[];
        /** After a failure: what FRR runs (verified or not), and why a rollback failed. */
        readonly frr?: FrrAfterFailure;
        readonly rollbackError?: string;
      }
    | undefined;
  /** When FRR last started running a config of ours. */
  readonly appliedAt: number | undefined;
  /**
   * The FRR release the config is rendered for: `from` `frr` once FRR reported it (`show version`),
   * `flag` while it is still `--frr-version` (or its default). `formsOf` differs from `release`
   * for an untested release, and `note` then says so.
   */
  readonly frr: { readonly release: string; readonly from: 'frr' | 'flag'; readonly formsOf: string; readonly tested: boolean; readonly note?: string };
}

/**
 * Ready = synced, and FRR runs a config of ours, verified (possibly older than the newest, if that
 * one failed and FRR was left as it was or rolled back).
 */
export function isReady(s: ReconcilerStatus): { ready: boolean; reason: string } {
  if (!s.synced) return { ready: false, reason: 'waiting for the first full listing of the sources' };
  const after = failedApplyOutcome(s);
  if (after !== undefined && !frrRunsVerified(after.frr)) return { ready: false, reason: `apply failed: ${s.apply!.description}; ${after.text}` };
  if (s.appliedAt === undefined) {
    if (s.conversion && !s.conversion.valid) return { ready: false, reason: `configuration invalid: ${s.conversion.errors[0] ?? ''}` };
    if (s.apply?.result === 'failure') return { ready: false, reason: `apply failed: ${s.apply.description}` };
    return { ready: false, reason: 'no config applied yet' };
  }
  return { ready: true, reason: 'ok' };
}

/**
 * After a failed apply: what FRR runs, as a value and in words; undefined when the last apply did
 * not fail, or the failure does not say (then nothing is claimed about FRR).
 */
export function failedApplyOutcome(s: Pick<ReconcilerStatus, 'apply'>): { readonly frr: FrrAfterFailure; readonly text: string } | undefined {
  const a = s.apply;
  if (a === undefined || a.result !== 'failure' || a.frr === undefined) return undefined;
  return { frr: a.frr, text: describeFrrAfter(a.frr, a.rollbackError) };
}
