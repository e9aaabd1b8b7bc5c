/**
 * Per-speaker scoping of the snapshot's problems, as MetalLB does it: a speaker reads only the
 * BGPPeers and BGPAdvertisements whose nodeSelectors select its node, so a broken peer meant for
 * other nodes does not stop this node from getting its configuration.
 */
import type { LabelSelector, Snapshot } from '../api/model.js';
import { anySelectorMatches } from '../api/label-selector.js';
import { ignoredOn } from '../api/node-scope.js';
import type { Problem } from '../api/problems.js';
import type { NodeContext } from './node-context.js';

/**
 * Errors of peers and advertisements that do not select `node` become warnings: they cannot change
 * this node's config (invalid objects are already left out of the snapshot), but people should
 * still see them. The selectors are the snapshot's: of the objects kept, and of those left out
 * for their errors (`snapshot.rejected`); an object whose selectors are broken too counts everywhere.
 */
export function scopeProblemsToNode(problems: readonly Problem[], snapshot: Snapshot, node: NodeContext): Problem[] {
  const selectors = new Map<string, readonly LabelSelector[] | undefined>();
  for (const o of [...snapshot.peers, ...snapshot.advertisements, ...snapshot.rejected]) selectors.set(refKey(o.ref), o.nodeSelectors);
  return problems.map((p) => {
    if (p.severity !== 'error' || !selectors.has(refKey(p.ref))) return p;
    const nodeSelectors = selectors.get(refKey(p.ref));
    if (nodeSelectors === undefined || anySelectorMatches(nodeSelectors, node.labels)) return p;
    return { ...p, severity: 'warning', message: `${p.message}${ignoredOn(node)}` };
  });
}

function refKey(ref: { readonly kind: string; readonly namespace: string; readonly name: string }): string {
  return `${ref.kind}\u0000${ref.namespace}\u0000${ref.name}`;
}
