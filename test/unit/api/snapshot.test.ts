import { describe, expect, test } from '@jest/globals';
import { decodeDocuments } from '../../../src/api/decode.js';
import { buildSnapshot } from '../../../src/api/snapshot.js';
import { adv, build, doc, errors, NS, peer, pool, warnings } from './helpers.js';

const base = { myASN: 64500, peerASN: 64501, peerAddress: '10.0.0.1' };

describe('buildSnapshot', () => {
  // MetalLB lists its kinds in its own namespace only: objects elsewhere are never read, so they
  // are ignored (with a warning), never an error that would block the node.
  test('MetalLB kinds without namespace land in the MetalLB namespace; others are ignored with a warning', () => {
    const { snapshot, problems } = build(
      doc({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'p1' }, spec: base }) +
        doc({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'x', namespace: 'default' }, spec: { addresses: ['10.0.0.0/24'] } }) +
        doc({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'Broken Name', namespace: 'other' }, spec: { peerAddress: 'nonsense' } }),
    );
    expect(snapshot.peers.map((p) => p.ref.namespace)).toEqual([NS]);
    expect(snapshot.pools).toEqual([]);
    expect(errors(problems)).toEqual([]);
    expect(warnings(problems)).toEqual([
      'IPAddressPool default/x: metadata.namespace: "default" is not "metallb-system", the only namespace MetalLB reads IPAddressPool objects from, so this object is ignored: move it there or remove metadata.namespace to use it',
      'BGPPeer other/"Broken Name": metadata.namespace: "other" is not "metallb-system", the only namespace MetalLB reads BGPPeer objects from, so this object is ignored: move it there or remove metadata.namespace to use it',
    ]);
  });

  test('the same object in two files is an error naming both', () => {
    const a = decodeDocuments(peer('p1', base), 'a.yaml');
    const b = decodeDocuments(peer('p1', { ...base, peerAddress: '10.0.0.2' }), 'b.yaml');
    const { snapshot, problems } = buildSnapshot([...a.objects, ...b.objects], { metallbNamespace: NS });
    expect(snapshot.peers.map((p) => p.address)).toEqual(['10.0.0.1']);
    expect(errors(problems)).toEqual(['BGPPeer metallb-system/p1: is defined twice, in "a.yaml" and in "b.yaml": keep one definition']);
  });

  test('a v1beta1 and a v1beta2 BGPPeer with one name are the same object', () => {
    const { problems } = build(peer('p1', base, 'metallb.io/v1beta1') + peer('p1', base));
    expect(errors(problems)).toEqual(['BGPPeer metallb-system/p1: is defined twice, in "test.yaml" and in "test.yaml": keep one definition']);
  });

  test('kinds we do not read are ignored; unknown MetalLB versions are errors', () => {
    const { snapshot, problems } = build(
      doc({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'test' } }) +
        doc({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'server', namespace: 'test' }, spec: {} }) +
        doc({ apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'k' } }) +
        doc({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'l2' } }) +
        doc({ apiVersion: 'metallb.io/v1', kind: 'BGPPeer', metadata: { name: 'p' }, spec: base }),
    );
    expect(snapshot.services).toEqual([]);
    expect(errors(problems)).toEqual([
      'BGPPeer metallb-system/p: apiVersion: "metallb.io/v1" is not served for BGPPeer: use "metallb.io/v1beta1" or "metallb.io/v1beta2"',
    ]);
  });

  test('names: missing and invalid', () => {
    const { problems } = build(
      doc({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: {}, spec: base }) + peer('Peer_1', base),
    );
    expect(errors(problems)).toEqual([
      'BGPPeer metallb-system/(unnamed): metadata.name: is missing: every object needs a name (in "test.yaml")',
      `BGPPeer metallb-system/Peer_1: metadata.name: "Peer_1" is not a valid name: names are lowercase DNS-1123 (a-z, 0-9, '-', '.', starting and ending with a letter or digit, at most 253), e.g. "peer"`,
    ]);
  });

  test('lists are sorted by name, and objects with errors are left out', () => {
    const { snapshot } = build(peer('b', base) + peer('a', { ...base, peerAddress: '10.0.0.2' }) + peer('c', { ...base, myASN: 0 }));
    expect(snapshot.peers.map((p) => p.ref.name)).toEqual(['a', 'b']);
  });

  test('the seed documentation examples', () => {
    const seed = [
      pool('pool1', ['4.4.4.100-4.4.4.200', '2001:100:4::200-2001:100:4::400']),
      pool('pool2', ['5.5.5.100-5.5.5.200', '2001:100:5::200-2001:100:5::400']),
      peer('peer1', { peerAddress: '10.0.0.1', peerASN: 64501, myASN: 64500, routerID: '10.10.10.10' }),
      peer('peer2', { peerAddress: '10.0.0.2', peerASN: 64501, myASN: 64500, routerID: '10.10.10.10' }),
      adv('bgpadvertisement-1', { ipAddressPools: ['pool1'], peers: ['peer1'], communities: ['65535:65282'], aggregationLength: 32, aggregationLengthV6: 128, localPref: 100 }),
      adv('bgpadvertisement-2', { ipAddressPools: ['pool2'], peers: ['peer2'], communities: ['65535:65282'], aggregationLength: 32, aggregationLengthV6: 128, localPref: 100 }),
      peer('frrviavrf', { myASN: 100, peerASN: 200, peerAddress: '192.168.130.1', vrf: 'ens4vrf 1' }),
      pool('first-pool', ['192.169.10.0/32']),
      adv('first-adv', { ipAddressPools: ['first-pool'], peers: ['frrviavrf 1'] }),
    ].join('');
    const { snapshot, problems } = build(seed);
    expect(errors(problems)).toEqual([
      `BGPPeer metallb-system/frrviavrf: spec.vrf: "ens4vrf 1" is not a valid VRF name: use the name of the VRF device (1-15 letters, digits, '_', '-', '.', not starting with '-' or '.'), e.g. "ens4vrf"`,
    ]);
    expect(warnings(problems)).toEqual([
      `BGPAdvertisement metallb-system/first-adv: spec.peers[0]: "frrviavrf 1" names no BGPPeer in metallb-system (it can never match a BGPPeer: names are lowercase DNS-1123 (a-z, 0-9, '-', '.', starting and ending with a letter or digit, at most 253), e.g. "frrviavrf"): the advertisement will reach no such peer`,
    ]);
    expect(snapshot.peers.map((p) => p.ref.name)).toEqual(['peer1', 'peer2']);
    expect(snapshot.advertisements.map((a) => a.ref.name)).toEqual(['bgpadvertisement-1', 'bgpadvertisement-2', 'first-adv']);
  });
});
