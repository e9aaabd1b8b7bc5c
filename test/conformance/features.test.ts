/**
 * MetalLB features on live sessions: what each router receives (prefixes, AS path, communities,
 * large communities, local-pref) and the sessions themselves. Links use 192.0.2.0/24,
 * 203.0.113.0/24 and 2001:db8::/64; services 198.51.100.0/24 and 2001:db8:N::/64.
 */
import {
  addAddress,
  addRoute,
  configure,
  describeWithFrr,
  expectRoutes,
  expectRoutesNow,
  expectSession,
  expectSessionStaysDown,
  neighbors,
  Scenario,
} from '../harness/index.js';
import { twoNodesOneRouter } from './topologies.js';
import { advertisement, all, bgpPeer, communityAliases, endpointSlice, passwordSecret, pool, service } from './manifests.js';

const T = 90_000;

describeWithFrr('MetalLB features on live BGP sessions', () => {
  let sc: Scenario | undefined;
  afterEach(async () => {
    await sc?.destroy();
    sc = undefined;
  }, T);

  it('aggregationLength 24 / aggregationLengthV6 64: three IPv4 services arrive as one /24, two IPv6 services as one /64', async () => {
    sc = await Scenario.create('aggregation');
    const [speaker, router] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({
        asn: 64501,
        routerId: '192.0.2.1',
        neighbors: [
          { address: '192.0.2.10', remoteAs: 64500 },
          { address: '2001:db8::10', remoteAs: 64500 },
        ],
      }),
    ]);
    await sc.link(speaker.frr, ['192.0.2.10/24', '2001:db8::10/64'], router, ['192.0.2.1/24', '2001:db8::1/64']);
    await sc.apply(speaker, {
      'peers.yaml': all(
        bgpPeer('router', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' }),
        bgpPeer('router-v6', { myASN: 64500, peerASN: 64501, peerAddress: '2001:db8::1' }),
      ),
      'pool.yaml': all(
        pool('agg', ['198.51.100.0/24', '2001:db8:25::/64']),
        advertisement('aggregate', { ipAddressPools: ['agg'], aggregationLength: 24, aggregationLengthV6: 64 }),
      ),
      'svc.yaml': all(
        service('a', ['198.51.100.10']),
        service('b', ['198.51.100.20']),
        service('c', ['198.51.100.200']),
        service('d', ['2001:db8:25::10']),
        service('e', ['2001:db8:25::ff:1']),
      ),
    });
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.0/24', asPath: '64500', fromPeers: ['192.0.2.10'] }]);
    await expectRoutes(router, 'ipv6', [{ prefix: '2001:db8:25::/64', asPath: '64500', fromPeers: ['2001:db8::10'] }]);
  }, T);

  it('externalTrafficPolicy Local with two nodes peering with one router: only the node with a ready endpoint announces; a Cluster service comes from both', async () => {
    sc = await Scenario.create('etp local');
    const { a: node0, b: node1, router } = await twoNodesOneRouter(sc, ['worker-0', 'worker-1'], ['192.0.2.11', '192.0.2.12']);
    const manifests = {
      'metallb.yaml': all(
        bgpPeer('router', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' }),
        pool('p', ['198.51.100.0/24']),
        advertisement('all'),
      ),
      'local.yaml': all(
        service('local-here', ['198.51.100.32'], { externalTrafficPolicy: 'Local' }),
        endpointSlice('local-here', [
          { node: 'worker-0', ready: true, address: '10.128.0.10' },
          { node: 'worker-1', ready: false, address: '10.128.1.10' },
        ]),
      ),
      'cluster.yaml': all(
        service('cluster-wide', ['198.51.100.33'], { externalTrafficPolicy: 'Cluster' }),
        endpointSlice('cluster-wide', [{ node: 'worker-1', ready: true, address: '10.128.1.11' }]),
      ),
    };
    await Promise.all([sc.apply(node0, manifests), sc.apply(node1, manifests)]);
    await expectRoutes(router, 'ipv4', [
      { prefix: '198.51.100.32/32', asPath: '64500', fromPeers: ['192.0.2.11'] },
      { prefix: '198.51.100.33/32', asPath: '64500', fromPeers: ['192.0.2.11', '192.0.2.12'] },
    ]);
  }, T);

  it('Community aliases and large communities (literal and aliased) arrive on the route', async () => {
    sc = await Scenario.create('communities');
    const [speaker, router] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
    ]);
    await sc.link(speaker.frr, ['192.0.2.10/24'], router, ['192.0.2.1/24']);
    await sc.apply(speaker, {
      'all.yaml': all(
        bgpPeer('router', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' }),
        pool('p', ['198.51.100.0/24']),
        advertisement('with-aliases', { ipAddressPools: ['p'], communities: ['office', '64500:200', 'large:64500:300:2', 'big-one', 'no-export-alias'] }),
        communityAliases('communities', [
          ['office', '64500:100'],
          ['big-one', 'large:4200000000:1:1'],
          ['no-export-alias', '65535:65281'],
        ]),
        service('web', ['198.51.100.26']),
      ),
    });
    await expectRoutes(router, 'ipv4', [
      {
        prefix: '198.51.100.26/32',
        asPath: '64500',
        communities: ['64500:100', '64500:200', '65535:65281'],
        largeCommunities: ['64500:300:2', '4200000000:1:1'],
      },
    ]);
  }, T);

  it('several advertisements on one pool: peer-a gets 64500:1, peer-b (named by the second one) gets 64500:1 and 64500:2', async () => {
    sc = await Scenario.create('multiple advertisements');
    const [speaker, a, b] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
      sc.router({ asn: 64501, routerId: '192.0.2.2', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
    ]);
    await sc.lan([
      [speaker.frr, ['192.0.2.10/24']],
      [a, ['192.0.2.1/24']],
      [b, ['192.0.2.2/24']],
    ]);
    await sc.apply(speaker, {
      'all.yaml': all(
        bgpPeer('peer-a', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' }),
        bgpPeer('peer-b', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.2' }),
        pool('p', ['198.51.100.0/24']),
        advertisement('to-all', { ipAddressPools: ['p'], communities: ['64500:1'] }),
        advertisement('to-b-only', { ipAddressPools: ['p'], peers: ['peer-b'], communities: ['64500:2'] }),
        service('web', ['198.51.100.29']),
      ),
    });
    await expectRoutes(a, 'ipv4', [{ prefix: '198.51.100.29/32', asPath: '64500', communities: ['64500:1'] }]);
    await expectRoutes(b, 'ipv4', [{ prefix: '198.51.100.29/32', asPath: '64500', communities: ['64500:1', '64500:2'] }]);
  }, T);

  it('password from a Secret: the session with the same TCP-MD5 password establishes, one with another password never does', async () => {
    sc = await Scenario.create('password secret');
    const [speaker, good, bad] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500, password: 'conformance-secret-1' }] }),
      sc.router({ asn: 64501, routerId: '192.0.2.2', neighbors: [{ address: '192.0.2.10', remoteAs: 64500, password: 'some-other-secret' }] }),
    ]);
    await sc.lan([
      [speaker.frr, ['192.0.2.10/24']],
      [good, ['192.0.2.1/24']],
      [bad, ['192.0.2.2/24']],
    ]);
    const applied = await sc.apply(speaker, {
      'peers.yaml': all(
        bgpPeer('good', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', passwordSecret: { name: 'bgp-password', namespace: 'metallb-system' } }),
        bgpPeer('bad', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.2', passwordSecret: { name: 'bgp-password', namespace: 'metallb-system' } }),
      ),
      'secret.yaml': passwordSecret('bgp-password', 'conformance-secret-1'),
      'pool.yaml': all(pool('p', ['198.51.100.0/24']), advertisement('all'), service('web', ['198.51.100.40'])),
    });
    expect(applied.config).toContain(' neighbor 192.0.2.1 password conformance-secret-1');
    await expectRoutes(good, 'ipv4', [{ prefix: '198.51.100.40/32', asPath: '64500' }]);
    await expectSessionStaysDown(bad, '192.0.2.10', 3_000);
    await expectRoutesNow(bad, 'ipv4', []);
  }, T);

  it('ebgpMultiHop: a router behind a routed hop peers only once ebgpMultiHop is set (TTL 1 dies at the hop before)', async () => {
    sc = await Scenario.create('ebgp multihop');
    const [speaker, router] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64501, routerId: '203.0.113.2', neighbors: [{ address: '192.0.2.2', remoteAs: 64500, ebgpMultihop: 255 }] }),
    ]);
    const hop = await sc.namespace('hop');
    await sc.link(speaker.frr, ['192.0.2.2/28'], hop, ['192.0.2.1/28']);
    await sc.link(hop, ['203.0.113.1/28'], router, ['203.0.113.2/28']);
    await addRoute(speaker.frr.namespace, '203.0.113.0/28', '192.0.2.1');
    await addRoute(router.namespace, '192.0.2.0/28', '203.0.113.1');
    const manifests = (multihop: boolean) => ({
      'all.yaml': all(
        bgpPeer('multihop-v4', { myASN: 64500, peerASN: 64501, peerAddress: '203.0.113.2', ebgpMultiHop: multihop }),
        pool('p', ['198.51.100.0/24']),
        advertisement('all'),
        service('web', ['198.51.100.41']),
      ),
    });
    await sc.apply(speaker, manifests(false));
    await expectSessionStaysDown(router, '192.0.2.2', 3_000);
    await sc.apply(speaker, manifests(true));
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.41/32', asPath: '64500', fromPeers: ['192.0.2.2'] }]);
  }, T);

  it('dynamicASN external and internal: sessions come up with whatever ASN the router has, eBGP and iBGP as the router sees them', async () => {
    sc = await Scenario.create('dynamic asn');
    const [speaker, ext, int] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64777, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
      sc.router({ asn: 64500, routerId: '192.0.2.2', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
    ]);
    await sc.lan([
      [speaker.frr, ['192.0.2.10/24']],
      [ext, ['192.0.2.1/24']],
      [int, ['192.0.2.2/24']],
    ]);
    await sc.apply(speaker, {
      'all.yaml': all(
        bgpPeer('dyn-ext', { myASN: 64500, dynamicASN: 'external', peerAddress: '192.0.2.1' }),
        bgpPeer('dyn-int', { myASN: 64500, dynamicASN: 'internal', peerAddress: '192.0.2.2' }),
        pool('p', ['198.51.100.0/24']),
        advertisement('all'),
        service('web', ['198.51.100.42']),
      ),
    });
    await expectRoutes(ext, 'ipv4', [{ prefix: '198.51.100.42/32', asPath: '64500', localPref: null }]);
    await expectRoutes(int, 'ipv4', [{ prefix: '198.51.100.42/32', asPath: '', localPref: 100 }]);
  }, T);

  it('localASN: the router sees the speaker as AS 64510 (no-prepend replace-as: myASN 64500 never shows in the AS path)', async () => {
    sc = await Scenario.create('local asn');
    const [speaker, router] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64510 }] }),
    ]);
    await sc.link(speaker.frr, ['192.0.2.10/24'], router, ['192.0.2.1/24']);
    await sc.apply(speaker, {
      'all.yaml': all(
        bgpPeer('local-as', { myASN: 64500, peerASN: 64501, localASN: 64510, peerAddress: '192.0.2.1' }),
        pool('p', ['198.51.100.0/24']),
        advertisement('all'),
        service('web', ['198.51.100.43']),
      ),
    });
    const session = await expectSession(router, '192.0.2.10');
    expect(session?.remoteAs).toBe(64510);
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.43/32', asPath: '64510' }]);
  }, T);

  it('unnumbered interface peer: IPv6 link-local session over a veth carries both IPv4 and IPv6 services', async () => {
    sc = await Scenario.create('unnumbered');
    const [speaker, router] = await Promise.all([sc.speaker('worker-0'), sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [] })]);
    const link = await sc.link(speaker.frr, [], router, []);
    // A node always has some IPv4 address; without one bgpd's router ID is 0.0.0.0 and the
    // router rejects the OPEN (Bad BGP Identifier). The link itself stays unnumbered.
    await addAddress(speaker.frr.namespace, '192.0.2.10/32');
    await configure(router, [
      'router bgp 64501',
      `neighbor ${link.interface} interface remote-as 64500`,
      `neighbor ${link.interface} timers connect 1`,
      'address-family ipv4 unicast',
      `neighbor ${link.interface} activate`,
      'exit-address-family',
      'address-family ipv6 unicast',
      `neighbor ${link.interface} activate`,
      'exit-address-family',
    ]);
    await sc.apply(speaker, {
      'all.yaml': all(
        bgpPeer('unnumbered', { myASN: 64500, peerASN: 64501, interface: link.interface }),
        pool('dual', ['198.51.100.0/24', '2001:db8:12::/120']),
        advertisement('all'),
        service('web', ['198.51.100.12', '2001:db8:12::12']),
      ),
    });
    await expectSession(router, link.interface);
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.12/32', asPath: '64500' }]);
    await expectRoutes(router, 'ipv6', [{ prefix: '2001:db8:12::12/128', asPath: '64500' }]);
  }, T);

  it('graceful restart: the peer with enableGracefulRestart announces restart mode, the other only helper', async () => {
    sc = await Scenario.create('graceful restart');
    const [speaker, gr, plain] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
      sc.router({ asn: 64501, routerId: '192.0.2.2', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
    ]);
    await sc.lan([
      [speaker.frr, ['192.0.2.10/24']],
      [gr, ['192.0.2.1/24']],
      [plain, ['192.0.2.2/24']],
    ]);
    // FRR 8.4.4 + frr-reload.py: adding `neighbor X graceful-restart` makes the reload exit 1
    // (its second internal pass re-sends the line and bgpd answers "not valid at this moment")
    // although the running config ends right; applyConfig verifies with --test instead of
    // trusting the exit code, so this apply must succeed.
    await sc.apply(speaker, {
      'all.yaml': all(
        bgpPeer('gr', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', enableGracefulRestart: true }),
        bgpPeer('plain', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.2' }),
        pool('p', ['198.51.100.0/24']),
        advertisement('all'),
        service('web', ['198.51.100.44']),
      ),
    });
    await expectRoutes(gr, 'ipv4', [{ prefix: '198.51.100.44/32', asPath: '64500' }]);
    await expectRoutes(plain, 'ipv4', [{ prefix: '198.51.100.44/32', asPath: '64500' }]);
    const modes = {
      gr: (await neighbors(gr)).find((n) => n.id === '192.0.2.10')?.remoteGrMode,
      plain: (await neighbors(plain)).find((n) => n.id === '192.0.2.10')?.remoteGrMode,
    };
    expect(modes).toEqual({ gr: 'Restart', plain: 'Helper' });
  }, T);
});
