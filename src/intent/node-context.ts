import type { Snapshot } from '../api/model.js';
import { nodeScope } from '../api/node-scope.js';

/** What the intent needs to know about the node it renders for. */
export interface NodeContext {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly networkUnavailable: boolean;
  /** True when the Node object was found; otherwise labels are the hostname label only. */
  readonly known: boolean;
}

/**
 * The Node object of that name, or (folder mode without one) a node whose only label is
 * `kubernetes.io/hostname=<name>`, which is what most nodeSelectors in MetalLB's docs match on.
 */
export function nodeContext(snapshot: Snapshot, name: string): NodeContext {
  const { labels, node } = nodeScope(snapshot.nodes, name);
  return { name, labels, networkUnavailable: node?.networkUnavailable ?? false, known: node !== undefined };
}

/** MetalLB skips nodes carrying this label (unless told to ignore it). */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
