import { MAX_ADVERTISEMENT_SETS } from '../../../src/api/limits.js';
import { formatProblem, Problems } from '../../../src/api/problems.js';
import { assignTagIds, checkAdvertisementSets, TAG_SPACE } from '../../../src/intent/tags.js';

describe('assignTagIds', () => {
  const keys = ['metallb-system/a', 'metallb-system/a,metallb-system/b', 'metallb-system/b', 'x/y'];

  it('gives ids in 1..TAG_SPACE, all distinct', () => {
    const ids = [...assignTagIds(keys).values()];
    expect(new Set(ids).size).toBe(keys.length);
    for (const id of ids) {
      expect(id).toBeGreaterThanOrEqual(1);
      expect(id).toBeLessThanOrEqual(TAG_SPACE);
    }
  });

  it('does not depend on the order keys are seen', () => {
    expect(assignTagIds([...keys].reverse())).toEqual(assignTagIds(keys));
  });

  it('keeps existing ids when a set is added (a change stays a few lines)', () => {
    const before = assignTagIds(keys);
    const after = assignTagIds([...keys, 'metallb-system/c']);
    for (const k of keys) expect(after.get(k)).toBe(before.get(k));
  });

  it('resolves collisions by probing, still distinct with many keys', () => {
    const many = Array.from({ length: 3000 }, (_, i) => `ns/adv-${i}`);
    const ids = assignTagIds(many);
    expect(new Set(ids.values()).size).toBe(3000);
  });
});

describe('the tag space is a limit, never an endless search', () => {
  it('fills every tag, and refuses one set more instead of probing forever', () => {
    const full = Array.from({ length: TAG_SPACE }, (_, i) => `ns/adv-${i}`);
    expect(new Set(assignTagIds(full).values()).size).toBe(TAG_SPACE);
    expect(() => assignTagIds([...full, 'ns/one-more'])).toThrow(RangeError);
  });

  it('checkAdvertisementSets names the node and the limit past MAX_ADVERTISEMENT_SETS', () => {
    const problems = new Problems();
    checkAdvertisementSets(Array.from({ length: MAX_ADVERTISEMENT_SETS + 1 }, (_, i) => `k${i}`), 'worker-0', problems);
    expect(problems.list.map(formatProblem)).toEqual([
      expect.stringMatching(/^Node worker-0: announces prefixes from 65001 distinct sets of BGPAdvertisements: at most 65000 \(MAX_ADVERTISEMENT_SETS\)/),
    ]);
    const ok = new Problems();
    checkAdvertisementSets(Array.from({ length: MAX_ADVERTISEMENT_SETS }, (_, i) => `k${i}`), 'worker-0', ok);
    expect(ok.list).toEqual([]);
  });
});
