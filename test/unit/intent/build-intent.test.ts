import { formatProblem } from '../../../src/api/problems.js';
import { buildIntent, type IntentOptions } from '../../../src/intent/build-intent.js';
import { DEFAULT_FRR_RELEASE, formsFor } from '../../../src/intent/frr-release.js';
import type { NeighborIntent } from '../../../src/intent/model.js';
import { adv, bfd, peer, pool, service, snapshot } from '../../support/builders.js';

const opts: IntentOptions = { node: 'worker-0', redactPasswords: false, hostname: null, assumeEndpointsReady: true, frr: formsFor(DEFAULT_FRR_RELEASE) };
const pools = [pool('p1', ['198.51.100.0/24', '2001:db8:1::/64'])];

function neighbors(result: ReturnType<typeof buildIntent>): NeighborIntent[] {
  return result.intent!.routers.flatMap((r) => r.neighbors);
}

describe('buildIntent', () => {
  it('activates a neighbor in the families of its configuration only, whatever is announced', () => {
    const peers = [peer('v4', { address: '192.0.2.1' }), peer('v6', { address: '2001:db8::1' }), peer('ds', { address: '192.0.2.3', dualStackAddressFamily: true })];
    const none = buildIntent(snapshot({ peers, pools }), opts);
    const many = buildIntent(
      snapshot({ peers, pools, advertisements: [adv('a')], services: [service('s', 'web', ['198.51.100.1', '2001:db8:1::1'])] }),
      opts,
    );
    for (const r of [none, many]) {
      expect(neighbors(r).map((n) => [n.id, n.ipv4, n.ipv6])).toEqual([
        ['192.0.2.1', true, false],
        ['192.0.2.3', true, true],
        ['2001:db8::1', false, true],
      ]);
    }
  });

  it('sends IPv6 prefixes only to neighbors active in IPv6 (metallb#2858)', () => {
    const peers = [peer('v4', { address: '192.0.2.1' }), peer('v6', { address: '2001:db8::1' })];
    const r = buildIntent(snapshot({ peers, pools, advertisements: [adv('a')], services: [service('s', 'web', ['198.51.100.1', '2001:db8:1::1'])] }), opts);
    const [v4, v6] = neighbors(r);
    expect(v4!.announced.map((a) => a.prefix)).toEqual(['198.51.100.1/32']);
    expect(v6!.announced.map((a) => a.prefix)).toEqual(['2001:db8:1::1/128']);
  });

  it('limits an advertisement to the peers it names', () => {
    const peers = [peer('p1', { address: '192.0.2.1' }), peer('p2', { address: '192.0.2.2' })];
    const r = buildIntent(snapshot({ peers, pools, advertisements: [adv('a', { peers: ['p2'], localPref: 150 })], services: [service('s', 'web', ['198.51.100.1'])] }), opts);
    const [p1, p2] = neighbors(r);
    expect(p1!.outEntries).toEqual([]);
    expect(p2!.outEntries).toEqual([expect.objectContaining({ localPref: 150, communities: null })]);
    expect(r.intent!.routers[0]!.ipv4!.networks.map((n) => n.prefix)).toEqual(['198.51.100.1/32']);
  });

  it('aggregates services into one prefix and keeps each prefix once', () => {
    const r = buildIntent(
      snapshot({ peers: [peer('p')], pools, advertisements: [adv('a', { aggregationLength: 24 })], services: [service('s', 'a', ['198.51.100.1']), service('s', 'b', ['198.51.100.2'])] }),
      opts,
    );
    const n = neighbors(r)[0]!;
    expect(n.announced).toEqual([expect.objectContaining({ prefix: '198.51.100.0/24', services: ['s/a', 's/b'] })]);
  });

  it('disables the connected check only for single-hop eBGP to a plain IPv6 peer', () => {
    const peers = [
      peer('a', { address: '2001:db8::1' }),
      peer('b', { address: '2001:db8::2', peerASN: { kind: 'number', asn: 64500 } }),
      peer('c', { address: '2001:db8::3', ebgpMultiHop: true }),
      peer('d', { address: '2001:db8::4', dualStackAddressFamily: true }),
      peer('e', { address: '192.0.2.5' }),
    ];
    const r = buildIntent(snapshot({ peers }), opts);
    expect(neighbors(r).map((n) => [n.id, n.disableConnectedCheck])).toEqual([
      ['192.0.2.5', false],
      ['2001:db8::1', true],
      ['2001:db8::2', false],
      ['2001:db8::3', false],
      ['2001:db8::4', false],
    ]);
  });

  it('redacts passwords when asked', () => {
    const peers = [peer('p', { password: { kind: 'inline', value: 's3cret' } })];
    expect(neighbors(buildIntent(snapshot({ peers }), opts))[0]!.password).toBe('s3cret');
    expect(neighbors(buildIntent(snapshot({ peers }), { ...opts, redactPasswords: true }))[0]!.password).toBe('<redacted>');
  });

  it('renders only the BFD profiles its peers use, without FRR defaults', () => {
    const r = buildIntent(
      snapshot({ peers: [peer('p', { bfdProfile: 'fast' })], bfdProfiles: [bfd('fast', { receiveInterval: 300, transmitInterval: 100, detectMultiplier: 3 }), bfd('unused')] }),
      opts,
    );
    expect(r.intent!.bfdProfiles).toEqual([expect.objectContaining({ name: 'fast', receiveInterval: null, transmitInterval: 100, detectMultiplier: null })]);
  });

  it('puts VRF peers in their own router, default VRF first', () => {
    const r = buildIntent(snapshot({ peers: [peer('red', { vrf: 'red', myASN: 64600 }), peer('def')] }), opts);
    expect(r.intent!.routers.map((x) => [x.vrf, x.asn, x.neighbors[0]!.id])).toEqual([
      [null, 64500, '192.0.2.1'],
      ['red', 64600, '192.0.2.1-red'],
    ]);
  });

  it('reports per-node conflicts between peers, naming both', () => {
    const peers = [peer('a', { routerID: '10.0.0.1' }), peer('b', { address: '192.0.2.2', routerID: '10.0.0.2', myASN: 64999 })];
    const r = buildIntent(snapshot({ peers }), opts);
    expect(r.intent).toBeUndefined();
    expect(r.problems.map(formatProblem)).toEqual([
      'BGPPeer metallb-system/b: spec.myASN: 64999 differs from 64500 of BGPPeer a in the same VRF (default): peers a and b both select node worker-0, and FRR runs one BGP instance per VRF; use the same myASN',
      'BGPPeer metallb-system/b: spec.routerID: "10.0.0.2" differs from "10.0.0.1" of BGPPeer a: peers a and b both select node worker-0, and FRR has one router ID per node; set the same routerID on both (or on neither)',
    ]);
  });

  it('ignores peers whose nodeSelectors exclude the node', () => {
    const elsewhere = peer('x', { nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'worker-1' }, matchExpressions: [] }] });
    expect(buildIntent(snapshot({ peers: [elsewhere] }), opts).intent!.routers).toEqual([]);
  });
});
