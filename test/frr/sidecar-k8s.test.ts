/**
 * The sidecar with its Kubernetes source: the real @kubernetes/client-node against the fake API
 * server, the reconciler, and a real speaker FRR peered with a router FRR. It must converge from
 * empty and after every fault of the watch protocol, with a bounded request rate.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { createFrrTarget } from '../../src/frr/frr-target.js';
import { realConfigFiles } from '../../src/frr/write-file.js';
import { realClock } from '../../src/ops/clock.js';
import { silentLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { loadRenderer } from '../../src/pipeline.js';
import { Reconciler } from '../../src/reconciler/reconciler.js';
import { createKubernetesSource } from '../../src/sources/k8s/index.js';
import { FakeApiServer, type Json } from '../integration/fake-apiserver.js';
import { b64, NS, seeded, service } from '../integration/k8s-support.js';
import { cleanupStale, describeWithFrr, FrrInstance, linkNamespaces, neighbors, pollUntil, receivedRoutes, routerConfig } from '../harness/index.js';

const peer = (extra: Json = {}): Json => ({
  apiVersion: 'metallb.io/v1beta2',
  kind: 'BGPPeer',
  metadata: { name: 'router', namespace: NS },
  spec: { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', holdTime: '9s', keepaliveTime: '3s', connectTime: '1s', ...extra },
});
const pool: Json = { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'pool', namespace: NS }, spec: { addresses: ['198.51.100.0/24'] } };
const adv: Json = { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'adv', namespace: NS }, spec: { ipAddressPools: ['pool'] } };
const endpoints = (name: string): Json => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${name}-x`, namespace: 'shop', labels: { 'kubernetes.io/service-name': name } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.128.0.5'], conditions: { ready: true }, nodeName: 'worker-0' }],
});

describeWithFrr('sidecar with the Kubernetes source on real FRR', () => {
  let server: FakeApiServer;
  let speaker: FrrInstance;
  let router: FrrInstance;
  let work: string;

  const routes = async () => (await receivedRoutes(router, 'ipv4')).map((r) => r.prefix).sort();
  const expectRoutes = (want: string[], what: string, timeoutMs = 30_000) =>
    pollUntil(routes, (r) => JSON.stringify(r) === JSON.stringify([...want].sort()), { what, timeoutMs, show: (r) => `router has [${r.join(', ')}], expected [${want.join(', ')}]` });

  function addService(name: string, ip: string): void {
    server.put(service(name, ip));
    server.put(endpoints(name));
  }

  beforeAll(async () => {
    await cleanupStale();
    server = await FakeApiServer.start();
    speaker = await FrrInstance.start('k8sspeaker');
    router = await FrrInstance.start('k8srouter');
    await linkNamespaces({ namespace: speaker.namespace, addresses: ['192.0.2.10/24'] }, { namespace: router.namespace, addresses: ['192.0.2.1/24'] });
    work = mkdtempSync(join(tmpdir(), 'frr-renderer-k8s-'));
    writeFileSync(join(work, 'router.conf'), routerConfig({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }));
    await router.load(join(work, 'router.conf'));
  }, 60_000);

  afterAll(async () => {
    await speaker?.destroy();
    await router?.destroy();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('the reconciler under watch faults', () => {
    let reconciler: Reconciler;

    beforeAll(async () => {
      const source = createKubernetesSource({
        kubeConfig: server.kubeConfig(),
        node: 'worker-0',
        metallbNamespace: NS,
        random: seeded(7),
        watchdogMs: 1500,
        backoff: { initialMs: 50, maxMs: 500 },
        healthyWatchMs: 300,
      });
      reconciler = new Reconciler(
        { node: 'worker-0', metallbNamespace: NS, hostname: hostname(), debounceMs: 100, maxDebounceMs: 1000, retry: { initialMs: 200, maxMs: 2000 }, driftCheckMs: 0, frrRelease: speaker.installation.release },
        {
          source,
          renderer: await loadRenderer(),
          target: createFrrTarget({ frr: speaker.frr, configPath: join(speaker.confDir, 'frr.conf'), files: realConfigFiles }),
          clock: realClock,
          random: Math.random,
          logger: silentLogger,
          metrics: createMetrics(),
        },
      );
      await reconciler.start();
    });

    afterAll(() => reconciler?.stop());

    it('converges from an empty cluster', async () => {
      await pollUntil(async () => reconciler.status(), (s) => s.apply?.result === 'success', { what: 'the empty config to be applied' });
      server.put(peer());
      server.put(pool);
      server.put(adv);
      addService('web', '198.51.100.10');
      await expectRoutes(['198.51.100.10/32'], 'router to learn the first service');
    }, 60_000);

    it('converges after dropped watch connections', async () => {
      server.dropWatches();
      addService('api', '198.51.100.11');
      await expectRoutes(['198.51.100.10/32', '198.51.100.11/32'], 'router to learn a service added while watches reconnect');
    }, 30_000);

    it('converges after 410 Gone (compaction forces a relist)', async () => {
      server.compact();
      server.expireWatches();
      server.remove('v1', 'Service', 'shop', 'api');
      await expectRoutes(['198.51.100.10/32'], 'router to lose the deleted service after a relist');
    }, 30_000);

    it('converges after API errors, with a bounded request rate', async () => {
      const before = server.requests.length;
      const clear = server.fault({ match: (r) => r.resource === 'services', action: { status: 500 }, times: 1000 });
      server.dropWatches('services');
      await new Promise((r) => setTimeout(r, 2000));
      addService('db', '198.51.100.12');
      clear();
      await expectRoutes(['198.51.100.10/32', '198.51.100.12/32'], 'router to learn the service added during the outage');
      // 2 s of 500s with a 50-500 ms backoff: a few dozen requests, not a hot loop.
      expect(server.requests.length - before).toBeLessThan(80);
    }, 30_000);

    it('converges after a watch silently stops (watchdog)', async () => {
      server.silence(undefined, true);
      addService('cache', '198.51.100.13');
      await new Promise((r) => setTimeout(r, 300));
      server.unsilence();
      await expectRoutes(['198.51.100.10/32', '198.51.100.12/32', '198.51.100.13/32'], 'the watchdog to recover the silent watch', 30_000);
    }, 40_000);

    it('applies a rotated password from a Secret', async () => {
      server.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bgp', namespace: NS }, type: 'kubernetes.io/basic-auth', data: { password: b64('first-secret') } });
      server.put(peer({ passwordSecret: { name: 'bgp', namespace: NS } }));
      await pollUntil(() => speaker.show('show running-config', { keepPasswords: true }), (t) => t.includes('password first-secret'), { what: 'the password to be applied', show: () => '(redacted)' });
      server.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bgp', namespace: NS }, type: 'kubernetes.io/basic-auth', data: { password: b64('second-secret') } });
      await pollUntil(() => speaker.show('show running-config', { keepPasswords: true }), (t) => t.includes('password second-secret'), { what: 'the rotated password to be applied', show: () => '(redacted)' });
      server.put(peer());
      await pollUntil(() => speaker.show('show running-config'), (t) => !t.includes(' password '), { what: 'the password to be removed' });
    }, 30_000);
  });

  describe('frr-renderer run --source k8s (the command line)', () => {
    it('applies the cluster state with --once and exits 0; a sidecar restart then reloads nothing', async () => {
      const kubeconfig = join(work, 'kubeconfig.json');
      writeFileSync(kubeconfig, server.kubeConfig().exportConfig());
      const args = ['run', '--source', 'k8s', '--kubeconfig', kubeconfig, '--node', 'worker-0', ...speaker.cliArgs, '--frr-config', join(speaker.confDir, 'frr.conf'), '--once', '--log-level', 'info'];
      let err = '';
      const io = { stdout: () => undefined, stderr: (t: string) => void (err += t), writeFile: async () => undefined, env: {} };
      addService('cli', '198.51.100.20');
      expect(await main(args, io)).toBe(0);
      await expectRoutes(['198.51.100.10/32', '198.51.100.12/32', '198.51.100.13/32', '198.51.100.20/32'], 'router to learn the service applied by the CLI');
      const established = (await neighbors(router)).find((n) => n.id === '192.0.2.10')?.connectionsEstablished;

      err = '';
      expect(await main(args, io)).toBe(0);
      expect(err).toContain('FRR already runs the rendered config; nothing reloaded');
      expect((await neighbors(router)).find((n) => n.id === '192.0.2.10')?.connectionsEstablished).toBe(established);
    }, 60_000);
  });
});
