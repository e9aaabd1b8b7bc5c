/**
 * Issue 14, item 2: the snapshot's problems are scoped to a node in the intent stage, from what the
 * snapshot kept (the selectors of rejected objects too), never by reading the raw objects again.
 */
import { describe, expect, it } from '@jest/globals';
import { decodeDocuments } from '../../../src/api/decode.js';
import { buildSnapshot } from '../../../src/api/snapshot.js';
import type { Problem } from '../../../src/api/problems.js';
import { buildIntent, type IntentOptions } from '../../../src/intent/build-intent.js';
import { DEFAULT_FRR_RELEASE, formsFor } from '../../../src/intent/frr-release.js';
import { doc } from '../api/helpers.js';

const opts: IntentOptions = { node: 'worker-0', redactPasswords: true, hostname: null, assumeEndpointsReady: true, frr: formsFor(DEFAULT_FRR_RELEASE) };
const NODE = doc({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-0', labels: { 'kubernetes.io/hostname': 'worker-0', rack: 'a' } } });
/** A BGPPeer without a namespace (defaulted to metallb-system) with an error in it. */
const brokenPeer = (nodeSelectors: unknown) =>
  doc({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'broken' }, spec: { myASN: 64500, peerASN: 64501, peerAddress: 'not-an-ip', nodeSelectors } });

function scoped(yaml: string): { errors: Problem[]; warnings: Problem[]; rejected: number } {
  const { objects } = decodeDocuments(yaml, 'test.yaml');
  const built = buildSnapshot(objects, { metallbNamespace: 'metallb-system' });
  const result = buildIntent(built.snapshot, opts, built.problems);
  return {
    errors: result.problems.filter((p) => p.severity === 'error'),
    warnings: result.problems.filter((p) => p.severity === 'warning'),
    rejected: built.snapshot.rejected.length,
  };
}

describe('scoping the snapshot problems to the node', () => {
  it('keeps the nodeSelectors of a rejected peer in the snapshot, and turns its error into a warning on other nodes', () => {
    const elsewhere = scoped(NODE + brokenPeer([{ matchLabels: { rack: 'b' } }]));
    expect(elsewhere.rejected).toBe(1);
    expect(elsewhere.errors).toEqual([]);
    expect(elsewhere.warnings).toContainEqual(expect.objectContaining({ field: 'spec.peerAddress', message: expect.stringMatching(/\(ignored on node worker-0: its nodeSelectors do not select it\)$/) }));
  });

  it('keeps the error on a node the peer selects, and when its selectors cannot be read', () => {
    expect(scoped(NODE + brokenPeer([{ matchLabels: { rack: 'a' } }])).errors).toContainEqual(expect.objectContaining({ field: 'spec.peerAddress' }));
    const unreadable = scoped(NODE + brokenPeer('not a list'));
    expect(unreadable.errors.map((p) => p.field)).toEqual(expect.arrayContaining(['spec.peerAddress', 'spec.nodeSelectors']));
  });

  it('leaves the intent undefined while an error of the snapshot applies to the node', () => {
    const { objects } = decodeDocuments(NODE + brokenPeer([]), 'test.yaml');
    const built = buildSnapshot(objects, { metallbNamespace: 'metallb-system' });
    expect(buildIntent(built.snapshot, opts).intent).toBeDefined();
    expect(buildIntent(built.snapshot, opts, built.problems).intent).toBeUndefined();
  });

  it('files Secret references as category reference, which `check` without a node keeps', () => {
    const { objects } = decodeDocuments(
      NODE + doc({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'p' }, spec: { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', passwordSecret: { name: 'missing' } } }),
      'test.yaml',
    );
    const built = buildSnapshot(objects, { metallbNamespace: 'metallb-system' });
    const problems = buildIntent(built.snapshot, opts, built.problems).problems;
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', category: 'reference', field: 'spec.passwordSecret' })]);
  });
});
