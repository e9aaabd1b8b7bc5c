import { checkLocalPrefCompatibility } from '../api/localpref.js';
import type { Advertisement, Pool } from '../api/model.js';
import { formatProblem, Problems } from '../api/problems.js';

/**
 * MetalLB's speaker-time check: the advertisements that match one service (after serviceSelectors)
 * must agree on localPref for the prefixes they share. They all select this node, so they share it.
 * Returns the conflict in words, or undefined.
 */
export function localPrefConflict(advs: readonly Advertisement[], pool: Pool): string | undefined {
  const problems = new Problems();
  checkLocalPrefCompatibility(advs, [pool], () => true, problems);
  const first = problems.errors[0];
  return first ? formatProblem(first) : undefined;
}
