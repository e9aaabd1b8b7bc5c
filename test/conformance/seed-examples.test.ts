/**
 * The YAML examples of the seed document (configuring-metallb-bgp-peers.md) on live sessions.
 * The seed's addresses (10.0.0.x, 10.0.20.1, 4.4.4.x, 5.5.5.x, 2620:52:0:88::104, 2001:100:x::)
 * are translated to documentation ranges with the same structure: peers on 192.0.2.0/24 and
 * 2001:db8::/64, pool1 -> 198.51.100.100-200, pool2 -> 203.0.113.100-200. Where an example has
 * no service (it only configures a peer), a pool, an advertisement and a Service are added so
 * there is something to receive; the test names say so.
 */
import {
  bfdPeers,
  describeWithFrr,
  expectBfd,
  expectRoutesNow,
  withoutNetnsVrfLines,
  expectRoutes,
  expectSession,
  expectSessionStaysDown,
  neighbors,
  Scenario,
} from '../harness/index.js';
import { twoNodesOneRouter } from './topologies.js';
import { advertisement, all, bfdProfile, bgpPeer, pool, service } from './manifests.js';

const T = 90_000;

describeWithFrr('seed examples on live BGP sessions', () => {
  let sc: Scenario | undefined;
  afterEach(async () => {
    await sc?.destroy();
    sc = undefined;
  }, T);

  it('single peer (doc-example-peer; seed 10.0.0.1 -> 192.0.2.1, plus a pool, advertisement and Service)', async () => {
    sc = await Scenario.create('seed single peer');
    const [speaker, router] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
    ]);
    await sc.link(speaker.frr, ['192.0.2.10/24'], router, ['192.0.2.1/24']);
    await sc.apply(speaker, {
      'peer.yaml': bgpPeer('doc-example-peer', { peerAddress: '192.0.2.1', peerASN: 64501, myASN: 64500, routerID: '10.10.10.10' }),
      'pool.yaml': all(pool('doc-pool', ['198.51.100.0/24']), advertisement('doc-adv')),
      'svc.yaml': service('web', ['198.51.100.10']),
    });
    const session = await expectSession(router, '192.0.2.10');
    expect(session?.remoteRouterId).toBe('10.10.10.10');
    expect(session?.remoteAs).toBe(64500);
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.10/32', asPath: '64500', fromPeers: ['192.0.2.10'] }]);
  }, T);

  const poolsPerPeer = (asn: { my: number; peer: number }, localPref: number) => ({
    'bgppeer1.yaml': bgpPeer('peer1', { peerAddress: '192.0.2.1', peerASN: asn.peer, myASN: asn.my, routerID: '10.10.10.10' }),
    'bgppeer2.yaml': bgpPeer('peer2', { peerAddress: '192.0.2.2', peerASN: asn.peer, myASN: asn.my, routerID: '10.10.10.10' }),
    'ipaddresspool1.yaml': pool('pool1', ['198.51.100.100-198.51.100.200', '2001:db8:4::200-2001:db8:4::400']),
    'ipaddresspool2.yaml': pool('pool2', ['203.0.113.100-203.0.113.200', '2001:db8:5::200-2001:db8:5::400']),
    'bgpadvertisement1.yaml': advertisement('bgpadvertisement-1', {
      ipAddressPools: ['pool1'],
      peers: ['peer1'],
      communities: ['65535:65282'],
      aggregationLength: 32,
      aggregationLengthV6: 128,
      localPref: localPref,
    }),
    'bgpadvertisement2.yaml': advertisement('bgpadvertisement-2', {
      ipAddressPools: ['pool2'],
      peers: ['peer2'],
      communities: ['65535:65282'],
      aggregationLength: 32,
      aggregationLengthV6: 128,
      localPref: localPref,
    }),
    'services.yaml': all(
      service('web', ['198.51.100.100', '2001:db8:4::200'], { ipFamilyPolicy: 'PreferDualStack' }, 'shop'),
      service('api', ['203.0.113.100'], {}, 'shop'),
    ),
  });

  async function poolsPerPeerTopology(s: Scenario, routerAsn: number, speakerAsn: number) {
    const [speaker, peer1, peer2] = await Promise.all([
      s.speaker('worker-0'),
      s.router({ asn: routerAsn, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: speakerAsn }] }),
      s.router({ asn: routerAsn, routerId: '192.0.2.2', neighbors: [{ address: '192.0.2.10', remoteAs: speakerAsn }] }),
    ]);
    await s.lan([
      [speaker.frr, ['192.0.2.10/24']],
      [peer1, ['192.0.2.1/24']],
      [peer2, ['192.0.2.2/24']],
    ]);
    return { speaker, peer1, peer2 };
  }

  it("pool1/pool2 with peer1/peer2 as written (eBGP): pool1's service reaches only peer1 and pool2's only peer2, with no-advertise; no IPv6 prefix on IPv4 peers", async () => {
    sc = await Scenario.create('seed pools per peer');
    const { speaker, peer1, peer2 } = await poolsPerPeerTopology(sc, 64501, 64500);
    await sc.apply(speaker, poolsPerPeer({ my: 64500, peer: 64501 }, 100));
    // eBGP: LOCAL_PREF is not sent, so the router has none from the speaker (localPref: 100 only applies to iBGP).
    await expectRoutes(peer1, 'ipv4', [{ prefix: '198.51.100.100/32', asPath: '64500', communities: ['65535:65282'], localPref: null }]);
    await expectRoutes(peer2, 'ipv4', [{ prefix: '203.0.113.100/32', asPath: '64500', communities: ['65535:65282'], localPref: null }]);
    await expectRoutes(peer1, 'ipv6', []);
    await expectRoutes(peer2, 'ipv6', []);
  }, T);

  it('pool1/pool2 with peer1/peer2 over iBGP (peerASN = myASN = 64500, localPref 200 instead of 100 so it differs from the default): local-pref arrives', async () => {
    sc = await Scenario.create('seed pools per peer ibgp');
    const { speaker, peer1, peer2 } = await poolsPerPeerTopology(sc, 64500, 64500);
    await sc.apply(speaker, poolsPerPeer({ my: 64500, peer: 64500 }, 200));
    await expectRoutes(peer1, 'ipv4', [{ prefix: '198.51.100.100/32', asPath: '', communities: ['65535:65282'], localPref: 200 }]);
    await expectRoutes(peer2, 'ipv4', [{ prefix: '203.0.113.100/32', asPath: '', communities: ['65535:65282'], localPref: 200 }]);
  }, T);

  it('node selectors (doc-example-nodesel, plus a pool, advertisement and Service): only compute-1 peers and announces; compute-3 has no session', async () => {
    sc = await Scenario.create('seed node selectors');
    const { a: compute1, b: compute3, router } = await twoNodesOneRouter(sc, ['compute-1.example.com', 'compute-3.example.com'], ['192.0.2.11', '192.0.2.13']);
    const manifests = {
      'peer.yaml': bgpPeer('doc-example-nodesel', {
        peerAddress: '192.0.2.1',
        peerASN: 64501,
        myASN: 64500,
        nodeSelectors: [
          { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['compute-1.example.com', 'compute-2.example.com'] }] },
        ],
      }),
      'pool.yaml': all(pool('doc-pool', ['198.51.100.0/24']), advertisement('doc-adv')),
      'svc.yaml': service('web', ['198.51.100.10']),
    };
    const [, applied3] = await Promise.all([sc.apply(compute1, manifests), sc.apply(compute3, manifests)]);
    expect(applied3.config).not.toMatch(/neighbor 192\.0\.2\.1 /);
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.10/32', asPath: '64500', fromPeers: ['192.0.2.11'] }]);
    await expectSessionStaysDown(router, '192.0.2.13', 1_000);
    expect((await neighbors(router)).map((n) => `${n.id} ${n.state === 'Established' ? 'up' : 'down'}`)).toEqual([
      '192.0.2.11 up',
      '192.0.2.13 down',
    ]);
  }, T);

  it('BFD profile peer (doc-example-peer-bfd, seed 10.0.20.1 -> 192.0.2.1) with holdTime 10s: BFD up with the profile intervals, hold time 10 s', async () => {
    sc = await Scenario.create('seed bfd profile');
    const [speaker, router] = await Promise.all([
      sc.speaker('worker-0'),
      // FRR's default timers on the router, so the speaker's holdTime decides the negotiated one.
      sc.router({ asn: 64501, routerId: '192.0.2.1', timers: null, neighbors: [{ address: '192.0.2.10', remoteAs: 64500, bfd: true }] }),
    ]);
    await sc.link(speaker.frr, ['192.0.2.10/24'], router, ['192.0.2.1/24']);
    await sc.apply(speaker, {
      'bfdprofile.yaml': bfdProfile('doc-example-bfd-profile-full', {
        receiveInterval: 35,
        transmitInterval: 35,
        detectMultiplier: 37,
        echoMode: true,
        echoInterval: 35,
        passiveMode: true,
        minimumTtl: 10,
      }),
      'bgppeer.yaml': bgpPeer('doc-example-peer-bfd', {
        peerAddress: '192.0.2.1',
        peerASN: 64501,
        myASN: 64500,
        holdTime: '10s',
        bfdProfile: 'doc-example-bfd-profile-full',
      }),
    });
    const session = await expectSession(router, '192.0.2.10');
    expect({ hold: session?.holdTimeMsecs, keepalive: session?.keepaliveMsecs }).toEqual({ hold: 10_000, keepalive: 3_000 });
    await expectBfd(
      speaker.frr,
      'peer 192.0.2.1 up, receive 35 ms, transmit 35 ms, multiplier 37, passive',
      (peers) =>
        peers.some(
          (p) =>
            p.peer === '192.0.2.1' &&
            p.status === 'up' &&
            p.receiveInterval === 35 &&
            p.transmitInterval === 35 &&
            p.detectMultiplier === 37 &&
            p.passiveMode !== false,
        ),
    );
    // The router sees the speaker's side of the negotiation.
    await expectBfd(router, 'peer 192.0.2.10 up, remote multiplier 37, remote receive 35 ms', (peers) =>
      peers.some((p) => p.peer === '192.0.2.10' && p.status === 'up' && p.remoteDetectMultiplier === 37 && p.remoteReceiveInterval === 35),
    );
    expect((await bfdPeers(speaker.frr)).length).toBe(1);
  }, T);

  it('dual-stack peers (doc-example-dual-stack-ipv4/-ipv6, iBGP; seed 10.0.20.1 / 2620:52:0:88::104 -> 192.0.2.1 / 2001:db8::1): each family only on its own session', async () => {
    sc = await Scenario.create('seed dual stack');
    const [speaker, router] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({
        asn: 64500,
        routerId: '192.0.2.1',
        // Both families offered on both sessions: a prefix of the wrong family would show up.
        neighbors: [
          { address: '192.0.2.10', remoteAs: 64500, families: ['ipv4', 'ipv6'] },
          { address: '2001:db8::10', remoteAs: 64500, families: ['ipv4', 'ipv6'] },
        ],
      }),
    ]);
    await sc.link(speaker.frr, ['192.0.2.10/24', '2001:db8::10/64'], router, ['192.0.2.1/24', '2001:db8::1/64']);
    await sc.apply(speaker, {
      'bgppeers.yaml': all(
        bgpPeer('doc-example-dual-stack-ipv4', { peerAddress: '192.0.2.1', peerASN: 64500, myASN: 64500 }),
        bgpPeer('doc-example-dual-stack-ipv6', { peerAddress: '2001:db8::1', peerASN: 64500, myASN: 64500 }),
      ),
      'pool-and-advertisement.yaml': all(
        pool('dual-stack-pool', ['203.0.113.16/28', '2001:db8:8::/120']),
        advertisement('dual-stack-adv', { ipAddressPools: ['dual-stack-pool'] }),
      ),
      'service.yaml': service('web', ['203.0.113.17', '2001:db8:8::11'], { ipFamilyPolicy: 'RequireDualStack' }),
    });
    await expectRoutes(router, 'ipv4', [{ prefix: '203.0.113.17/32', asPath: '', fromPeers: ['192.0.2.10'], localPref: 100 }]);
    await expectRoutes(router, 'ipv6', [{ prefix: '2001:db8:8::11/128', asPath: '', fromPeers: ['2001:db8::10'], localPref: 100 }]);
  }, T);

  it('VRF peer (frrviavrf with first-pool and a LoadBalancer Service; seed 192.168.130.1 -> 203.0.113.1, vrf ens4vrf -> a netns VRF): the router in the VRF learns the route, the default-VRF router does not', async () => {
    sc = await Scenario.create('seed vrf');
    // The kernel has no VRF devices: FRR's netns backend, the VRF is a namespace named after it
    // (at most 15 characters, a Linux interface name, as the renderer checks).
    const vrf = await sc.namespace('v', 15);
    const [speaker, inVrf, inDefault] = await Promise.all([
      sc.speaker('worker-0', { netnsVrfs: true }),
      sc.router({ asn: 200, routerId: '203.0.113.1', neighbors: [{ address: '203.0.113.10', remoteAs: 100 }] }),
      sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 100 }] }),
    ]);
    await sc.link(speaker.frr, ['192.0.2.10/24'], inDefault, ['192.0.2.1/24']);
    await sc.link(vrf, ['203.0.113.10/24'], inVrf, ['203.0.113.1/24']);
    const applied = await sc.apply(speaker, {
      'frrviavrf.yaml': bgpPeer('frrviavrf', { myASN: 100, peerASN: 200, peerAddress: '203.0.113.1', vrf }),
      'default-peer.yaml': bgpPeer('default-peer', { myASN: 100, peerASN: 64501, peerAddress: '192.0.2.1' }),
      'first-pool.yaml': pool('first-pool', ['198.51.100.10/32']),
      'first-adv.yaml': advertisement('first-adv', { ipAddressPools: ['first-pool'], peers: ['frrviavrf'] }),
      'deploy-service.yaml': service('server1', ['198.51.100.10'], {}, 'test'),
    });
    expect(applied.config).toContain(`router bgp 100 vrf ${vrf}`);
    await expectRoutes(inVrf, 'ipv4', [{ prefix: '198.51.100.10/32', asPath: '100', fromPeers: ['203.0.113.10'] }]);
    // The default-VRF session is up (so it could have received it) and carries nothing.
    await expectSession(inDefault, '192.0.2.10');
    await expectRoutesNow(inDefault, 'ipv4', []);
    // The speaker holds the route in the VRF's table only.
    await expectRoutesNow(speaker.frr, 'ipv4', [{ prefix: '198.51.100.10/32', asPath: '' }], { vrf });
    await expectRoutesNow(speaker.frr, 'ipv4', []);
    expect(withoutNetnsVrfLines(await speaker.frr.testReload(applied.file))).toEqual({ toDelete: [], toAdd: [] });
  }, T);
});
