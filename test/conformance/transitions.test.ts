/**
 * Changes on live sessions, applied with `applyConfig` as the sidecar does. After each change the
 * routers' view is asserted, and a change that only touches advertisements (services, pools,
 * BGPAdvertisements) must not reset any session: `connectionsDropped`/`connectionsEstablished`
 * on the routers stay the same. One topology per describe, reused across its steps; every step
 * applies its complete set of manifests, so a failed step does not leave the next one guessing.
 */
import {
  bfdPeers,
  configure,
  describeWithFrr,
  expectBfd,
  expectNoSessionReset,
  expectRoutes,
  expectSession,
  installationUnderTest,
  neighbors,
  Scenario,
  sessionCounters,
  type Manifests,
} from '../harness/index.js';
import type { FrrInstance, Speaker } from '../harness/index.js';
import { advertisement, all, bfdProfile, bgpPeer, passwordSecret, pool, service } from './manifests.js';

const T = 90_000;

describeWithFrr('transitions on live sessions: services, communities, pools, advertisements, peers', () => {
  let sc: Scenario;
  let speaker: Speaker;
  let peer1: FrrInstance;
  let peer2: FrrInstance;

  beforeAll(async () => {
    sc = await Scenario.create('transitions');
    [speaker, peer1, peer2] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
      sc.router({ asn: 64501, routerId: '192.0.2.2', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
    ]);
    await sc.lan([
      [speaker.frr, ['192.0.2.10/24']],
      [peer1, ['192.0.2.1/24']],
      [peer2, ['192.0.2.2/24']],
    ]);
  }, T);
  afterAll(async () => {
    await sc?.destroy();
  }, T);

  const peers = all(
    bgpPeer('peer1', { peerAddress: '192.0.2.1', peerASN: 64501, myASN: 64500 }),
    bgpPeer('peer2', { peerAddress: '192.0.2.2', peerASN: 64501, myASN: 64500 }),
  );
  const pools = all(pool('pool1', ['198.51.100.100-198.51.100.200']), pool('pool2', ['203.0.113.100-203.0.113.200']));
  const adv1 = (o: { peers?: string[]; communities?: string[] } = {}) =>
    advertisement('bgpadvertisement-1', { ipAddressPools: ['pool1'], peers: o.peers ?? ['peer1'], communities: o.communities ?? ['65535:65282'] });
  const adv2 = advertisement('bgpadvertisement-2', { ipAddressPools: ['pool2'], peers: ['peer2'], communities: ['65535:65282'] });
  const web = service('web', ['198.51.100.100']);
  const api = service('api', ['203.0.113.100']);
  const extra = service('extra', ['198.51.100.101']);

  function state(over: Partial<Record<'peers' | 'pools' | 'advs' | 'services', string>>): Manifests {
    const m: Record<string, string> = {
      'peers.yaml': over.peers ?? peers,
      'pools.yaml': over.pools ?? pools,
      'advs.yaml': over.advs ?? all(adv1(), adv2),
      'services.yaml': over.services ?? all(web, api),
    };
    return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== ''));
  }

  /** Applies a change that only touches advertisements and checks no router session was reset by it. */
  async function advertisementOnlyChange(change: string, manifests: Manifests, converged: () => Promise<void>): Promise<void> {
    const before1 = await sessionCounters(peer1);
    const before2 = await sessionCounters(peer2);
    await sc.apply(speaker, manifests);
    await converged();
    await expectNoSessionReset(peer1, before1, change);
    await expectNoSessionReset(peer2, before2, change);
  }

  it('baseline (seed pool1/pool2 -> peer1/peer2): each router receives its pool with no-advertise', async () => {
    await sc.apply(speaker, state({}));
    await expectRoutes(peer1, 'ipv4', [{ prefix: '198.51.100.100/32', asPath: '64500', communities: ['65535:65282'] }]);
    await expectRoutes(peer2, 'ipv4', [{ prefix: '203.0.113.100/32', asPath: '64500', communities: ['65535:65282'] }]);
    await expectSession(peer1, '192.0.2.10');
    await expectSession(peer2, '192.0.2.10');
  }, T);

  it('add a service: peer1 receives it, no session resets', async () => {
    await advertisementOnlyChange('add service extra', state({ services: all(web, api, extra) }), async () => {
      await expectRoutes(peer1, 'ipv4', [
        { prefix: '198.51.100.100/32', asPath: '64500', communities: ['65535:65282'] },
        { prefix: '198.51.100.101/32', asPath: '64500', communities: ['65535:65282'] },
      ]);
      await expectRoutes(peer2, 'ipv4', [{ prefix: '203.0.113.100/32', asPath: '64500', communities: ['65535:65282'] }]);
    });
  }, T);

  it('remove the service: withdrawn from peer1, no session resets', async () => {
    await advertisementOnlyChange('remove service extra', state({}), async () => {
      await expectRoutes(peer1, 'ipv4', [{ prefix: '198.51.100.100/32', asPath: '64500', communities: ['65535:65282'] }]);
    });
  }, T);

  it("change an advertisement's communities: peer1 sees the new ones, no session resets", async () => {
    await advertisementOnlyChange('communities 65535:65282 -> 64500:42 + large', state({ advs: all(adv1({ communities: ['64500:42', 'large:64500:1:2'] }), adv2) }), async () => {
      await expectRoutes(peer1, 'ipv4', [{ prefix: '198.51.100.100/32', asPath: '64500', communities: ['64500:42'], largeCommunities: ['64500:1:2'] }]);
      await expectRoutes(peer2, 'ipv4', [{ prefix: '203.0.113.100/32', asPath: '64500', communities: ['65535:65282'] }]);
    });
  }, T);

  it('move pool1 from peer1 to peer2: peer1 loses it, peer2 gains it, no session resets', async () => {
    await advertisementOnlyChange('bgpadvertisement-1 peers [peer1] -> [peer2]', state({ advs: all(adv1({ peers: ['peer2'] }), adv2) }), async () => {
      await expectRoutes(peer1, 'ipv4', []);
      await expectRoutes(peer2, 'ipv4', [
        { prefix: '198.51.100.100/32', asPath: '64500', communities: ['65535:65282'] },
        { prefix: '203.0.113.100/32', asPath: '64500', communities: ['65535:65282'] },
      ]);
    });
  }, T);

  it('delete the last BGPAdvertisement: nothing is announced, sessions stay up', async () => {
    await advertisementOnlyChange('delete both BGPAdvertisements', state({ advs: '' }), async () => {
      await expectRoutes(peer1, 'ipv4', []);
      await expectRoutes(peer2, 'ipv4', []);
    });
    await expectSession(peer1, '192.0.2.10');
    await expectSession(peer2, '192.0.2.10');
  }, T);

  it('advertisements back, then delete the last peer: both sessions go down and the routes are gone', async () => {
    await sc.apply(speaker, state({}));
    await expectRoutes(peer2, 'ipv4', [{ prefix: '203.0.113.100/32', asPath: '64500', communities: ['65535:65282'] }]);
    // Without peers an advertisement naming peer1/peer2 would be an error: remove them too.
    const applied = await sc.apply(speaker, state({ peers: '', advs: '' }));
    expect(applied.config).not.toMatch(/neighbor/);
    await expectSession(peer1, '192.0.2.10', false);
    await expectSession(peer2, '192.0.2.10', false);
    await expectRoutes(peer1, 'ipv4', []);
    await expectRoutes(peer2, 'ipv4', []);
  }, T);
});

