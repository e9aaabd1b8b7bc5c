import { decodeDocuments } from '../../../src/api/decode.js';
import { formatProblem, type Problem } from '../../../src/api/problems.js';
import { buildSnapshot } from '../../../src/api/snapshot.js';

export const NS = 'metallb-system';

/** Decodes YAML and builds a snapshot; fails the test on YAML errors. */
export function build(yaml: string, source = 'test.yaml') {
  const decoded = decodeDocuments(yaml, source);
  if (decoded.problems.length > 0) throw new Error(decoded.problems.map(formatProblem).join('\n'));
  return buildSnapshot(decoded.objects, { metallbNamespace: NS });
}

export function errors(problems: readonly Problem[]): string[] {
  return problems.filter((p) => p.severity === 'error').map(formatProblem);
}

export function warnings(problems: readonly Problem[]): string[] {
  return problems.filter((p) => p.severity === 'warning').map(formatProblem);
}

/** A v1beta2 BGPPeer with the given spec lines (indented by the caller-free helper). */
export function peer(name: string, spec: Record<string, unknown>, apiVersion = 'metallb.io/v1beta2'): string {
  return doc({ apiVersion, kind: 'BGPPeer', metadata: { name, namespace: NS }, spec });
}

export function pool(name: string, addresses: string[], labels?: Record<string, string>): string {
  return doc({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: NS, ...(labels ? { labels } : {}) }, spec: { addresses } });
}

export function adv(name: string, spec: Record<string, unknown>): string {
  return doc({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name, namespace: NS }, spec });
}

/** One YAML document from a JS value (JSON is YAML). */
export function doc(value: unknown): string {
  return `---\n${JSON.stringify(value)}\n`;
}
