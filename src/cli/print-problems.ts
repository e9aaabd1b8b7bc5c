import { formatProblem, type Problem } from '../api/problems.js';
import type { CliIo } from './io.js';

/** One line per problem on stderr: `error: BGPPeer metallb-system/p1: spec.holdTime: ...`. */
export function printProblems(problems: readonly Problem[], io: CliIo): void {
  for (const p of problems) io.stderr(`${p.severity}: ${formatProblem(p)}\n`);
}