describeWithFrr('transitions on live sessions: BFD profile removal', () => {
  let sc: Scenario;
  let speaker: Speaker;
  let router: FrrInstance;

  beforeAll(async () => {
    sc = await Scenario.create('bfd transitions');
    [speaker, router] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500, bfd: true }] }),
    ]);
    await sc.link(speaker.frr, ['192.0.2.10/24'], router, ['192.0.2.1/24']);
  }, T);
  afterAll(async () => {
    await sc?.destroy();
  }, T);

  const profile = bfdProfile('fast', { receiveInterval: 200, transmitInterval: 200, detectMultiplier: 4 });
  const base = all(pool('p', ['198.51.100.0/24']), advertisement('all'), service('web', ['198.51.100.50']));
  const peer = (bfd: boolean) => bgpPeer('router', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', ...(bfd ? { bfdProfile: 'fast' } : {}) });

  it('peer with bfdProfile: BFD session up with the profile intervals', async () => {
    await sc.apply(speaker, { 'peer.yaml': peer(true), 'bfd.yaml': profile, 'base.yaml': base });
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.50/32', asPath: '64500' }]);
    await expectBfd(speaker.frr, 'peer 192.0.2.1 up with rx/tx 200 ms, multiplier 4', (ps) =>
      ps.some((p) => p.peer === '192.0.2.1' && p.status === 'up' && p.receiveInterval === 200 && p.transmitInterval === 200 && p.detectMultiplier === 4),
    );
  }, T);

  // FRR 10.3 (not 8.4.4) holds a BGP session with `neighbor X bfd` down while its BFD peer does not
  // answer: removing BFD on one side takes the session down until the other side has removed it
  // too. That is FRR's BFD policy on whichever side still runs BFD, not the speaker's config.
  const bfdDownHoldsSession = installationUnderTest().release.major >= 10;
  const removalTitle = bfdDownHoldsSession
    ? 'remove bfdProfile from the peer: BFD really stops on the speaker; on FRR 10.3 the session, down since the router stopped BFD, comes back'
    : 'remove bfdProfile from the peer: BFD really stops on the speaker, without a reset';

  it(removalTitle, async () => {
    // As an operator does it: BFD off on the router side first, then in the cluster.
    await router.configure(['router bgp 64501', 'no neighbor 192.0.2.10 bfd']);
    await expectBfd(speaker.frr, 'the speaker to see the router stop BFD', (ps) => ps.every((p) => p.status !== 'up'));
    if (bfdDownHoldsSession) await expectSession(router, '192.0.2.10', false);
    else await expectSession(router, '192.0.2.10');
    const before = await sessionCounters(router);
    const applied = await sc.apply(speaker, { 'peer.yaml': peer(false), 'bfd.yaml': profile, 'base.yaml': base });
    expect(applied.config).not.toMatch(/neighbor 192\.0\.2\.1 bfd/);
    await expectBfd(speaker.frr, 'no BFD peers', (ps) => ps.length === 0);
    expect(await speaker.frr.show('show running-config')).not.toMatch(/neighbor 192\.0\.2\.1 bfd/);
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.50/32', asPath: '64500' }]);
    if (!bfdDownHoldsSession) await expectNoSessionReset(router, before, 'remove bfdProfile from the peer');
  }, T);

  it('delete the last BFDProfile: the profile leaves the running config, BGP unaffected', async () => {
    const before = await sessionCounters(router);
    await sc.apply(speaker, { 'peer.yaml': peer(false), 'base.yaml': base });
    expect(await speaker.frr.show('show running-config')).not.toMatch(/profile fast/);
    expect(await bfdPeers(speaker.frr)).toEqual([]);
    await expectNoSessionReset(router, before, 'delete unused BFDProfile');
  }, T);
});

