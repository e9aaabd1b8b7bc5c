/**
 * frr-reload.py: what would change (`--test`) and applying a file (`--reload`) until FRR's
 * running config matches it.
 */
import {
  DEFAULT_RELOAD_SCRIPT,
  DEFAULT_RELOAD_TIMEOUT_MS,
  reloadPathspaceArgs,
  type FrrContext,
} from './context.js';
import { redactPasswords } from './redact.js';
import { FrrCommandError, runChecked } from './run.js';

/**
 * What frr-reload.py would change, as it prints it: each command with its context lines
 * (`router bgp 64512`, ` no neighbor 192.0.2.1 bfd`), indentation kept, passwords redacted.
 */
export interface ConfigDelta {
  readonly toDelete: readonly string[];
  readonly toAdd: readonly string[];
}

export function isEmptyDelta(delta: ConfigDelta): boolean {
  return delta.toDelete.length === 0 && delta.toAdd.length === 0;
}

const DELETE_HEADER = 'Lines To Delete';
const ADD_HEADER = 'Lines To Add';

/**
 * Parses `frr-reload.py --test` stdout. Each section is a title line, a `====` underline and the
 * commands; a section is missing when it would be empty. Log lines go to stderr, not here.
 */
export function parseReloadTestOutput(stdout: string): ConfigDelta {
  const toDelete: string[] = [];
  const toAdd: string[] = [];
  let current: string[] | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.trimEnd();
    if (line === DELETE_HEADER) current = toDelete;
    else if (line === ADD_HEADER) current = toAdd;
    else if (line === '' || /^=+$/.test(line)) continue;
    else if (current !== undefined) current.push(redactPasswords(line));
  }
  return { toDelete, toAdd };
}

/** `frr-reload.py --test FILE`: the delta between FILE and the running config, changing nothing. */
export async function testReload(frr: FrrContext, file: string): Promise<ConfigDelta> {
  const { stdout } = await runChecked(
    frr.run,
    frr.reloadScript ?? DEFAULT_RELOAD_SCRIPT,
    ['--test', ...reloadPathspaceArgs(frr), file],
    { timeoutMs: frr.reloadTimeoutMs ?? DEFAULT_RELOAD_TIMEOUT_MS },
  );
  return parseReloadTestOutput(stdout);
}

/** `frr-reload.py --reload FILE`, once. Exit 1 (a line was rejected) becomes an `FrrCommandError`. */
export async function reloadOnce(frr: FrrContext, file: string): Promise<void> {
  await runChecked(frr.run, frr.reloadScript ?? DEFAULT_RELOAD_SCRIPT, ['--reload', ...reloadPathspaceArgs(frr), file], {
    timeoutMs: frr.reloadTimeoutMs ?? DEFAULT_RELOAD_TIMEOUT_MS,
  });
}

export interface ApplyResult {
  /** How many `--reload` runs it took (1 when FRR did everything the first time). */
  readonly passes: number;
  /** What `--test` still reports after the last pass; empty when `converged`. */
  readonly remaining: ConfigDelta;
  readonly converged: boolean;
  /**
   * `--reload` runs that exited non-zero although the verification then found FRR where it
   * should be (redacted messages). FRR 8.4.4 example: frr-reload.py's second internal pass sends
   * `neighbor X graceful-restart` again and bgpd refuses the repeat, so the script exits 1.
   */
  readonly reloadErrors: readonly string[];
}

export interface ApplyOptions {
  /** Upper bound on `--reload` runs; default 3. */
  readonly maxPasses?: number;
}

const DEFAULT_MAX_PASSES = 3;

/**
 * Applies FILE and verifies it: reload, then `--test`; while something is left, reload again.
 *
 * Why more than one pass: frr-reload.py computes all its commands from one diff, and FRR does
 * not always end where the diff says. Measured on FRR 8.4.4: removing both `neighbor X bfd` and
 * `neighbor X bfd profile P` in one reload leaves `neighbor X bfd` behind; a second reload removes
 * it. The bound keeps a line FRR never accepts (a canonical-form mismatch) from looping forever:
 * such a line is reported in `remaining` instead.
 */
export async function applyConfig(frr: FrrContext, file: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const maxPasses = opts.maxPasses ?? DEFAULT_MAX_PASSES;
  if (!Number.isInteger(maxPasses) || maxPasses < 1) {
    throw new RangeError(`maxPasses must be a positive integer, got ${String(maxPasses)}`);
  }
  let remaining: ConfigDelta = { toDelete: [], toAdd: [] };
  const reloadErrors: string[] = [];
  let lastError: FrrCommandError | undefined;
  for (let pass = 1; pass <= maxPasses; pass++) {
    lastError = undefined;
    try {
      await reloadOnce(frr, file);
    } catch (err) {
      // A non-zero exit is checked, not trusted either way: the verification below decides.
      // No exit code (not started, timed out, killed) means we know nothing: give up now.
      if (!(err instanceof FrrCommandError) || err.exitCode === undefined) throw err;
      lastError = err;
      reloadErrors.push(err.message);
    }
    remaining = await testReload(frr, file);
    if (isEmptyDelta(remaining)) return { passes: pass, remaining, converged: true, reloadErrors };
  }
  if (lastError) throw lastError;
  return { passes: maxPasses, remaining, converged: false, reloadErrors };
}
