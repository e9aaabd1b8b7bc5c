/**
 * The sidecar end to end on real FRR: a folder source, the reconciler and the FRR target driving a
 * speaker FRR in a network namespace, peered with a router FRR whose received routes we assert.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { createFrrTarget } from '../../src/frr/frr-target.js';
import { realConfigFiles } from '../../src/frr/write-file.js';
import { realClock } from '../../src/ops/clock.js';
import { createJsonLogger } from '../../src/ops/logger.js';
import { createMetrics, type Metrics } from '../../src/ops/metrics.js';
import { loadRenderer } from '../../src/pipeline.js';
import { Reconciler } from '../../src/reconciler/reconciler.js';
import { createFolderSource } from '../../src/sources/folder.js';
import {
  cleanupStale,
  describeWithFrr,
  FrrInstance,
  linkNamespaces,
  neighbors,
  pollUntil,
  receivedRoutes,
  routerConfig,
} from '../harness/index.js';

const PEER = (extra = '') => `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router, namespace: metallb-system }
spec:
  myASN: 64500
  peerASN: 64501
  peerAddress: 192.0.2.1
  holdTime: 9s
  keepaliveTime: 3s
  connectTime: 1s${extra}
`;
const POOL = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: pool, namespace: metallb-system }
spec: { addresses: [198.51.100.0/24] }
`;
const ADV = (communities: string[]) => `apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv, namespace: metallb-system }
spec: { ipAddressPools: [pool], communities: ${JSON.stringify(communities)} }
`;
const SERVICES = (ips: string[]) =>
  ips
    .map(
      (ip, i) => `apiVersion: v1
kind: Service
metadata: { name: svc-${i}, namespace: shop }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ ip: ${ip} }] } }
`,
    )
    .join('---\n') || '# no services\n';

/**
 * Each scenario runs against FRR's default instance (no pathspace, /etc/frr/frr.conf: as in a pod)
 * and against a pathspace instance (as most tests), on every release under test.
 */
const SPEAKERS = [
  ['default instance', () => FrrInstance.startDefault('sidedef')],
  ['pathspace', () => FrrInstance.start('sidespk')],
] as const;

