import { describe, expect, test } from '@jest/globals';
import { formatCommunity, parseCommunityRef, parseCommunityValue, resolveCommunity } from '../../../src/api/community-values.js';

describe('communities', () => {
  test('standard and large values', () => {
    expect(parseCommunityRef('65535:65282')).toEqual({
      ok: true,
      value: { kind: 'value', text: '65535:65282', value: { kind: 'standard', high: 65535, low: 65282 } },
    });
    expect(parseCommunityRef('large:4294967295:0:1')).toEqual({
      ok: true,
      value: { kind: 'value', text: 'large:4294967295:0:1', value: { kind: 'large', global: 4294967295, local1: 0, local2: 1 } },
    });
    const large = parseCommunityValue('large:1:2:3');
    expect(large.ok && formatCommunity(large.value)).toBe('1:2:3');
  });

  test('no colon is an alias', () => {
    expect(parseCommunityRef('NO_ADVERTISE')).toEqual({ ok: true, value: { kind: 'alias', name: 'NO_ADVERTISE' } });
  });

  // MetalLB looks any text up among the aliases before parsing it (config.go getCommunityValue):
  // a text that is no value may still name an alias; the reason it is no value is kept for the
  // error when no alias has that name.
  test.each(['65536:1', '1:2:3', 'large:1:2', 'large:1:2:4294967296', '-1:2', 'a:b', '1:', ':1', '1: 2'])('%j is no value, but may name an alias', (s) => {
    expect(parseCommunityRef(s)).toEqual({
      ok: true,
      value: {
        kind: 'alias',
        name: s,
        valueError: `${JSON.stringify(s)} is not a valid community: use "A:B" with two numbers 0-65535 (e.g. "65535:65282"), "large:A:B:C" with three numbers 0-4294967295, or the name of a Community alias`,
      },
    });
  });

  test('an empty entry is an error', () => {
    expect(parseCommunityRef('').ok).toBe(false);
  });

  test('aliases win over values, in MetalLB\'s order', () => {
    const std = (high: number, low: number) => ({ kind: 'standard', high, low }) as const;
    const aliases = new Map([['64500:1', std(1, 1)], ['office:main', std(2, 2)]]);
    const ref = (s: string) => {
      const r = parseCommunityRef(s);
      if (!r.ok) throw new Error(r.error);
      return r.value;
    };
    expect(resolveCommunity(ref('64500:1'), aliases)).toEqual(std(1, 1));
    expect(resolveCommunity(ref('office:main'), aliases)).toEqual(std(2, 2));
    expect(resolveCommunity(ref('64500:2'), aliases)).toEqual(std(64500, 2));
    expect(resolveCommunity(ref('nowhere'), aliases)).toBeUndefined();
  });

  test('Community values cannot be aliases', () => {
    expect(parseCommunityValue('NO_ADVERTISE')).toEqual({
      ok: false,
      error: '"NO_ADVERTISE" is not a valid community: use "A:B" with two numbers 0-65535 (e.g. "65535:65282"), "large:A:B:C" with three numbers 0-4294967295',
    });
  });
});
