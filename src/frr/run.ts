/**
 * The one place that starts processes for `frr/`: a small `CommandRunner` seam so callers
 * (vtysh, frr-reload.py) can be tested with a fake runner, and a real one built on Node's
 * `child_process` (execa was used before: loading it took ~90 ms of every `frr-renderer status`
 * and `explain`, whose target is 300 ms from spawn to exit, and of the sidecar's start, for
 * nothing this contract needs).
 *
 * The contract: a runner resolves with the exit code for every process that ran to its end,
 * zero or not (callers decide what a non-zero exit means), and rejects with `FrrCommandError`
 * only when no exit code exists: the program could not be started, timed out, or was killed.
 */
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { redactPasswords } from './redact.js';

export interface RunOptions {
  /** Hard limit; the process is killed (SIGTERM, then SIGKILL) when it is reached. */
  readonly timeoutMs: number;
  /** Written to the process's standard input; without it stdin is closed. */
  readonly input?: string;
}

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type CommandRunner = (
  file: string,
  args: readonly string[],
  opts: RunOptions,
) => Promise<CommandResult>;

/** Time between SIGTERM and SIGKILL once a timeout fired: frr-reload.py usually exits at once. */
const FORCE_KILL_AFTER_MS = 2_000;

/** A failed FRR command. Every text field is password-redacted. */
export class FrrCommandError extends Error {
  override readonly name = 'FrrCommandError';
  /** The command line that ran (redacted), for logs. */
  readonly command: string;
  /** `undefined` when the process never exited by itself (not started, timed out, killed). */
  readonly exitCode: number | undefined;
  /** The whole standard error (redacted). */
  readonly stderr: string;

  constructor(init: {
    file: string;
    args: readonly string[];
    reason: string;
    exitCode: number | undefined;
    stderr: string;
    stdout?: string;
    cause?: unknown;
  }) {
    const detail = firstMeaningfulLine(init.stderr) ?? firstMeaningfulLine(init.stdout ?? '');
    const label = describeCommand(init.file, init.args);
    super(`${label} failed (${init.reason})${detail === undefined ? '' : `: ${redactPasswords(detail)}`}`, {
      cause: init.cause,
    });
    this.command = redactPasswords([init.file, ...init.args].join(' '));
    this.exitCode = init.exitCode;
    this.stderr = redactPasswords(init.stderr);
  }
}

/**
 * A short name for a command in one-line messages. For FRR's tools: program name and flags,
 * without flag values (file paths, pathspaces) except vtysh's `-c` command, which is what a
 * reader needs: `frr-reload.py --reload`, `vtysh -C -f`, `vtysh -c "show running-config"`.
 * Other programs are named with their whole (redacted) command line.
 */
export function describeCommand(file: string, args: readonly string[]): string {
  const program = basename(file);
  if (program !== 'vtysh' && !program.startsWith('frr-reload')) {
    return redactPasswords([program, ...args].join(' '));
  }
  const parts = [program];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-N' || arg === '--pathspace') {
      i++;
    } else if (arg === '-c' && program === 'vtysh') {
      parts.push(`-c "${redactPasswords(args[i + 1] ?? '')}"`);
      i++;
    } else if (arg.startsWith('-')) {
      parts.push(arg);
    }
  }
  return parts.join(' ');
}

/** frr-reload.py logs `2024-01-01 10:00:00,123  INFO: ...` lines first; they never say what failed. */
const INFO_LOG_LINE = /^\d{4}-\d\d-\d\d [\d:,.]+\s+(INFO|DEBUG):/;

function firstMeaningfulLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '' && !INFO_LOG_LINE.test(line));
}

/**
 * The production runner.
 *
 * Why a timeout of our own that signals a process group: frr-reload.py runs vtysh as its child,
 * and a grandchild that keeps stdout open keeps the call waiting after the child died. So the
 * child leads its own process group (`detached`) and a timeout signals the whole group: SIGTERM,
 * then SIGKILL if anything is still there. The call ends when the child's output is closed
 * (`close`), so whatever a grandchild printed is in the result.
 *
 * As execa did: output decoded as UTF-8 with one final newline removed, and the environment
 * inherited.
 */
export const spawnRunner: CommandRunner = (file, args, opts) =>
  new Promise<CommandResult>((resolve, reject) => {
    const child = spawn(file, [...args], { detached: true, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => stdout.push(b));
    child.stderr!.on('data', (b: Buffer) => stderr.push(b));
    let timedOut = false;
    let forceKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup(child.pid, 'SIGTERM');
      forceKill = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), FORCE_KILL_AFTER_MS);
    }, opts.timeoutMs);
    let settled = false;
    const text = (chunks: Buffer[]): string => stripFinalNewline(Buffer.concat(chunks).toString('utf8'));
    const finish = (code: number | null, signal: NodeJS.Signals | null, startError?: NodeJS.ErrnoException): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(forceKill);
      const err = text(stderr);
      if (timedOut) {
        reject(new FrrCommandError({ file, args, reason: `timed out after ${opts.timeoutMs} ms`, exitCode: undefined, stderr: err }));
      } else if (startError !== undefined) {
        // Only the underlying error (e.g. spawn ENOENT) as cause: it holds no output.
        reject(new FrrCommandError({ file, args, reason: `could not start: ${startError.code ?? startError.message}`, exitCode: undefined, stderr: err, cause: startError }));
      } else if (code === null) {
        reject(new FrrCommandError({ file, args, reason: `killed by ${signal ?? 'a signal'}`, exitCode: undefined, stderr: err }));
      } else {
        resolve({ exitCode: code, stdout: text(stdout), stderr: err });
      }
    };
    // A program that cannot be started has no pid; one that started reports its end with `close`.
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (child.pid === undefined) finish(null, null, e);
    });
    child.on('close', (code, signal) => finish(code, signal));
    if (opts.input !== undefined) {
      // A program that exits without reading all of its input (vtysh stopping at a refused line)
      // makes the write fail with EPIPE: its exit code says what happened, not the pipe.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(opts.input);
    }
  });

function stripFinalNewline(s: string): string {
  return s.endsWith('\r\n') ? s.slice(0, -2) : s.endsWith('\n') ? s.slice(0, -1) : s;
}

/** Signals every process of the group `pid` leads; a group that is already gone is fine. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: every process of the group has exited.
  }
}

/** Runs a command that must exit 0, and returns its output; any other exit becomes an `FrrCommandError`. */
export async function runChecked(
  run: CommandRunner,
  file: string,
  args: readonly string[],
  opts: RunOptions,
): Promise<CommandResult> {
  const result = await run(file, args, opts);
  if (result.exitCode !== 0) {
    throw new FrrCommandError({
      file,
      args,
      reason: `exit ${result.exitCode}`,
      exitCode: result.exitCode,
      stderr: result.stderr,
      stdout: result.stdout,
    });
  }
  return result;
}
