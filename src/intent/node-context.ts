import type { Node, Snapshot } from '../api/model.js';

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
  const node: Node | undefined = snapshot.nodes.find((n) => n.ref.name === name);
  if (node) {
    return { name, labels: node.labels, networkUnavailable: node.networkUnavailable, known: true };
  }
  return { name, labels: { 'kubernetes.io/hostname': name }, networkUnavailable: false, known: false };
}

/** MetalLB skips nodes carrying this label (unless told to ignore it). */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
