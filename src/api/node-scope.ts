/**
 * Per-speaker scoping, as MetalLB does it: a speaker reads only the BGPPeers and BGPAdvertisements
 * whose nodeSelectors select its node, so a broken peer meant for other nodes does not stop this
 * node from getting its configuration.
 */
import type { RawObject } from './decode.js';
import { FieldReader, isMap } from './fields.js';
import { anySelectorMatches, decodeSelectorList } from './label-selector.js';
import type { Node } from './model.js';
import type { HasNodeSelectors } from './node-sharing.js';
import { Problems, type Problem } from './problems.js';

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

/** The suffix of a problem that concerns other nodes only (the same words as `scopeProblemsToNode`). */
export function ignoredOn(scope: NodeScope): string {
  return ` (ignored on node ${scope.name}: its nodeSelectors do not select it)`;
}

const NODE_SCOPED_KINDS = new Set(['BGPPeer', 'BGPAdvertisement']);

/** True / false when the object's nodeSelectors can be read; undefined when they are broken too. */
export function objectSelectsNode(obj: RawObject, labels: Readonly<Record<string, string>>): boolean | undefined {
  if (!NODE_SCOPED_KINDS.has(obj.kind)) return undefined;
  const spec = isMap(obj.spec) ? obj.spec : {};
  const scratch = new Problems();
  const ref = { kind: obj.kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name };
  const selectors = decodeSelectorList(new FieldReader(ref, scratch), spec['nodeSelectors'], 'spec.nodeSelectors');
  if (scratch.hasErrors()) return undefined;
  return anySelectorMatches(selectors, labels);
}

/**
 * Errors of objects that do not select `node` become warnings: they cannot change this node's
 * config (invalid objects are already left out of the snapshot), but people should still see them.
 */
export function scopeProblemsToNode(
  problems: readonly Problem[],
  objects: readonly RawObject[],
  node: string,
  labels: Readonly<Record<string, string>>,
): Problem[] {
  const selects = new Map<string, boolean | undefined>();
  for (const o of objects) {
    selects.set(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, objectSelectsNode(o, labels));
  }
  return problems.map((p) => {
    if (p.severity !== 'error' || !NODE_SCOPED_KINDS.has(p.ref.kind)) return p;
    const key = `${p.ref.kind}/${p.ref.namespace}/${p.ref.name}`;
    // Defaulted namespaces: the raw object may have none.
    const found = selects.has(key) ? selects.get(key) : selects.get(`${p.ref.kind}//${p.ref.name}`);
    if (found !== false) return p;
    return { ...p, severity: 'warning', message: `${p.message}${ignoredOn({ name: node, labels, node: undefined })}` };
  });
}
