/**
 * frr-reload.py: what would change (`--test`) and applying a file (`--reload`) until FRR's
 * running config matches the rendered bytes.
 */
import {
  DEFAULT_RELOAD_SCRIPT,
  DEFAULT_RELOAD_TIMEOUT_MS,
  DEFAULT_VTYSH,
  DEFAULT_VTYSH_TIMEOUT_MS,
  reloadPathspaceArgs,
  vtyshPathspaceArgs,
  type FrrContext,
} from './context.js';
import { redactPasswords } from './redact.js';
import { parseRejectedLines, type RejectedLine } from './rejected-lines.js';
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

/** The delta as `- line` / `+ line`, passwords redacted: fit for a log line or an error. */
export function deltaLines(delta: ConfigDelta): readonly string[] {
  return [...delta.toDelete.map((l) => `- ${l}`), ...delta.toAdd.map((l) => `+ ${l}`)].map(redactPasswords);
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

/** What one `frr-reload.py --reload` run did. */
export interface ReloadRun {
  readonly exitCode: number;
  /** Lines FRR's daemons refused during the run (parsed from vtysh's output). */
  readonly rejected: readonly RejectedLine[];
  /** The run's own complaint when it exited non-zero (redacted). */
  readonly error: FrrCommandError | undefined;
}

/**
 * `frr-reload.py --reload FILE`, once. Resolves with the exit code and the refused lines; rejects
 * only when no exit code exists (not started, timed out, killed).
 *
 * `confdir`: passed as `--confdir`. frr-reload.py ends a reload with `vtysh write` (FRR writes its
 * running config over its frr.conf, the old one moved to frr.conf.sav) unless FILE is
 * `<confdir>/frr.conf`; give the folder of FILE to keep that from happening.
 */
export async function reloadOnce(frr: FrrContext, file: string, confdir?: string): Promise<ReloadRun> {
  const script = frr.reloadScript ?? DEFAULT_RELOAD_SCRIPT;
  const args = ['--reload', ...reloadPathspaceArgs(frr), ...(confdir === undefined ? [] : ['--confdir', confdir]), file];
  const result = await frr.run(script, args, { timeoutMs: frr.reloadTimeoutMs ?? DEFAULT_RELOAD_TIMEOUT_MS });
  const error =
    result.exitCode === 0
      ? undefined
      : new FrrCommandError({ file: script, args, reason: `exit ${result.exitCode}`, exitCode: result.exitCode, stderr: result.stderr, stdout: result.stdout });
  return { exitCode: result.exitCode, rejected: parseRejectedLines(result.stdout, result.stderr), error };
}

/** Which files an apply uses; see `applyConfig`. */
export interface ApplyFiles {
  /** Given to `--reload`. */
  readonly reload: string;
  /** Given to `--test` to verify: the rendered bytes, in a file FRR never writes. */
  readonly verify: string;
  /** `--confdir` for the reload (see `reloadOnce`). */
  readonly confdir?: string;
}

export interface ApplyResult {
  /** How many `--reload` runs it took (1 when FRR did everything the first time). */
  readonly passes: number;
  /** What `--test` still reports after the last pass; empty when `converged`. */
  readonly remaining: ConfigDelta;
  readonly converged: boolean;
  /**
   * Lines FRR's daemons refused in the last pass. When not `converged`, the apply failed because of
   * them: a refused line is refused again, so no further pass is made.
   */
  readonly rejected: readonly RejectedLine[];
  /**
   * `--reload` runs that exited non-zero although the verification then found FRR where it
   * should be (redacted messages). FRR 8.4.4 example: frr-reload.py's second internal pass sends
   * `neighbor X graceful-restart` again and bgpd refuses the repeat, so the script exits 1.
   */
  readonly reloadErrors: readonly string[];
}

/**
 * The defaults of the BFD lines FRR 8.4.4's bfdd has no `no` form of (`% Unknown command` for
 * `no transmit-interval [N]`, `no receive-interval [N]`, `no detect-multiplier [N]` in a profile or
 * peer). frr-reload.py deletes such a line with `no ...`, which 8.4 refuses without the script
 * reporting it, so a profile whose value goes back to the default kept the old one. Setting the
 * default instead works: FRR then hides the line, as the rendered config does.
 */
const BFD_DEFAULTS: Readonly<Record<string, string>> = { 'transmit-interval': '300', 'receive-interval': '300', 'detect-multiplier': '3' };

/**
 * When everything `--test` still lists is the deletion of such BFD lines (FRR 8.4.4), the
 * configure sessions that set their defaults instead, one per line, each with its context
 * (`bfd`, ` profile slow`); undefined when anything else is left (nothing is sent then).
 */
export function bfdDefaultsFor(remaining: ConfigDelta): string[][] | undefined {
  if (remaining.toAdd.length > 0 || remaining.toDelete.length === 0) return undefined;
  const sessions: string[][] = [];
  let context: string[] = [];
  for (const raw of remaining.toDelete) {
    const depth = raw.length - raw.trimStart().length;
    const line = raw.trim();
    const no = /^no (transmit-interval|receive-interval|detect-multiplier)(?: \d+)?$/.exec(line);
    if (no === null) {
      if (line.startsWith('no ')) return undefined;
      context = [...context.slice(0, depth), line];
      continue;
    }
    if (context[0] !== 'bfd' || context.length !== 2 || !/^(profile|peer) /.test(context[1] ?? '')) return undefined;
    sessions.push([...context, `${no[1]} ${BFD_DEFAULTS[no[1]!]}`]);
  }
  return sessions.length > 0 ? sessions : undefined;
}

async function setBfdDefaults(frr: FrrContext, sessions: readonly (readonly string[])[]): Promise<void> {
  for (const lines of sessions) {
    await runChecked(
      frr.run,
      frr.vtysh ?? DEFAULT_VTYSH,
      [...vtyshPathspaceArgs(frr), '-c', 'configure terminal', ...lines.flatMap((l) => ['-c', l])],
      { timeoutMs: frr.vtyshTimeoutMs ?? DEFAULT_VTYSH_TIMEOUT_MS },
    );
  }
}

export interface ApplyOptions {
  /** Upper bound on `--reload` runs; default 3. */
  readonly maxPasses?: number;
  /** The part of `--test`'s delta that counts (default: all of it); e.g. without an operator's debug switches. */
  readonly relevant?: (delta: ConfigDelta) => ConfigDelta;
  /**
   * Called each time FRR was just changed (after each `--reload`, after BFD defaults were set),
   * before the verification that follows: reads of what FRR now runs can go beside `--test`. Only
   * the last call's view stands when FRR converged.
   */
  readonly onChanged?: () => void;
}

const DEFAULT_MAX_PASSES = 3;

/**
 * Applies a file and verifies it: reload, then `--test` against the rendered bytes; while
 * something is left, reload again.
 *
 * Why more than one pass: frr-reload.py computes all its commands from one diff, and FRR does
 * not always end where the diff says. Measured on FRR 8.4.4 and 10.3: removing both `neighbor X
 * bfd` and `neighbor X bfd profile P` in one reload leaves something behind that a second reload
 * removes. The bound keeps a line FRR never accepts from looping forever: such a line is reported
 * in `remaining`, and a line a daemon refused ends the attempt at once (`rejected`).
 *
 * A refused line is not always a failure: the verification decides. FRR 8.4.4 refuses a repeated
 * `neighbor X graceful-restart` that is already in force; the running config then equals the
 * file, and the refusal is only noted (`reloadErrors`).
 */
export async function applyConfig(frr: FrrContext, files: ApplyFiles | string, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const { reload, verify, confdir } = typeof files === 'string' ? { reload: files, verify: files, confdir: undefined } : files;
  const maxPasses = opts.maxPasses ?? DEFAULT_MAX_PASSES;
  const relevant = opts.relevant ?? ((delta: ConfigDelta) => delta);
  if (!Number.isInteger(maxPasses) || maxPasses < 1) {
    throw new RangeError(`maxPasses must be a positive integer, got ${String(maxPasses)}`);
  }
  let remaining: ConfigDelta = { toDelete: [], toAdd: [] };
  const reloadErrors: string[] = [];
  let lastError: FrrCommandError | undefined;
  for (let pass = 1; pass <= maxPasses; pass++) {
    const run = await reloadOnce(frr, reload, confdir);
    opts.onChanged?.();
    lastError = run.error;
    if (run.error !== undefined) reloadErrors.push(run.error.message);
    // A non-zero exit is checked, not trusted either way: the verification decides.
    remaining = relevant(await testReload(frr, verify));
    if (isEmptyDelta(remaining)) return { passes: pass, remaining, converged: true, rejected: [], reloadErrors };
    // FRR 8.4.4: BFD values going back to their defaults, which it cannot delete (BFD_DEFAULTS).
    const defaults = bfdDefaultsFor(remaining);
    if (defaults !== undefined) {
      await setBfdDefaults(frr, defaults);
      opts.onChanged?.();
      remaining = relevant(await testReload(frr, verify));
      if (isEmptyDelta(remaining)) return { passes: pass, remaining, converged: true, rejected: [], reloadErrors };
    }
    if (run.rejected.length > 0) return { passes: pass, remaining, converged: false, rejected: run.rejected, reloadErrors };
  }
  if (lastError !== undefined) throw lastError;
  return { passes: maxPasses, remaining, converged: false, rejected: [], reloadErrors };
}
