import { describe, expect, test } from '@jest/globals';
import { adv, build, errors, pool, warnings } from './helpers.js';

function one(spec: Record<string, unknown>) {
  const { snapshot, problems } = build(pool('pool1', ['10.0.0.0/24']) + adv('a1', spec));
  return { adv: snapshot.advertisements[0], errors: errors(problems), warnings: warnings(problems) };
}

describe('BGPAdvertisement', () => {
  test('defaults', () => {
    const r = one({});
    expect(r.errors).toEqual([]);
    expect(r.adv).toEqual({
      ref: { kind: 'BGPAdvertisement', namespace: 'metallb-system', name: 'a1', source: 'test.yaml' },
      aggregationLength: 32,
      aggregationLengthV6: 128,
      localPref: 0,
      communities: [],
      ipAddressPools: [],
      ipAddressPoolSelectors: [],
      nodeSelectors: [],
      peers: [],
      serviceSelectors: [],
    });
  });

  test('seed example', () => {
    const r = one({ ipAddressPools: ['pool1'], communities: ['65535:65282', 'large:1:2:3'], aggregationLength: 32, aggregationLengthV6: 128, localPref: 100 });
    expect(r.adv).toMatchObject({
      localPref: 100,
      ipAddressPools: ['pool1'],
      communities: [
        { kind: 'value', text: '65535:65282', value: { kind: 'standard', high: 65535, low: 65282 } },
        { kind: 'value', text: 'large:1:2:3', value: { kind: 'large', global: 1, local1: 2, local2: 3 } },
      ],
    });
  });

  test('a peer or pool name no object can have (the seed\'s "frrviavrf 1") matches nothing: a warning, as MetalLB accepts it', () => {
    const r = one({ peers: ['frrviavrf 1'], ipAddressPools: ['Pool1'] });
    expect(r.errors).toEqual([]);
    expect(r.adv).toMatchObject({ peers: ['frrviavrf 1'], ipAddressPools: ['Pool1'] });
    expect(r.warnings).toEqual([
      `BGPAdvertisement metallb-system/a1: spec.peers[0]: "frrviavrf 1" names no BGPPeer in metallb-system (it can never match a BGPPeer: names are lowercase DNS-1123 (a-z, 0-9, '-', '.', starting and ending with a letter or digit, at most 253), e.g. "frrviavrf"): the advertisement will reach no such peer`,
      `BGPAdvertisement metallb-system/a1: spec.ipAddressPools[0]: "Pool1" names no IPAddressPool in metallb-system (it can never match an IPAddressPool: names are lowercase DNS-1123 (a-z, 0-9, '-', '.', starting and ending with a letter or digit, at most 253), e.g. "pool1"): nothing is advertised from it`,
    ]);
  });

  test('ranges', () => {
    expect(one({ aggregationLength: 33, aggregationLengthV6: 129, localPref: -1 }).errors).toEqual([
      'BGPAdvertisement metallb-system/a1: spec.aggregationLength: 33 is out of range: use an integer from 1 to 32',
      'BGPAdvertisement metallb-system/a1: spec.aggregationLengthV6: 129 is out of range: use an integer from 0 to 128',
      'BGPAdvertisement metallb-system/a1: spec.localPref: -1 is out of range: use an integer from 0 to 4294967295',
    ]);
    // MetalLB's CRD sets no minimum for aggregationLengthV6: 0 is refused only against an IPv6 pool.
    expect(one({ aggregationLengthV6: 0 }).errors).toEqual([]);
    expect(errors(build(pool('p6', ['2001:db8::/64']) + adv('a1', { aggregationLengthV6: 0 })).problems)).toEqual([
      'BGPAdvertisement metallb-system/a1: spec.aggregationLengthV6: 0 is shorter than prefix 2001:db8::/64 of pool p6: the aggregate would cover addresses outside the pool; use at least 64',
    ]);
  });

  test('duplicates in every list', () => {
    expect(
      one({
        ipAddressPools: ['pool1', 'pool1'],
        peers: ['a', 'a'],
        communities: ['1:1', '1:1', 'x', 'x'],
        nodeSelectors: [{}, {}],
      }).errors,
    ).toEqual([
      'BGPAdvertisement metallb-system/a1: spec.communities[1]: duplicate community "1:1": it repeats spec.communities[0]; list it once',
      'BGPAdvertisement metallb-system/a1: spec.communities[3]: duplicate community "x": it repeats spec.communities[2]; list it once',
      'BGPAdvertisement metallb-system/a1: spec.ipAddressPools[1]: duplicate pool "pool1": list it once',
      'BGPAdvertisement metallb-system/a1: spec.nodeSelectors[1]: duplicate selector: it is the same as spec.nodeSelectors[0]; list it once',
      'BGPAdvertisement metallb-system/a1: spec.peers[1]: duplicate peer "a": list it once',
    ]);
  });

  test('the same community written twice differently is one community, as in MetalLB (it compares the strings)', () => {
    const r = one({ communities: ['1:1', '1:01'] });
    expect(r.errors).toEqual([]);
    expect(r.adv?.communities.map((c) => (c.kind === 'value' ? c.value : c))).toEqual([
      { kind: 'standard', high: 1, low: 1 },
      { kind: 'standard', high: 1, low: 1 },
    ]);
  });

  test('bad community and too many communities', () => {
    expect(one({ communities: ['1:2:3'] }).errors).toEqual([
      'BGPAdvertisement metallb-system/a1: spec.communities[0]: "1:2:3" is not a valid community: use "A:B" with two numbers 0-65535 (e.g. "65535:65282"), "large:A:B:C" with three numbers 0-4294967295, or the name of a Community alias, and no Community object defines an alias with this name',
    ]);
    const many = Array.from({ length: 64 }, (_, i) => `1:${i}`);
    expect(one({ communities: many }).errors).toEqual([
      'BGPAdvertisement metallb-system/a1: spec.communities: has 64 entries: FRR mode supports at most 63 communities per advertisement',
    ]);
    expect(one({ communities: many.slice(0, 63) }).errors).toEqual([]);
  });

  test('serviceSelectors need default aggregation lengths', () => {
    expect(one({ serviceSelectors: [{ matchLabels: { a: 'b' } }], aggregationLength: 24 }).errors).toEqual([
      'BGPAdvertisement metallb-system/a1: spec.serviceSelectors: cannot be used with aggregationLength 24 / aggregationLengthV6 128: serviceSelectors need the default lengths 32 and 128; remove the selectors or the aggregation lengths',
    ]);
  });
});
