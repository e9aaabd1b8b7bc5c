import type { Community } from '../../../src/api/model.js';
import { largeCommunitiesText, resolveCommunities, standardCommunitiesText as textFor } from '../../../src/intent/community-attributes.js';
import { formsFor } from '../../../src/intent/frr-release.js';

const FRR_10_3 = formsFor({ major: 10, minor: 3 }).forms;
const FRR_8_4 = formsFor({ major: 8, minor: 4 }).forms;
const standardCommunitiesText = (c: readonly Community[]) => textFor(c, FRR_10_3);

const std = (high: number, low: number): Community => ({ kind: 'standard', high, low });
const large = (global: number, local1: number, local2: number): Community => ({ kind: 'large', global, local1, local2 });

describe('communities in FRR canonical form', () => {
  it('prints well-known values by name, as FRR shows them in its running config', () => {
    expect(standardCommunitiesText([std(65535, 65282)])).toBe('no-advertise');
    expect(standardCommunitiesText([std(65535, 65281), std(65535, 666), std(65535, 0), std(1, 1)])).toBe('1:1 graceful-shutdown blackhole no-export');
    expect(standardCommunitiesText([std(65535, 65283), std(65535, 65284)])).toBe('local-AS no-peer');
  });

  it('writes 0:0 as FRR of that release prints it: `internet` on 8.4, `0:0` from 9.1 (bgpd refuses `internet`)', () => {
    expect(textFor([std(64500, 10), std(0, 0)], FRR_8_4)).toBe('internet 64500:10');
    expect(textFor([std(64500, 10), std(0, 0)], FRR_10_3)).toBe('0:0 64500:10');
  });

  it('sorts numerically and removes duplicates', () => {
    expect(standardCommunitiesText([std(7, 7), std(1, 1), std(3, 3), std(1, 1), std(65535, 65282)])).toBe('1:1 3:3 7:7 no-advertise');
    expect(standardCommunitiesText([std(10, 2), std(9, 100)])).toBe('9:100 10:2');
  });

  it('returns null when there is nothing to set', () => {
    expect(standardCommunitiesText([large(1, 2, 3)])).toBeNull();
    expect(largeCommunitiesText([std(1, 2)])).toBeNull();
  });

  it('sorts large communities numerically (FRR keeps the given order, so we fix one)', () => {
    expect(largeCommunitiesText([large(5, 5, 5), large(1, 2, 3), large(1, 2, 3), large(1, 10, 0)])).toBe('1:2:3 1:10:0 5:5:5');
  });

  it('resolves aliases to their values', () => {
    const aliases = [{ ref: { kind: 'Community', namespace: 'metallb-system', name: 'c' }, name: 'NO_ADVERTISE', value: std(65535, 65282) }];
    expect(resolveCommunities([{ kind: 'alias', name: 'NO_ADVERTISE' }, { kind: 'value', value: std(1, 1), text: '1:1' }], aliases)).toEqual([std(65535, 65282), std(1, 1)]);
  });
});
