/**
 * Per-speaker scoping, as MetalLB does it: a speaker reads only the BGPPeers and BGPAdvertisements
 * whose nodeSelectors select its node, so a broken peer meant for other nodes does not stop this
 * node from getting its configuration.
 */
import { anySelectorMatches } from './label-selector.js';
import type { Node } from './model.js';
import type { HasNodeSelectors } from './node-sharing.js';

/** The label every node has; without a Node object it is the only label known (folder mode). */
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/**
 * The node one speaker renders for: its name, and its labels from the Node object of that name,
 * or (folder mode without one) only `kubernetes.io/hostname=<name>`, which is what most
 * nodeSelectors in MetalLB's docs match on.
 */
export interface NodeScope {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The Node object, when there is one. */
  readonly node: Node | undefined;
}

export function nodeScope(nodes: readonly Node[], name: string): NodeScope {
  const node = nodes.find((n) => n.ref.name === name);
  return { name, labels: node ? node.labels : { [HOSTNAME_LABEL]: name }, node };
}

/** Does the object (a peer, an advertisement) apply on the scope's node? */
export function selectsScope(scope: NodeScope, x: HasNodeSelectors): boolean {
  return anySelectorMatches(x.nodeSelectors, scope.labels);
}

/** The suffix of a problem that concerns other nodes only (here and in `intent/node-problems.ts`). */
export function ignoredOn(scope: Pick<NodeScope, 'name'>): string {
  return ` (ignored on node ${scope.name}: its nodeSelectors do not select it)`;
}
