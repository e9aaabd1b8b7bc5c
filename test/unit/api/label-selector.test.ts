import { describe, expect, test } from '@jest/globals';
import { FieldReader } from '../../../src/api/fields.js';
import { anySelectorMatches, decodeSelectorList, selectorMatches } from '../../../src/api/label-selector.js';
import type { LabelSelector } from '../../../src/api/model.js';
import { formatProblem, Problems } from '../../../src/api/problems.js';

const ref = { kind: 'BGPPeer', namespace: 'metallb-system', name: 'p' };

function decode(raw: unknown): { selectors: LabelSelector[]; messages: string[] } {
  const problems = new Problems();
  const selectors = decodeSelectorList(new FieldReader(ref, problems), raw, 'spec.nodeSelectors');
  return { selectors, messages: problems.list.map(formatProblem) };
}

describe('label selectors', () => {
  test('decodes matchLabels and matchExpressions', () => {
    const { selectors, messages } = decode([
      { matchLabels: { zone: 'a' }, matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1', 'n2'] }] },
    ]);
    expect(messages).toEqual([]);
    expect(selectors).toEqual([
      { matchLabels: { zone: 'a' }, matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1', 'n2'] }] },
    ]);
  });

  test('operator rules, duplicates, all reported', () => {
    const { selectors, messages } = decode([
      {
        matchExpressions: [
          { key: 'a', operator: 'In', values: [] },
          { key: 'b', operator: 'Exists', values: ['x'] },
          { key: 'c', operator: 'In', values: ['x', 'x'] },
          { key: 'd', operator: 'Equals', values: ['x'] },
        ],
      },
      { matchExpressions: [{ key: 'e', operator: 'In', values: ['1'] }, { key: 'e', operator: 'In', values: ['1'] }] },
      { matchLabels: { z: '1' } },
      { matchLabels: { z: '1' } },
    ]);
    expect(messages).toEqual([
      'BGPPeer metallb-system/p: spec.nodeSelectors[0].matchExpressions[0].values: operator In needs at least one value',
      'BGPPeer metallb-system/p: spec.nodeSelectors[0].matchExpressions[1].values: operator Exists takes no values: remove them, or use In / NotIn',
      'BGPPeer metallb-system/p: spec.nodeSelectors[0].matchExpressions[2].values[1]: duplicate value "x": list it once',
      'BGPPeer metallb-system/p: spec.nodeSelectors[0].matchExpressions[3].operator: "Equals" is not an operator: use one of In, NotIn, Exists, DoesNotExist',
      'BGPPeer metallb-system/p: spec.nodeSelectors[1].matchExpressions[1]: duplicate expression: it repeats spec.nodeSelectors[1].matchExpressions[0]; list it once',
      'BGPPeer metallb-system/p: spec.nodeSelectors[3]: duplicate selector: it is the same as spec.nodeSelectors[2]; list it once',
    ]);
    expect(selectors).toHaveLength(1);
  });

  test('bad label keys and non-string values', () => {
    expect(decode([{ matchLabels: { 'bad key': 'x', version: 1 } }]).messages).toEqual([
      'BGPPeer metallb-system/p: spec.nodeSelectors[0].matchLabels["bad key"]: "bad key" is not a valid label key: use an optional DNS prefix and "/", then 1-63 letters, digits, \'-\', \'_\', \'.\' starting and ending with a letter or digit, e.g. "kubernetes.io/hostname"',
      'BGPPeer metallb-system/p: spec.nodeSelectors[0].matchLabels.version: must be a string, not a number (1): quote the value, e.g. "1"',
    ]);
  });

  test('matching', () => {
    const sel = (s: Partial<LabelSelector>): LabelSelector => ({ matchLabels: {}, matchExpressions: [], ...s });
    const labels = { zone: 'a', role: 'edge' };
    expect(selectorMatches(sel({}), labels)).toBe(true);
    expect(selectorMatches(sel({ matchLabels: { zone: 'a' } }), labels)).toBe(true);
    expect(selectorMatches(sel({ matchLabels: { zone: 'b' } }), labels)).toBe(false);
    expect(selectorMatches(sel({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }), labels)).toBe(true);
    expect(selectorMatches(sel({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }), labels)).toBe(false);
    expect(selectorMatches(sel({ matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['a'] }] }), labels)).toBe(true);
    expect(selectorMatches(sel({ matchExpressions: [{ key: 'role', operator: 'Exists', values: [] }] }), labels)).toBe(true);
    expect(selectorMatches(sel({ matchExpressions: [{ key: 'role', operator: 'DoesNotExist', values: [] }] }), labels)).toBe(false);
    expect(selectorMatches(sel({ matchLabels: { toString: 'x' } }), {})).toBe(false);
    expect(anySelectorMatches([], labels)).toBe(true);
    expect(anySelectorMatches([sel({ matchLabels: { zone: 'b' } }), sel({ matchLabels: { role: 'edge' } })], labels)).toBe(true);
  });
});
