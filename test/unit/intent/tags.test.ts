import { assignTagIds, TAG_SPACE } from '../../../src/intent/tags.js';

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
