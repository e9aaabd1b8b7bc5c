/**
 * Issue 13 on live BGP sessions: inputs MetalLB accepts and this renderer used to reject, and the
 * speaker options MetalLB users rely on, where the router sees the difference. Each scenario is
 * applied with frr-reload.py and must converge (FRR runs exactly the rendered bytes); where the
 * point is a line FRR would not keep, a control loads the line as MetalLB would write it and shows
 * FRR's `--test` delta. Links 192.0.2.0/24, services 198.51.100.0/24.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  describeWithFrr,
  expectRoutes,
  expectSession,
  neighbors,
  Scenario,
  type FrrInstance,
  type Speaker,
} from '../harness/index.js';
import { twoNodesOneRouter } from './topologies.js';
import { advertisement, all, bgpPeer, communityAliases, node, passwordSecret, pool, service } from './manifests.js';

const T = 90_000;
const POOL = all(pool('p', ['198.51.100.0/24']), advertisement('all'));

/** The speaker's view of one neighbor once Established: the timers FRR runs. */
async function established(frr: FrrInstance, id: string) {
  await expectSession(frr, id);
  return (await neighbors(frr)).find((n) => n.id === id)!;
}

/** What frr-reload.py --test lists after `config` with one line changed as MetalLB would write it. */
async function deltaOf(sc: Scenario, speaker: Speaker, config: string, from: string, to: string): Promise<string> {
  expect(config).toContain(from);
  const file = join(sc.dir, `${speaker.frr.name}-control.frr.conf`);
  await writeFile(file, config.replace(from, to), { mode: 0o600 });
  return JSON.stringify(await speaker.frr.testReload(file));
}

