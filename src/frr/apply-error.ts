/**
 * How an apply failed, and what FRR runs afterwards: the two facts status reports about a failed
 * apply (`ConfigurationState`, `FRRNodeState`, `explain`, `/readyz`), so neither is guessed.
 */
import { OutputWriteError } from '../ops/write-file.js';
import type { ConfigFiles } from './write-file.js';

/**
 * Where an apply stopped: `syntax` (vtysh -C refused the file), `write` (a file could not be
 * written: full disk, read-only file system...), `rejected` (a daemon refused lines while loading),
 * `reload` (frr-reload.py or vtysh failed to run, or timed out), `verify` (FRR still differs from
 * the rendered bytes).
 */
export type ApplyStage = 'syntax' | 'write' | 'rejected' | 'reload' | 'verify';

/**
 * What FRR runs after the failure, as far as it was verified:
 * - `untouched`: the apply stopped before FRR was asked to load anything; FRR runs what it ran;
 * - `rolledBack`: FRR was changed, then reloaded to the last good config, verified;
 * - `rollbackFailed`: the rollback failed too: what FRR runs is not known;
 * - `noRollback`: FRR was changed and there was no last good config to go back to (the first
 *   apply): FRR may run part of the new config.
 */
export type FrrAfterFailure = 'untouched' | 'rolledBack' | 'rollbackFailed' | 'noRollback';

/** FRR runs a config that was verified (ours, or the one it had): nothing about it is unknown. */
export function frrRunsVerified(after: FrrAfterFailure): boolean {
  return after === 'untouched' || after === 'rolledBack';
}

/** What FRR runs after a failed apply, in words, for logs and status (the rollback's error is redacted by its maker). */
export function describeFrrAfter(after: FrrAfterFailure, rollbackError?: string): string {
  switch (after) {
    case 'untouched':
      return 'FRR was not changed: it runs the config it ran before';
    case 'rolledBack':
      return 'rolled back: FRR runs the last good config (verified)';
    case 'rollbackFailed':
      return `the rollback to the last good config failed too (${rollbackError ?? 'no detail'}): what FRR runs is not known`;
    case 'noRollback':
      return 'FRR may run part of this config: there is no earlier good config to roll back to';
  }
}

/** Why an apply failed, at which step, and what FRR runs now; messages are password-redacted. */
export class ApplyError extends Error {
  override readonly name = 'ApplyError';
  constructor(
    readonly stage: ApplyStage,
    message: string,
    /** Lines FRR still differs on (verify), refused lines (rejected), or vtysh's complaints (syntax). */
    readonly details: readonly string[] = [],
    options: { readonly cause?: unknown; readonly frr?: FrrAfterFailure; readonly rollbackError?: string; readonly frrAway?: readonly string[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.frr = options.frr ?? 'untouched';
    if (options.rollbackError !== undefined) this.rollbackError = options.rollbackError;
    if (options.frrAway !== undefined && options.frrAway.length > 0) this.frrAway = options.frrAway;
  }

  /** What FRR runs after the failure (`untouched` until the apply says otherwise). */
  readonly frr: FrrAfterFailure;
  /** Why the rollback failed, when `frr` is `rollbackFailed`. */
  readonly rollbackError?: string;
  /**
   * The daemons the config needs that were away during the apply: not answering when it started,
   * or restarted (watchfrr) while it ran. The failure is FRR being away, not FRR refusing: the
   * retry is due as soon as they answer, not at the end of a backoff. Undefined otherwise.
   */
  readonly frrAway?: readonly string[];

  /** The same failure, with what FRR runs after it. */
  after(frr: FrrAfterFailure, rollbackError?: string): ApplyError {
    return this.copy(frr, rollbackError, this.frrAway);
  }

  /** The same failure, caused by `daemons` being away (see `frrAway`). */
  away(daemons: readonly string[]): ApplyError {
    return this.copy(this.frr, this.rollbackError, daemons);
  }

  private copy(frr: FrrAfterFailure, rollbackError: string | undefined, frrAway: readonly string[] | undefined): ApplyError {
    return new ApplyError(this.stage, this.message, this.details, {
      cause: this.cause,
      frr,
      ...(rollbackError === undefined ? {} : { rollbackError }),
      ...(frrAway === undefined ? {} : { frrAway }),
    });
  }
}

/** Any failure as an ApplyError: one that is not one already failed to run a program (`reload`). */
export function asApplyError(err: unknown): ApplyError {
  if (err instanceof ApplyError) return err;
  return new ApplyError('reload', String((err as Error)?.message ?? err), [], { cause: err });
}

/** Writes a file of the apply; a failure is the `write` stage (a full disk is not "FRR down"). */
export async function writeStage(files: ConfigFiles, path: string, text: string): Promise<void> {
  try {
    await files.write(path, text);
  } catch (err) {
    const message = err instanceof OutputWriteError ? err.message : `cannot write ${path}: ${String((err as Error)?.message ?? err)}`;
    throw new ApplyError('write', message, [], { cause: err });
  }
}
