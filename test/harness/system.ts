/** Runs the system commands the harness needs (ip, sysctl, frrinit.sh), each with a timeout. */
import { spawnRunner, runChecked, type CommandResult } from '../../src/frr/run.js';

const DEFAULT_TIMEOUT_MS = 20_000;

/** Runs a command that must succeed; rejects with an `FrrCommandError` otherwise. */
export function sh(file: string, args: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CommandResult> {
  return runChecked(spawnRunner, file, args, { timeoutMs });
}

/** Runs a command whose failure is expected at times (cleanup of things that may be gone). */
export function shAllowFailure(
  file: string,
  args: readonly string[],
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<CommandResult> {
  return spawnRunner(file, args, { timeoutMs });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