describeWithFrr('Migration from MetalLB (issue 13) on live BGP sessions', () => {
  let sc: Scenario | undefined;
  afterEach(async () => {
    await sc?.destroy();
    sc = undefined;
  }, T);

  it('item 1: keepaliveTime 60s / holdTime 90s is accepted and runs as FRR runs it, timers 30 90 (the router negotiates hold 90s)', async () => {
    sc = await Scenario.create('keepalive above a third');
    const [speaker, router] = await Promise.all([
      sc.speaker('worker-0'),
      // FRR's default timers (hold 180s), so the negotiated hold time is the speaker's 90s.
      sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }], timers: null }),
    ]);
    await sc.link(speaker.frr, ['192.0.2.10/24'], router, ['192.0.2.1/24']);
    const applied = await sc.apply(speaker, {
      'all.yaml': all(bgpPeer('router', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', holdTime: '90s', keepaliveTime: '60s' }), POOL, service('web', ['198.51.100.10'])),
    });
    expect(applied.config).toContain(' neighbor 192.0.2.1 timers 30 90\n');
    expect(applied.warnings).toContainEqual(expect.stringContaining('FRR runs keepalive 30s'));
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.10/32', asPath: '64500' }]);
    expect(await established(speaker.frr, '192.0.2.1')).toMatchObject({ holdTimeMsecs: 90_000, keepaliveMsecs: 30_000 });
    expect(await established(router, '192.0.2.10')).toMatchObject({ holdTimeMsecs: 90_000 });
    // Control: the line as written (MetalLB's "timers 60 90") is not what FRR keeps.
    expect(await deltaOf(sc, speaker, applied.config, 'timers 30 90', 'timers 60 90')).toContain('timers 60 90');
  }, T);

  it('item 3: a v1beta1 peer without timers runs timers 0 0 as in the cluster (the router negotiates hold 0); the same peer as v1beta2 keeps FRR\'s defaults', async () => {
    sc = await Scenario.create('v1beta1 timers');
    const [speaker, legacy, current] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
      sc.router({ asn: 64501, routerId: '192.0.2.2', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
    ]);
    await sc.lan([
      [speaker.frr, ['192.0.2.10/24']],
      [legacy, ['192.0.2.1/24']],
      [current, ['192.0.2.2/24']],
    ]);
    const v1beta1 = (name: string, spec: Record<string, unknown>) => bgpPeer(name, spec).replace('apiVersion: metallb.io/v1beta2', 'apiVersion: metallb.io/v1beta1');
    const applied = await sc.apply(speaker, {
      'peers.yaml': all(v1beta1('legacy', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' }), bgpPeer('current', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.2' })),
      'pool.yaml': all(POOL, service('web', ['198.51.100.11'])),
    });
    expect(applied.config).toContain(' neighbor 192.0.2.1 timers 0 0\n');
    expect(applied.config).not.toContain(' neighbor 192.0.2.2 timers');
    await expectRoutes(legacy, 'ipv4', [{ prefix: '198.51.100.11/32', asPath: '64500' }]);
    await expectRoutes(current, 'ipv4', [{ prefix: '198.51.100.11/32', asPath: '64500' }]);
    expect(await established(legacy, '192.0.2.10')).toMatchObject({ holdTimeMsecs: 0 });
    // The router's own timers (3/9) win over FRR's default 180 s: a hold timer runs.
    expect(await established(current, '192.0.2.10')).toMatchObject({ holdTimeMsecs: 9_000 });
  }, T);

  it('item 5: ebgpMultiHop with dynamicASN internal is accepted; the iBGP session comes up without an ebgp-multihop line, which FRR would not keep', async () => {
    sc = await Scenario.create('ibgp multihop');
    const [speaker, router] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64500, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
    ]);
    await sc.link(speaker.frr, ['192.0.2.10/24'], router, ['192.0.2.1/24']);
    const applied = await sc.apply(speaker, {
      'all.yaml': all(bgpPeer('internal', { myASN: 64500, dynamicASN: 'internal', peerAddress: '192.0.2.1', ebgpMultiHop: true }), POOL, service('web', ['198.51.100.12'])),
    });
    expect(applied.config).not.toContain('ebgp-multihop');
    expect(applied.warnings).toContainEqual(expect.stringContaining('has no effect with dynamicASN internal'));
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.12/32', asPath: '', localPref: 100 }]);
    const multihop = speaker.frr.installation.release.major >= 9 ? ' neighbor 192.0.2.1 ebgp-multihop' : ' neighbor 192.0.2.1 ebgp-multihop 255';
    expect(await deltaOf(sc, speaker, applied.config, ' neighbor 192.0.2.1 remote-as internal\n', ` neighbor 192.0.2.1 remote-as internal\n${multihop}\n`)).toContain('ebgp-multihop');
  }, T);

  it('items 8 and 9: passwordSecret.namespace is ignored (the Secret of metallb-system is used, its password with "!", "#" and a non-ASCII letter); an empty password means no password', async () => {
    sc = await Scenario.create('password namespace and empty');
    const [speaker, withPassword, without] = await Promise.all([
      sc.speaker('worker-0'),
      sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500, password: 'conformance!sécret#1' }] }),
      sc.router({ asn: 64501, routerId: '192.0.2.2', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }),
    ]);
    await sc.lan([
      [speaker.frr, ['192.0.2.10/24']],
      [withPassword, ['192.0.2.1/24']],
      [without, ['192.0.2.2/24']],
    ]);
    const decoy = passwordSecret('bgp-password', 'never-this-one').replace('namespace: metallb-system', 'namespace: default');
    const applied = await sc.apply(speaker, {
      'peers.yaml': all(
        bgpPeer('other-ns', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', passwordSecret: { name: 'bgp-password', namespace: 'default' } }),
        bgpPeer('empty', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.2', passwordSecret: { name: 'empty-password' } }),
      ),
      'secrets.yaml': all(passwordSecret('bgp-password', 'conformance!sécret#1'), decoy, passwordSecret('empty-password', '')),
      'pool.yaml': all(POOL, service('web', ['198.51.100.13'])),
    });
    expect(applied.config).toContain(' neighbor 192.0.2.1 password conformance!sécret#1\n');
    expect(applied.config).not.toContain(' neighbor 192.0.2.2 password');
    await expectRoutes(withPassword, 'ipv4', [{ prefix: '198.51.100.13/32', asPath: '64500' }]);
    await expectRoutes(without, 'ipv4', [{ prefix: '198.51.100.13/32', asPath: '64500' }]);
  }, T);

  it('items 2, 6, 7 and 11: aliases are looked up before values (a name with ":" included); a duplicate advertisement, a peers entry no BGPPeer can have and an object in another namespace no longer block the config', async () => {
    sc = await Scenario.create('aliases with colon');
    const [speaker, router] = await Promise.all([sc.speaker('worker-0'), sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] })]);
    await sc.link(speaker.frr, ['192.0.2.10/24'], router, ['192.0.2.1/24']);
    const applied = await sc.apply(speaker, {
      'all.yaml': all(
        bgpPeer('router', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' }),
        communityAliases('aliases', [['office:main', '64500:100'], ['64500:7', '64500:777']]),
        pool('p', ['198.51.100.0/24']),
        advertisement('adv', { ipAddressPools: ['p'], communities: ['office:main', '64500:7'] }),
        advertisement('adv-copy', { ipAddressPools: ['p'], communities: ['office:main', '64500:7'] }),
        advertisement('to-nobody', { ipAddressPools: ['p'], peers: ['frrviavrf 1'], communities: ['64500:999'] }),
        bgpPeer('router', { myASN: 64500, peerASN: 64666, peerAddress: '192.0.2.66' }).replace('namespace: metallb-system', 'namespace: staging'),
        service('web', ['198.51.100.14']),
      ),
    });
    expect(applied.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('is the same as the spec of BGPAdvertisement adv'),
        expect.stringContaining('"frrviavrf 1" names no BGPPeer'),
        expect.stringContaining('so this object is ignored'),
      ]),
    );
    // 64500:999 belongs to the advertisement that reaches no peer: it must not arrive.
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.14/32', asPath: '64500', communities: ['64500:100', '64500:777'] }]);
  }, T);

  it('items 13 and 14: --lb-class announces only its class; --ignore-exclude-lb announces from an excluded node', async () => {
    sc = await Scenario.create('lb-class and exclude label');
    const [speaker, router] = await Promise.all([sc.speaker('worker-0'), sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] })]);
    await sc.link(speaker.frr, ['192.0.2.10/24'], router, ['192.0.2.1/24']);
    const manifests = {
      'all.yaml': all(bgpPeer('router', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' }), POOL),
      'node.yaml': node('worker-0', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }),
      'svc.yaml': all(service('plain', ['198.51.100.15']), service('internal', ['198.51.100.16'], { loadBalancerClass: 'example.com/internal' })),
    };
    // MetalLB's defaults: no class handled but "no class", and the excluded node announces nothing.
    await sc.apply(speaker, manifests);
    await expectSession(router, '192.0.2.10');
    await expectRoutes(router, 'ipv4', []);
    await sc.apply(speaker, manifests, { ignoreExcludeLb: true });
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.15/32', asPath: '64500' }]);
    await sc.apply(speaker, manifests, { ignoreExcludeLb: true, loadBalancerClass: 'example.com/internal' });
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.16/32', asPath: '64500' }]);
  }, T);

  it('item 15: --log-level debug runs FRR at debugging with MetalLB\'s debug lines, in the form FRR keeps; back to warn removes them', async () => {
    sc = await Scenario.create('log level');
    const speaker = await sc.speaker('worker-0');
    const manifests = { 'all.yaml': all(bgpPeer('router', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' }), POOL) };
    const debug = await sc.apply(speaker, manifests, { logLevel: 'debug' });
    expect(debug.config).toContain('\nlog stdout\n');
    const running = await speaker.frr.show('show running-config');
    for (const line of ['debug bgp updates in', 'debug bgp updates out', 'debug zebra nht', 'debug bfd peer']) expect([line, running.includes(`\n${line}\n`)]).toEqual([line, true]);
    // Control: MetalLB's own spelling of one of them is not what FRR keeps.
    expect(await deltaOf(sc, speaker, debug.config, 'debug bgp updates in\ndebug bgp updates out\n', 'debug bgp updates\n')).toContain('debug bgp updates');
    await sc.apply(speaker, manifests, { logLevel: 'warn' });
    const after = await speaker.frr.show('show running-config');
    expect(after).toContain('\nlog stdout warnings\n');
    expect(after).not.toMatch(/^debug /m);
    await sc.apply(speaker, manifests, { logLevel: 'debug', frrLogLevel: 'errors' });
    expect(await speaker.frr.show('show running-config')).toContain('\nlog stdout errors\n');
  }, T);

  it('item 4: an error that concerns only worker-1 blocks worker-1, not worker-0, whose routes reach the router', async () => {
    sc = await Scenario.create('per-node errors');
    const { a: node0, b: node1, router } = await twoNodesOneRouter(sc, ['worker-0', 'worker-1'], ['192.0.2.11', '192.0.2.12']);
    const onB = [{ matchLabels: { 'kubernetes.io/hostname': 'worker-1' } }];
    const manifests = {
      'all.yaml': all(
        bgpPeer('router', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' }),
        node('worker-0'),
        node('worker-1'),
        pool('p', ['198.51.100.0/24']),
        advertisement('everywhere', { ipAddressPools: ['p'], localPref: 100 }),
        advertisement('other-pref-on-b', { ipAddressPools: ['p'], localPref: 200, nodeSelectors: onB }),
        bgpPeer('broken-on-b', { myASN: 64500, peerASN: 64502, peerAddress: '192.0.2.300', nodeSelectors: onB }),
        service('web', ['198.51.100.17']),
      ),
    };
    await expect(sc.render(node1, manifests)).rejects.toThrow(/rendering for node worker-1 failed/);
    await sc.apply(node0, manifests);
    await expectRoutes(router, 'ipv4', [{ prefix: '198.51.100.17/32', asPath: '64500', fromPeers: ['192.0.2.11'] }]);
  }, T);
});
