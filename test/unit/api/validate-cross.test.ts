import { describe, expect, test } from '@jest/globals';
import { adv, build, doc, errors, NS, peer, pool, warnings } from './helpers.js';

const base = { myASN: 64500, peerASN: 64501, peerAddress: '10.0.0.1' };
const bfd = (name: string, spec: Record<string, unknown>) =>
  doc({ apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name, namespace: NS }, spec });
const node = (name: string, labels: Record<string, string>) => doc({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels } });

describe('cross-object checks', () => {
  test('CIDR overlaps between and within pools', () => {
    const { problems } = build(pool('a', ['10.0.0.0/24']) + pool('b', ['10.0.0.100-10.0.0.200', '10.1.0.0/16', '10.1.2.0/24']));
    expect(errors(problems)).toEqual([
      'IPAddressPool metallb-system/b: spec.addresses[0]: CIDR 10.0.0.100/30 in pool b overlaps with CIDR 10.0.0.0/24 in pool a: an address can belong to one pool only; remove the overlap',
      'IPAddressPool metallb-system/b: spec.addresses[2]: CIDR 10.1.2.0/24 in pool b overlaps with CIDR 10.1.0.0/16 in pool b: an address can belong to one pool only; remove the overlap',
    ]);
    expect(errors(build(pool('a', ['10.0.0.0/25']) + pool('b', ['10.0.0.128/25', '2001:db8::/64'])).problems)).toEqual([]);
  });

  // MetalLB's duplicate check compares whole objects, names included (validateDuplicateBGPAdvertisements),
  // so two objects with one spec are accepted: a warning for the redundancy, never an error.
  test('two advertisements with equal specs are accepted, with a warning', () => {
    const { snapshot, problems } = build(adv('a1', { aggregationLength: 32, peers: ['x'] }) + adv('a2', { peers: ['x'] }) + peer('x', base));
    expect(errors(problems)).toEqual([]);
    expect(snapshot.advertisements.map((a) => a.ref.name)).toEqual(['a1', 'a2']);
    expect(warnings(problems)).toEqual([
      'BGPAdvertisement metallb-system/a2: spec: is the same as the spec of BGPAdvertisement a1: both apply and announce the same prefixes with the same attributes; one of them can go',
    ]);
    // Control: a different spec gives no warning.
    expect(warnings(build(adv('a1', { peers: ['x'] }) + adv('a2', { peers: ['x'], localPref: 7 }) + peer('x', base)).problems)).toEqual([]);
  });

  test('aggregation length against the pools it applies to, per family', () => {
    const pools = pool('p4', ['4.4.4.100-4.4.4.200'], { tier: 'x' }) + pool('p6', ['2001:db8::/64']) + pool('other', ['10.0.0.0/16']);
    expect(errors(build(pools + adv('a', { ipAddressPools: ['p4'], aggregationLength: 26, aggregationLengthV6: 48 })).problems)).toEqual([]);
    expect(errors(build(pools + adv('a', { ipAddressPoolSelectors: [{ matchLabels: { tier: 'x' } }], aggregationLength: 24 })).problems)).toEqual([
      'BGPAdvertisement metallb-system/a: spec.aggregationLength: 24 is shorter than prefix 4.4.4.128/26 (from "4.4.4.100-4.4.4.200") of pool p4: the aggregate would cover addresses outside the pool; use at least 26',
    ]);
    // No pools named and no selectors: every pool.
    expect(errors(build(pools + adv('a', { aggregationLength: 20, aggregationLengthV6: 32 })).problems)).toEqual([
      'BGPAdvertisement metallb-system/a: spec.aggregationLength: 20 is shorter than prefix 4.4.4.128/26 (from "4.4.4.100-4.4.4.200") of pool p4: the aggregate would cover addresses outside the pool; use at least 26',
      'BGPAdvertisement metallb-system/a: spec.aggregationLengthV6: 32 is shorter than prefix 2001:db8::/64 of pool p6: the aggregate would cover addresses outside the pool; use at least 64',
    ]);
  });

  test('BFD echo mode with an IPv6 pool advertised to the peer', () => {
    const objs =
      bfd('echo', { echoMode: true }) +
      peer('p1', { ...base, bfdProfile: 'echo' }) +
      peer('p2', { ...base, peerAddress: '10.0.0.2' }) +
      pool('v6', ['2001:db8::/64']) +
      pool('v4', ['10.9.0.0/24']);
    expect(errors(build(objs + adv('a', { ipAddressPools: ['v6'], peers: ['p2', 'p1'] })).problems)).toEqual([
      'BGPAdvertisement metallb-system/a: spec.peers[1]: advertises IPv6 pool v6 to BGPPeer p1, whose BFD profile "echo" has echoMode enabled, which does not work with IPv6: disable echoMode or do not advertise IPv6 pools to this peer',
    ]);
    expect(errors(build(objs + adv('a', { ipAddressPools: ['v6'] })).problems)).toHaveLength(1);
    expect(errors(build(objs + adv('a', { ipAddressPools: ['v6'], peers: ['p2'] })).problems)).toEqual([]);
    expect(errors(build(objs + adv('a', { ipAddressPools: ['v4'] })).problems)).toEqual([]);
  });

  test('references: missing peers and pools warn, missing aliases and BFD profiles are errors', () => {
    const { problems } = build(
      pool('p', ['10.0.0.0/24']) + peer('p1', { ...base, bfdProfile: 'nope' }) + adv('a', { peers: ['p1', 'ghost'], ipAddressPools: ['p', 'gone'], communities: ['NO_ADV', '1:1'] }),
    );
    expect(errors(problems)).toEqual([
      'BGPAdvertisement metallb-system/a: spec.communities[0]: "NO_ADV" is not a community value and no Community object defines an alias with this name: define the alias, or use "A:B" or "large:A:B:C"',
      'BGPPeer metallb-system/p1: spec.bfdProfile: "nope" names no BFDProfile in metallb-system: create the profile or remove spec.bfdProfile',
    ]);
    expect(warnings(problems)).toEqual([
      'BGPAdvertisement metallb-system/a: spec.peers[1]: "ghost" names no BGPPeer in metallb-system: the advertisement will reach no such peer',
      'BGPAdvertisement metallb-system/a: spec.ipAddressPools[1]: "gone" names no IPAddressPool in metallb-system: nothing is advertised from it',
    ]);
  });

  test('defined aliases resolve', () => {
    const c = doc({ apiVersion: 'metallb.io/v1beta1', kind: 'Community', metadata: { name: 'c', namespace: NS }, spec: { communities: [{ name: 'NO_ADV', value: '65535:65282' }] } });
    expect(errors(build(c + pool('p', ['10.0.0.0/24']) + adv('a', { communities: ['NO_ADV'] })).problems)).toEqual([]);
  });

  describe('localPref conflicts', () => {
    const lp = (name: string, spec: Record<string, unknown>) => adv(name, { ipAddressPools: ['p'], ...spec });
    const objs = pool('p', ['10.0.0.0/24']) + peer('x', base) + peer('y', { ...base, peerAddress: '10.0.0.2' });
    const conflict =
      'BGPAdvertisement metallb-system/b: spec.localPref: localPref 200 conflicts with localPref 100 of BGPAdvertisement a: both advertise pool p with the same aggregation length to the same peers from the same nodes, and a prefix can carry only one LOCAL_PREF; use the same localPref, or give them different aggregation lengths, disjoint peers or disjoint nodeSelectors';

    test('same pool, same length, different localPref', () => {
      expect(errors(build(objs + lp('a', { localPref: 100 }) + lp('b', { localPref: 200 })).problems)).toEqual([conflict]);
    });
    test('different aggregation lengths for the pool\'s family are compatible', () => {
      expect(errors(build(objs + lp('a', { localPref: 100 }) + lp('b', { localPref: 200, aggregationLength: 24 })).problems)).toEqual([]);
      // Only the v6 length differs, the pool is v4 only: still a conflict.
      expect(errors(build(objs + lp('a', { localPref: 100 }) + lp('b', { localPref: 200, aggregationLengthV6: 64 })).problems)).toEqual([conflict]);
    });
    test('disjoint non-empty peers are compatible; overlapping or empty are not', () => {
      expect(errors(build(objs + lp('a', { localPref: 100, peers: ['x'] }) + lp('b', { localPref: 200, peers: ['y'] })).problems)).toEqual([]);
      expect(errors(build(objs + lp('a', { localPref: 100, peers: ['x'] }) + lp('b', { localPref: 200 })).problems)).toEqual([conflict]);
    });
    test('nodes: disjoint node sets are compatible; with no Node objects they are assumed to share one', () => {
      const a = lp('a', { localPref: 100, nodeSelectors: [{ matchLabels: { zone: 'a' } }] });
      const b = lp('b', { localPref: 200, nodeSelectors: [{ matchLabels: { zone: 'b' } }] });
      expect(errors(build(objs + a + b).problems)).toEqual([conflict]);
      expect(errors(build(objs + a + b + node('n1', { zone: 'a' }) + node('n2', { zone: 'b' })).problems)).toEqual([]);
      expect(errors(build(objs + a + b + node('n1', { zone: 'a' }) + node('n2', { zone: 'b' }) + node('n3', { zone: 'a' })).problems)).toEqual([]);
    });
    test('advertisements with serviceSelectors are left to the per-service check', () => {
      expect(errors(build(objs + lp('a', { localPref: 100 }) + lp('b', { localPref: 200, serviceSelectors: [{ matchLabels: { a: 'b' } }] })).problems)).toEqual([]);
    });
  });
});