describeWithFrr('sidecar on real FRR (folder source)', () => {
describe.each(SPEAKERS)('speaker FRR: %s', (_kind, startSpeaker) => {
  let speaker: FrrInstance;
  let router: FrrInstance;
  let dir: string;
  let reconciler: Reconciler;
  let metrics: Metrics;
  const logs: string[] = [];
  let configPath: string;

  /** Writes a manifest the way kubectl-less users and editors should: whole file, then rename. */
  function put(name: string, text: string): void {
    const tmp = join(dir, `.${name}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(dir, name));
  }

  async function routesAtRouter(): Promise<string[]> {
    return (await receivedRoutes(router, 'ipv4')).map((r) => r.prefix).sort();
  }

  async function reloads(result: string): Promise<number> {
    const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === 'frr_renderer_reloads_total');
    return m?.values.find((v) => v.labels['result'] === result)?.value ?? 0;
  }

  async function dropped(): Promise<number> {
    const n = (await neighbors(router)).find((x) => x.id === '192.0.2.10');
    return n?.connectionsDropped ?? -1;
  }

  beforeAll(async () => {
    await cleanupStale();
    speaker = await startSpeaker();
    router = await FrrInstance.start('siderouter');
    await linkNamespaces({ namespace: speaker.namespace, addresses: ['192.0.2.10/24'] }, { namespace: router.namespace, addresses: ['192.0.2.1/24'] });
    dir = mkdtempSync(join(tmpdir(), 'frr-renderer-sidecar-'));
    const routerFile = join(dir, '..', `${router.name}.conf`);
    writeFileSync(routerFile, routerConfig({ asn: 64501, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.10', remoteAs: 64500 }] }));
    await router.load(routerFile);
    rmSync(routerFile);

    put('peer.yaml', PEER());
    put('pool.yaml', POOL);
    put('adv.yaml', ADV([]));
    put('services.yaml', SERVICES([]));

    configPath = join(speaker.confDir, 'frr.conf');
    metrics = createMetrics();
    reconciler = new Reconciler(
      { node: 'worker-0', metallbNamespace: 'metallb-system', hostname: hostname(), debounceMs: 100, maxDebounceMs: 1000, retry: { initialMs: 200, maxMs: 2000 }, driftCheckMs: 1000, frrRelease: speaker.installation.release },
      {
        source: createFolderSource(dir),
        renderer: await loadRenderer(),
        target: createFrrTarget({ frr: speaker.frr, configPath, files: realConfigFiles }),
        clock: realClock,
        random: Math.random,
        logger: createJsonLogger({ level: 'info', write: (l) => void logs.push(l) }),
        metrics,
      },
    );
    await reconciler.start();
    await pollUntil(() => neighbors(router), (ns) => ns.some((n) => n.state === 'Established'), { what: 'session to come up', timeoutMs: 30_000, show: (ns) => JSON.stringify(ns) });
  }, 90_000);

  afterAll(async () => {
    await reconciler?.stop();
    await speaker?.destroy();
    await router?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('converges on the first apply in one pass, rendered for the release FRR reports', async () => {
    await reconciler.idle();
    const apply = reconciler.status().apply;
    // The whole record on failure: description and details say what FRR still differs on.
    expect(apply).toEqual(expect.objectContaining({ result: 'success' }));
    expect(apply?.passes).toBeLessThanOrEqual(1);
    expect(reconciler.status().frr).toMatchObject({ release: `${speaker.installation.release.major}.${speaker.installation.release.minor}`, from: 'frr' });
    expect(await reloads('failure')).toBe(0);
    // What the sidecar verified is what FRR runs: frr-reload.py --test of the rendered bytes is empty.
    expect(await speaker.testReload(configPath)).toEqual({ toDelete: [], toAdd: [] });
  }, 30_000);

  it('announces a Service as soon as it has an IP', async () => {
    put('services.yaml', SERVICES(['198.51.100.10']));
    await pollUntil(routesAtRouter, (r) => r.includes('198.51.100.10/32'), { what: 'router to learn 198.51.100.10/32', show: (r) => r.join(', ') });
  }, 30_000);

  it('applies a changed advertisement without resetting the session', async () => {
    const before = await dropped();
    put('adv.yaml', ADV(['64500:100']));
    await pollUntil(
      () => router.showJson('show bgp ipv4 unicast 198.51.100.10/32 json'),
      (j) => JSON.stringify(j).includes('64500:100'),
      { what: 'route to carry community 64500:100', show: (j) => JSON.stringify(j).slice(0, 400) },
    );
    expect(await dropped()).toBe(before);
  }, 30_000);

  it('sends no-advertise and no-export as communities the router receives, without a session reset', async () => {
    const before = await dropped();
    put('adv.yaml', ADV(['65535:65282', '65535:65281', '64500:100']));
    await pollUntil(
      () => router.showJson('show bgp ipv4 unicast 198.51.100.10/32 json'),
      (j) => /noAdvertise/.test(JSON.stringify(j)) && /noExport/.test(JSON.stringify(j)),
      { what: 'route to carry no-advertise and no-export', show: (j) => JSON.stringify(j).slice(0, 600) },
    );
    expect(await dropped()).toBe(before);
    put('adv.yaml', ADV(['64500:100']));
    await pollUntil(
      () => router.showJson('show bgp ipv4 unicast 198.51.100.10/32 json'),
      (j) => !/noAdvertise/.test(JSON.stringify(j)) && JSON.stringify(j).includes('64500:100'),
      { what: 'the well-known communities to be gone', show: (j) => JSON.stringify(j).slice(0, 600) },
    );
    expect(await dropped()).toBe(before);
  }, 60_000);

  it('withdraws a removed Service and announces an added one', async () => {
    put('services.yaml', SERVICES(['198.51.100.10', '198.51.100.11']));
    await pollUntil(routesAtRouter, (r) => r.includes('198.51.100.11/32'), { what: 'router to learn 198.51.100.11/32', show: (r) => r.join(', ') });
    put('services.yaml', SERVICES(['198.51.100.10']));
    await pollUntil(routesAtRouter, (r) => !r.includes('198.51.100.11/32') && r.includes('198.51.100.10/32'), { what: 'router to lose 198.51.100.11/32 only', show: (r) => r.join(', ') });
    // One network line less, from a config FRR was verified to run: the fast path (issue 12, item 4).
    await reconciler.idle();
    expect(reconciler.status().apply).toMatchObject({ result: 'success', path: 'fast', passes: 0 });
    expect(await speaker.testReload(configPath)).toEqual({ toDelete: [], toAdd: [] });
  }, 60_000);

  it('adopts the running FRR after a sidecar restart: no reload, no session reset', async () => {
    await reconciler.idle();
    const before = await dropped();
    const restartedMetrics = createMetrics();
    const restarted = new Reconciler(
      { node: 'worker-0', metallbNamespace: 'metallb-system', hostname: hostname(), debounceMs: 100, maxDebounceMs: 1000, retry: { initialMs: 200, maxMs: 2000 }, driftCheckMs: 0, frrRelease: { major: 8, minor: 4 } },
      {
        source: createFolderSource(dir),
        renderer: await loadRenderer(),
        target: createFrrTarget({ frr: speaker.frr, configPath, files: realConfigFiles }),
        clock: realClock,
        random: Math.random,
        logger: createJsonLogger({ level: 'error', write: () => undefined }),
        metrics: restartedMetrics,
      },
    );
    try {
      await restarted.start();
      await pollUntil(async () => restarted.status().apply, (a) => a !== undefined, { what: 'the restarted sidecar to settle' });
      expect(restarted.status().apply).toMatchObject({ result: 'adopted', passes: 0 });
      const m = (await restartedMetrics.registry.getMetricsAsJSON()).find((x) => x.name === 'frr_renderer_reloads_total');
      expect(m?.values.reduce((sum, v) => sum + v.value, 0) ?? 0).toBe(0);
      expect(await dropped()).toBe(before);
    } finally {
      await restarted.stop();
    }
  }, 60_000);

  it('keeps the last good config when a BGPPeer becomes invalid, and reports it', async () => {
    const good = readFileSync(configPath, 'utf8');
    put('peer.yaml', PEER('\n  password: "has space"'));
    await pollUntil(async () => reconciler.status().conversion, (c) => c?.valid === false, { what: 'the invalid peer to be reported' });
    expect(reconciler.status().conversion?.errors.join('\n')).toMatch(/BGPPeer metallb-system\/router: spec\.password: /);
    expect(readFileSync(configPath, 'utf8')).toBe(good);
    expect(await routesAtRouter()).toContain('198.51.100.10/32');
    expect(logs.join('')).not.toContain('has space');
    put('peer.yaml', PEER());
    await pollUntil(async () => reconciler.status().conversion, (c) => c?.valid === true, { what: 'the fixed peer to be accepted' });
  }, 30_000);

  it('keeps the last good config while a file is half written', async () => {
    const good = readFileSync(configPath, 'utf8');
    writeFileSync(join(dir, 'services.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: { name: svc-0, namespace: shop\n');
    await pollUntil(async () => reconciler.status().conversion, (c) => c?.valid === false, { what: 'the broken file to be reported' });
    expect(readFileSync(configPath, 'utf8')).toBe(good);
    put('services.yaml', SERVICES(['198.51.100.10']));
    await pollUntil(async () => reconciler.status().conversion, (c) => c?.valid === true, { what: 'the fixed file to be accepted' });
  }, 30_000);

  it('brings the config back after bgpd is killed', async () => {
    const pidFile = join(speaker.runDir, 'bgpd.pid');
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    await pollUntil(
      async () => readFileSync(pidFile, 'utf8').trim(),
      (p) => p !== '' && Number(p) !== pid,
      { what: 'watchfrr to restart bgpd', timeoutMs: 30_000 },
    );
    await pollUntil(routesAtRouter, (r) => r.includes('198.51.100.10/32'), { what: 'router to learn the route again', timeoutMs: 40_000, show: (r) => r.join(', ') });
    const running = await speaker.show('show running-config');
    expect(running).toContain('network 198.51.100.10/32 route-map metallb-tag-');
  }, 90_000);

  it('re-applies after someone edits the running config by hand', async () => {
    await speaker.configure(['router bgp 64500', 'address-family ipv4 unicast', 'no network 198.51.100.10/32']);
    await pollUntil(routesAtRouter, (r) => !r.includes('198.51.100.10/32'), { what: 'the manual edit to withdraw the route', show: (r) => r.join(', ') });
    await pollUntil(routesAtRouter, (r) => r.includes('198.51.100.10/32'), { what: 'the sidecar to restore the route', timeoutMs: 30_000, show: (r) => r.join(', ') });
    expect(logs.join('')).toContain('FRR running config changed behind our back');
  }, 60_000);

  it("leaves the node's IP forwarding as it is: turned off on the node, the sidecar follows and never turns it back on", async () => {
    const forwarding = async () => (await speaker.exec('sysctl', ['-n', 'net.ipv6.conf.all.forwarding'])).stdout.trim();
    // Changed while the sidecar is idle (a change racing an apply in flight can be undone by that
    // apply's own verification pass; the next reconcile then follows the node again).
    await reconciler.idle();
    await speaker.exec('sysctl', ['-q', '-w', 'net.ipv6.conf.all.forwarding=0']);
    try {
      await pollUntil(async () => readFileSync(configPath, 'utf8'), (c) => c.includes('\nno ipv6 forwarding\n'), {
        what: 'the sidecar to render `no ipv6 forwarding` as FRR reports it',
        timeoutMs: 30_000,
      });
      await reconciler.idle();
      expect(reconciler.status().apply?.result).toMatch(/^(success|adopted)$/);
      expect(await forwarding()).toBe('0');
      expect(await speaker.testReload(configPath)).toEqual({ toDelete: [], toAdd: [] });
      expect(await routesAtRouter()).toContain('198.51.100.10/32');
    } finally {
      await speaker.exec('sysctl', ['-q', '-w', 'net.ipv6.conf.all.forwarding=1']);
    }
    await pollUntil(async () => readFileSync(configPath, 'utf8'), (c) => !c.includes('no ipv6 forwarding'), { what: 'the line to go with forwarding back on', timeoutMs: 30_000 });
  }, 90_000);

  it('turns 200 rapid changes into a handful of reloads, ending in the right state', async () => {
    await reconciler.idle();
    const before = await reloads('success');
    for (let i = 1; i <= 200; i++) put('services.yaml', SERVICES([`198.51.100.${10 + (i % 50)}`, '198.51.100.200']));
    await pollUntil(routesAtRouter, (r) => r.includes('198.51.100.200/32') && r.includes('198.51.100.10/32') && r.length === 2, {
      what: 'router to see exactly the last state',
      timeoutMs: 30_000,
      show: (r) => r.join(', '),
    });
    // The router sees the routes while frr-reload.py is still verifying: wait for the apply to end.
    await new Promise((r) => setTimeout(r, 500));
    await reconciler.idle();
    const count = (await reloads('success')) - before;
    expect(count).toBeGreaterThanOrEqual(1);
    expect(count).toBeLessThanOrEqual(6);
  }, 60_000);
});
}, { defaultInstance: true });
