/**
 * Status end to end on real FRR: the sidecar (folder source, reconciler, FRR target) with the
 * status publisher writing to the fake API server, and the `status` / `explain` commands reading
 * the sidecar's HTTP endpoint and vtysh. A router going down turns `bgpStatus` away from
 * Established and `bfdStatus` to Down within the BFD timers, and back; services that are not
 * advertised get the right reason; polling while nothing changes writes nothing.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { gatherFrrState } from '../../src/frr/frr-state.js';
import { createFrrTarget } from '../../src/frr/frr-target.js';
import { realConfigFiles } from '../../src/frr/write-file.js';
import { realClock } from '../../src/ops/clock.js';
import { startHttpServer, type RunningServer } from '../../src/ops/http-server.js';
import { createJsonLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { loadRenderer } from '../../src/pipeline.js';
import { Reconciler } from '../../src/reconciler/reconciler.js';
import { isReady } from '../../src/reconciler/status.js';
import { createFolderSource } from '../../src/sources/folder.js';
import { explainService } from '../../src/status/explain.js';
import { createK8sStatusApi } from '../../src/status/k8s-status-api.js';
import { StatusPublisher } from '../../src/status/publisher.js';
import { intentSnapshots } from '../../src/status/intent-snapshots.js';
import { StatusWriter } from '../../src/status/writer.js';
import { FakeApiServer, type Json } from '../integration/fake-apiserver.js';
import { cleanupStale, describeWithFrr, FrrInstance, linkNamespaces, neighbors, pollUntil, receivedRoutes, routerConfig } from '../harness/index.js';

const NS = 'metallb-system';
const NODE = 'worker-0';

const MANIFESTS: Record<string, string> = {
  'peer.yaml': `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: tor, namespace: ${NS} }
spec: { myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.1, holdTime: 9s, keepaliveTime: 3s, connectTime: 1s, bfdProfile: slow, password: "s3cret-pw" }
---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: { name: slow, namespace: ${NS} }
spec: { receiveInterval: 1000, transmitInterval: 1000, detectMultiplier: 3 }
`,
  'pool.yaml': `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: pool, namespace: ${NS} }
spec: { addresses: [198.51.100.0/24, 2001:db8:100::/64] }
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: dark, namespace: ${NS} }
spec: { addresses: [203.0.113.0/24] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv, namespace: ${NS} }
spec: { ipAddressPools: [pool] }
`,
  'services.yaml': [
    svc('web', '198.51.100.10', 'Cluster', 'worker-1'),
    svc('local', '198.51.100.11', 'Local', 'worker-1'),
    svc('dark', '203.0.113.5', 'Cluster', 'worker-1'),
    svc('web6', '2001:db8:100::10', 'Cluster', 'worker-1'),
  ].join('---\n'),
};

function svc(name: string, ip: string, policy: string, endpointNode: string): string {
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop }
spec: { type: LoadBalancer, externalTrafficPolicy: ${policy} }
status: { loadBalancer: { ingress: [{ ip: "${ip}" }] } }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-x, namespace: shop, labels: { kubernetes.io/service-name: ${name} } }
addressType: ${ip.includes(':') ? 'IPv6' : 'IPv4'}
endpoints: [{ addresses: ["${ip.includes(':') ? '2001:db8:ffff::1' : '10.0.0.1'}"], conditions: { ready: true }, nodeName: ${endpointNode} }]
`;
}

describeWithFrr('status objects and CLI on real FRR', () => {
  let speaker: FrrInstance;
  let router: FrrInstance;
  let dir: string;
  let reconciler: Reconciler;
  let publisher: StatusPublisher;
  let api: FakeApiServer;
  let http: RunningServer;
  let linkIf: string;

  const session = () => {
    const o = api.objects('bgpsessionstates.frrk8s.metallb.io').find((x) => (x.status as Json | undefined)?.peer === '192.0.2.1');
    return (o?.status ?? {}) as Json;
  };
  const cli = async (argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await main(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), writeFile: async () => undefined });
    return { code, out, err };
  };

  beforeAll(async () => {
    await cleanupStale();
    speaker = await FrrInstance.start('stspk');
    router = await FrrInstance.start('strouter');
    linkIf = (await linkNamespaces({ namespace: speaker.namespace, addresses: ['192.0.2.10/24'] }, { namespace: router.namespace, addresses: ['192.0.2.1/24'] })).interface;
    dir = mkdtempSync(join(tmpdir(), 'frr-renderer-status-'));
    const routerFile = join(dir, '..', `${router.name}.conf`);
    writeFileSync(routerFile, routerConfig({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500, bfd: true, password: 's3cret-pw' }] }));
    await router.load(routerFile);
    rmSync(routerFile);
    for (const [name, text] of Object.entries(MANIFESTS)) {
      writeFileSync(join(dir, `.${name}`), text);
      renameSync(join(dir, `.${name}`), join(dir, name));
    }

    api = await FakeApiServer.start();
    api.register({ group: 'metallb.io', resource: 'configurationstates', kind: 'ConfigurationState', namespaced: true });
    const logger = createJsonLogger({ level: 'error', write: () => undefined });
    reconciler = new Reconciler(
      { node: NODE, metallbNamespace: NS, hostname: hostname(), debounceMs: 100, maxDebounceMs: 1000, retry: { initialMs: 200, maxMs: 2000 }, driftCheckMs: 0, frrRelease: speaker.installation.release },
      {
        source: createFolderSource(dir),
        renderer: await loadRenderer(),
        target: createFrrTarget({ frr: speaker.frr, configPath: join(speaker.confDir, 'frr.conf'), files: realConfigFiles }),
        clock: realClock,
        random: Math.random,
        logger,
        metrics: createMetrics(),
      },
    );
    const snapshot = intentSnapshots(reconciler, NODE, NS);
    reconciler.onReconciled(() => publisher?.trigger());
    publisher = new StatusPublisher(
      { node: NODE, namespace: NS, intervalMs: 500, runningConfigMs: 60_000 },
      { frr: speaker.frr, writer: new StatusWriter(createK8sStatusApi(api.kubeConfig()), { resyncMs: 300_000, now: () => Date.now() }), snapshot, clock: realClock, logger },
    );
    http = await startHttpServer('127.0.0.1', 0, {
      status: () => reconciler.status(),
      ready: () => isReady(reconciler.status()),
      registry: createMetrics().registry,
      intent: snapshot,
      explain: async (s) => explainService(snapshot(), await gatherFrrState(speaker.frr, { advertised: true }), s),
    });
    await reconciler.start();
    publisher.start();
    await pollUntil(() => neighbors(router), (ns) => ns.some((n) => n.state === 'Established'), { what: 'session up', timeoutMs: 30_000, show: (ns) => JSON.stringify(ns) });
    await pollUntil(() => receivedRoutes(router, 'ipv4'), (r) => r.some((x) => x.prefix === '198.51.100.10/32'), { what: 'route at the router', timeoutMs: 20_000, show: (r) => JSON.stringify(r) });
  }, 90_000);

  afterAll(async () => {
    await publisher?.stop();
    await reconciler?.stop();
    await http?.close();
    await api?.close();
    await speaker?.destroy();
    await router?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the session, the services, the configuration and the node state', async () => {
    await pollUntil(async () => session(), (s) => s.bgpStatus === 'Established' && s.bfdStatus === 'Up', { what: 'BGPSessionState Established/Up', timeoutMs: 30_000 });
    expect(session()).toEqual({ node: NODE, peer: '192.0.2.1', vrf: '', bgpStatus: 'Established', bfdStatus: 'Up' });
    const services = api.objects('servicebgpstatuses.metallb.io').map((o) => o.status as Json);
    expect(services).toEqual([{ node: NODE, serviceName: 'web', serviceNamespace: 'shop', peers: ['tor'] }]);
    expect(api.get('metallb.io/v1beta1', 'ConfigurationState', NS, `speaker-${NODE}`)?.status).toMatchObject({ result: 'Valid' });
    const nodeState = api.get('frrk8s.metallb.io/v1beta1', 'FRRNodeState', undefined, NODE)?.status as Json;
    expect(nodeState).toMatchObject({ lastConversionResult: 'success', lastReloadResult: 'success' });
    expect(nodeState.runningConfig).toContain('neighbor 192.0.2.1 password <redacted>');
    expect(JSON.stringify(api.requests.map((r) => r.body))).not.toContain('s3cret-pw');
  }, 40_000);

  it('sends no request while nothing changes', async () => {
    await reconciler.idle();
    await publisher.publishNow();
    api.resetRequests();
    await new Promise((r) => setTimeout(r, 3_000)); // about six polls
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  }, 20_000);

  it('follows the router going down (BFD first) and coming back', async () => {
    await router.exec('ip', ['link', 'set', linkIf, 'down']);
    const t0 = Date.now();
    const down = await pollUntil(async () => session(), (s) => s.bfdStatus === 'Down' && s.bgpStatus !== 'Established', { what: 'BGPSessionState to show the session down', timeoutMs: 15_000 });
    const took = Date.now() - t0;
    // BFD detection is 3 x 1000 ms; hold time 9 s; plus one poll.
    expect(took).toBeLessThan(12_000);
    expect(down.bgpStatus).not.toBe('Established');

    const explained = await cli(['explain', 'shop/web', '--json', '--listen', `127.0.0.1:${http.port}`, ...speaker.cliArgs]);
    expect(JSON.parse(explained.out).peers[0].prefixes[0]).toMatchObject({ prefix: '198.51.100.10/32', advertised: false, reason: 'noSession' });

    await router.exec('ip', ['link', 'set', linkIf, 'up']);
    await pollUntil(async () => session(), (s) => s.bgpStatus === 'Established' && s.bfdStatus === 'Up', { what: 'BGPSessionState back to Established/Up', timeoutMs: 40_000 });
  }, 90_000);

  it('explain: advertised, and the reason for each service that is not', async () => {
    await pollUntil(() => receivedRoutes(router, 'ipv4'), (r) => r.some((x) => x.prefix === '198.51.100.10/32'), { what: 'route back at the router', timeoutMs: 30_000, show: (r) => JSON.stringify(r) });
    const listen = `127.0.0.1:${http.port}`;
    const ask = async (s: string) => JSON.parse((await cli(['explain', s, '--json', '--listen', listen, ...speaker.cliArgs])).out);
    const web = await ask('shop/web');
    expect(web).toMatchObject({ version: 1, found: true, announced: true });
    expect(web.peers[0].prefixes).toEqual([{ prefix: '198.51.100.10/32', family: 'ipv4', advertised: true, reason: null, detail: '' }]);
    expect(await ask('shop/local')).toMatchObject({ announced: false, reason: 'noLocalEndpoints' });
    expect(await ask('shop/dark')).toMatchObject({ announced: false, reason: 'poolNotAdvertised' });
    const web6 = await ask('shop/web6');
    expect(web6.peers[0].prefixes[0]).toMatchObject({ prefix: '2001:db8:100::10/128', advertised: false, reason: 'familyMismatch' });
    expect((await ask('shop/missing')).reason).toBe('serviceNotFound');

    const text = await cli(['explain', 'shop/local', '--listen', listen, ...speaker.cliArgs]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('NOT announced: noLocalEndpoints');
  }, 60_000);

  it('status prints sessions, BFD, prefixes sent and the last reload', async () => {
    const listen = `127.0.0.1:${http.port}`;
    const json = await cli(['status', '--json', '--listen', listen, ...speaker.cliArgs]);
    expect(json.code).toBe(0);
    const r = JSON.parse(json.out);
    expect(r).toMatchObject({ version: 1, node: NODE, frr: { version: speaker.installation.packageVersion.split('-')[0], reachable: true }, reload: { result: expect.stringMatching(/success|adopted/) } });
    expect(r.sessions[0]).toMatchObject({ neighbor: '192.0.2.1', peers: [`${NS}/tor`], state: 'Established', bfd: 'Up', families: [{ family: 'ipv4', sent: ['198.51.100.10/32'], missing: [] }] });
    const text = await cli(['status', '--listen', listen, ...speaker.cliArgs]);
    expect(text.out).toContain('sessions: 1/1 established');
    if (process.env.STATUS_README_OUT) {
      const explainText = await cli(['explain', 'shop/web', '--listen', listen, ...speaker.cliArgs]);
      const local = await cli(['explain', 'shop/local', '--listen', listen, ...speaker.cliArgs]);
      writeFileSync(process.env.STATUS_README_OUT, [text.out, explainText.out, local.out, JSON.stringify(await ask2(listen), null, 2)].join('\n=====\n'));
    }
    async function ask2(l: string) {
      return JSON.parse((await cli(['explain', 'shop/web6', '--json', '--listen', l, ...speaker.cliArgs])).out);
    }
  }, 30_000);
});