describeWithFrr('transitions on live sessions: password rotation', () => {
  let sc: Scenario | undefined;
  afterAll(async () => {
    await sc?.destroy();
  }, T);

  it('rotate the Secret (router first, then the cluster): the session re-establishes with the new TCP-MD5 password', async () => {
    sc = await Scenario.create('password rotation');
    const [speaker, router] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500, password: 'rotation-one' }] }),
    ]);
    await sc.link(speaker.frr, ['192.0.2.10/24'], router, ['192.0.2.1/24']);
    const manifests = (password: string) => ({
      'peer.yaml': bgpPeer('router', {
        myASN: 64500,
        peerASN: 64501,
        peerAddress: '192.0.2.1',
        passwordSecret: { name: 'bgp-password', namespace: 'metallb-system' },
      }),
      'secret.yaml': passwordSecret('bgp-password', password),
      'base.yaml': all(pool('p', ['198.51.100.0/24']), advertisement('all'), service('web', ['198.51.100.60'])),
    });
    await sc.apply(speaker, manifests('rotation-one'));
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.60/32', asPath: '64500' }]);
    const before = (await neighbors(router)).find((n) => n.id === '192.0.2.10');

    await configure(router, ['router bgp 64501', 'neighbor 192.0.2.10 password rotation-two']);
    const applied = await sc.apply(speaker, manifests('rotation-two'));
    expect(applied.config).toContain('neighbor 192.0.2.1 password rotation-two');
    await expectSession(router, '192.0.2.10', true, { timeoutMs: 30_000 });
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.60/32', asPath: '64500' }]);
    const after = (await neighbors(router)).find((n) => n.id === '192.0.2.10');
    // A new password needs a new TCP connection: at least one more established session.
    expect(after!.connectionsEstablished).toBeGreaterThan(before!.connectionsEstablished);
  }, T);
});
