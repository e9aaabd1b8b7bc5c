import { describe, expect, test } from '@jest/globals';
import type { Advertisement, Pool } from '../../../src/api/model.js';
import { formatProblem, Problems } from '../../../src/api/problems.js';
import { checkLocalPrefCompatibility } from '../../../src/api/localpref-conflicts.js';

const ref = (kind: string, name: string) => ({ kind, namespace: 'metallb-system', name });
const advOf = (name: string, a: Partial<Advertisement>): Advertisement => ({
  ref: ref('BGPAdvertisement', name), aggregationLength: 32, aggregationLengthV6: 128, localPref: 0, communities: [],
  ipAddressPools: [], ipAddressPoolSelectors: [], nodeSelectors: [], peers: [], serviceSelectors: [], ...a,
});
const dual: Pool = {
  ref: ref('IPAddressPool', 'dual'),
  labels: {},
  ranges: [
    { text: '10.0.0.0/24', family: 'ipv4', cidrs: ['10.0.0.0/24'], first: 0n, last: 255n },
    { text: '2001:db8::/64', family: 'ipv6', cidrs: ['2001:db8::/64'], first: 0n, last: 1n },
  ],
};

function run(advs: Advertisement[], share = true): string[] {
  const problems = new Problems();
  checkLocalPrefCompatibility(advs, [dual], () => share, problems);
  return problems.list.map(formatProblem);
}

describe('checkLocalPrefCompatibility', () => {
  test('a dual-stack pool needs both lengths to differ', () => {
    expect(run([advOf('a', { localPref: 1 }), advOf('b', { localPref: 2, aggregationLength: 24 })])).toHaveLength(1);
    expect(run([advOf('a', { localPref: 1 }), advOf('b', { localPref: 2, aggregationLength: 24, aggregationLengthV6: 64 })])).toEqual([]);
  });
  test('shareNode decides', () => {
    expect(run([advOf('a', { localPref: 1 }), advOf('b', { localPref: 2 })], false)).toEqual([]);
  });
  test('one problem per pair, on the advertisement that sorts later', () => {
    expect(run([advOf('z', { localPref: 1 }), advOf('b', { localPref: 2 }), advOf('c', { localPref: 2 })])).toEqual([
      'BGPAdvertisement metallb-system/z: spec.localPref: localPref 1 conflicts with localPref 2 of BGPAdvertisement b: both advertise pool dual with the same aggregation length to the same peers from the same nodes, and a prefix can carry only one LOCAL_PREF; use the same localPref, or give them different aggregation lengths, disjoint peers or disjoint nodeSelectors',
      'BGPAdvertisement metallb-system/z: spec.localPref: localPref 1 conflicts with localPref 2 of BGPAdvertisement c: both advertise pool dual with the same aggregation length to the same peers from the same nodes, and a prefix can carry only one LOCAL_PREF; use the same localPref, or give them different aggregation lengths, disjoint peers or disjoint nodeSelectors',
    ]);
  });
});
