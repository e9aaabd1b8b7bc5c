/**
 * vtysh calls: the dry-run syntax check, `show` commands, and loading a file.
 * Output that may hold configuration is password-redacted unless the caller opts out.
 */
import {
  DEFAULT_VTYSH,
  DEFAULT_VTYSH_TIMEOUT_MS,
  vtyshPathspaceArgs,
  type FrrContext,
} from './context.js';
import { redactPasswords } from './redact.js';
import { parseRejectedLines, type RejectedLine } from './rejected-lines.js';
import { FrrCommandError, runChecked } from './run.js';

export interface SyntaxCheck {
  readonly valid: boolean;
  /** vtysh's complaints, one per line (`line 5: % Unknown command[25]: wrong line`), redacted. */
  readonly errors: readonly string[];
}

/** vtysh -C exits 2 when a line does not parse; other non-zero codes mean vtysh itself failed. */
const VTYSH_CONFIG_ERROR_EXIT = 2;

/**
 * `vtysh -C -f FILE`: FRR's own parser on the file, without any daemon. Syntax only: a file that
 * passes can still be rejected or rewritten by the daemons (e.g. an unknown route-map name).
 */
export async function checkSyntax(frr: FrrContext, file: string): Promise<SyntaxCheck> {
  const vtysh = frr.vtysh ?? DEFAULT_VTYSH;
  const args = ['-C', '-f', file];
  const result = await frr.run(vtysh, args, { timeoutMs: frr.vtyshTimeoutMs ?? DEFAULT_VTYSH_TIMEOUT_MS });
  if (result.exitCode === 0) return { valid: true, errors: [] };
  if (result.exitCode === VTYSH_CONFIG_ERROR_EXIT) {
    const errors = `${result.stderr}\n${result.stdout}`
      .split('\n')
      .map((line) => redactPasswords(line.trim()))
      .filter((line) => line !== '');
    return { valid: false, errors };
  }
  throw new FrrCommandError({
    file: vtysh,
    args,
    reason: `exit ${result.exitCode}`,
    exitCode: result.exitCode,
    stderr: result.stderr,
    stdout: result.stdout,
  });
}

export interface ShowOptions {
  /** Leave passwords in the output (only for code that needs the real value; never log it). */
  readonly keepPasswords?: boolean;
  /** Ask this daemon alone (`vtysh -d bgpd`) instead of the merged view of all of them. */
  readonly daemon?: string;
}

/** `vtysh -c COMMAND [-c COMMAND...]` on the instance; resolves with stdout, rejects on a non-zero exit. */
export async function show(frr: FrrContext, command: string | readonly string[], opts: ShowOptions = {}): Promise<string> {
  const commands = typeof command === 'string' ? [command] : command;
  const { stdout } = await runChecked(
    frr.run,
    frr.vtysh ?? DEFAULT_VTYSH,
    [...vtyshPathspaceArgs(frr), ...(opts.daemon === undefined ? [] : ['-d', opts.daemon]), ...commands.flatMap((c) => ['-c', c])],
    { timeoutMs: frr.vtyshTimeoutMs ?? DEFAULT_VTYSH_TIMEOUT_MS },
  );
  return opts.keepPasswords === true ? stdout : redactPasswords(stdout);
}

/** `show ... json` parsed; FRR prints `{}` for empty state, so any JSON value may come back. */
export async function showJson(frr: FrrContext, command: string): Promise<unknown> {
  const text = await show(frr, command, { keepPasswords: true });
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new Error(`vtysh -c "${command}" did not print JSON: ${redactPasswords(text.slice(0, 200))}`, { cause });
  }
}

/**
 * `vtysh -f FILE`: runs every line of the file as configuration commands on the running daemons,
 * on top of what is there (no deletions). For loading an FRR that runs nothing of ours; changes go
 * through `applyConfig` in `reload.ts`. Resolves with the lines a daemon refused (vtysh then exits
 * non-zero, having applied every other line); any other failure rejects.
 */
export async function loadFile(frr: FrrContext, file: string): Promise<readonly RejectedLine[]> {
  const vtysh = frr.vtysh ?? DEFAULT_VTYSH;
  const args = [...vtyshPathspaceArgs(frr), '-f', file];
  const result = await frr.run(vtysh, args, { timeoutMs: frr.vtyshTimeoutMs ?? DEFAULT_VTYSH_TIMEOUT_MS });
  if (result.exitCode === 0) return [];
  const rejected = parseRejectedLines(result.stdout, result.stderr);
  if (rejected.length > 0) return rejected;
  throw new FrrCommandError({ file: vtysh, args, reason: `exit ${result.exitCode}`, exitCode: result.exitCode, stderr: result.stderr, stdout: result.stdout });
}
