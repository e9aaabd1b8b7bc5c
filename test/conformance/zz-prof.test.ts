import { describeWithFrr, neighbors, receivedRoutes, Scenario } from '../harness/index.js';
import { advertisement, all, bgpPeer, pool, service } from './manifests.js';
describeWithFrr('prof', () => {
  it('x', async () => {
    const t0 = Date.now(); const lap = (l: string) => process.stderr.write(`${l} ${Date.now() - t0}\n`);
    const sc = await Scenario.create('p'); lap('create');
    try {
    const speaker = await sc.speaker('worker-0'); lap('speaker');
    const router = await sc.router({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }); lap('router');
    await sc.link(speaker.frr, ['192.0.2.10/24'], router, ['192.0.2.1/24']); lap('link');
    await sc.apply(speaker, { 'a.yaml': all(bgpPeer('p', { peerAddress: '192.0.2.1', peerASN: 64501, myASN: 64500 }), pool('x', ['198.51.100.0/24']), advertisement('a'), service('w', ['198.51.100.10'])) }); lap('apply'); 
    for (let i = 0; i < 100; i++) { const n = await neighbors(router); const sn = await neighbors(speaker.frr); lap(`spk ${sn[0]?.state} ${sn[0]?.lastResetDueTo}`); const r = await receivedRoutes(router, 'ipv4'); lap(`${n[0]?.state} ${r.length}`); if (r.length) break; await new Promise((res) => setTimeout(res, 100)); }
    process.stderr.write(await router.show('show bgp neighbors 192.0.2.10'));
    } finally { await sc.destroy(); lap('destroy'); }
  }, 60000);
});
