/** Whether two objects with nodeSelectors can be active on the same node, given the known Nodes. */
import { anySelectorMatches } from './label-selector.js';
import type { LabelSelector, Node } from './model.js';

export interface HasNodeSelectors {
  readonly nodeSelectors: readonly LabelSelector[];
}

/**
 * Two objects share a node if some Node matches both of their nodeSelectors (an empty list matches
 * every node). With no Node objects at all, MetalLB assumes they share one.
 */
export function makeShareNode(nodes: readonly Node[]): (a: HasNodeSelectors, b: HasNodeSelectors) => boolean {
  return (a, b) =>
    nodes.length === 0 ||
    nodes.some((n) => anySelectorMatches(a.nodeSelectors, n.labels) && anySelectorMatches(b.nodeSelectors, n.labels));
}
