/**
 * The image, built from the Containerfile unchanged, and the speaker pod run as
 * manifests/daemonset.yaml describes it (test/image/pod.ts maps the DaemonSet to podman), against
 * a router FRR in another network namespace. Every variant of test/image/variants.ts is built;
 * base images come from scripts/image-prereqs.sh (`npm run test:image` runs it first).
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cleanupStale, FrrInstance, linkNamespaces, neighbors, pollUntil, receivedRoutes, routerConfig } from '../harness/index.js';
import { createNamespace, deleteNamespace } from '../harness/namespaces.js';
import { ownedName } from '../harness/names.js';
import type { Json } from '../integration/fake-apiserver.js';
import { REPO } from '../unit/manifests/kustomize.js';
import { startInClusterApi, type InClusterApi } from './in-cluster-api.js';
import { httpGetIn } from './netns-http.js';
import { container, PodmanPod, readDaemonSetPod, SERVICE_ACCOUNT_DIR, type DaemonSetPod } from './pod.js';
import { buildTrustMount, describeWithImage } from './preconditions.js';
import { Podman, podmanName } from './podman.js';
import { baseImageOf, IMAGE_VARIANTS, type ImageVariant } from './variants.js';

/** Addresses (documentation ranges only): the node (pod) side and the router side of the link. */
const NODE_ADDRESS = '192.0.2.10';
const ROUTER_ADDRESS = '192.0.2.1';
const NODE_NAME = 'worker-0';
/** The TCP-MD5 password of the session: it must never appear in a log. */
const PASSWORD = 'frrt-img-Pw-7c41e9';
const INVALID_PASSWORD = 'frrt-img bad pw';
/** Where the folder source is mounted in the sidecar container. */
const SOURCE_MOUNT = '/frrt-source';

const peerYaml = (password: string) => `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router, namespace: metallb-system }
spec:
  myASN: 64500
  peerASN: 64501
  peerAddress: ${ROUTER_ADDRESS}
  holdTime: 9s
  keepaliveTime: 3s
  connectTime: 1s
  password: "${password}"
`;
const POOL_YAML = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: pool, namespace: metallb-system }
spec: { addresses: [198.51.100.0/24] }
`;
/** no-advertise (65535:65282) as MetalLB users write it, plus a plain one. */
const ADV_YAML = `apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv, namespace: metallb-system }
spec: { ipAddressPools: [pool], communities: ["64500:100", "65535:65282"] }
`;
const COMMUNITIES = ['64500:100', '65535:65282'];
const serviceYaml = (name: string, ip: string) => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop }
spec: { type: LoadBalancer, ports: [{ port: 80, protocol: TCP }] }
status: { loadBalancer: { ingress: [{ ip: ${ip} }] } }
`;

const podman = new Podman();

// The layers of each variant's last build stay as the build cache; other untagged images go.
afterAll(() => podman.pruneBuildCache(), 300_000);

for (const variant of IMAGE_VARIANTS) {
  describeWithImage(`image ${variant.name} (Debian ${variant.debianRelease}, FRR ${variant.frrRelease})`, () => {
    const image = `localhost/${podmanName(variant.name)}:0.1.0`;
    let built = false;

    beforeAll(async () => {
      await podman.cleanupStale();
      await cleanupStale();
    }, 120_000);

    afterAll(async () => {
      // The tag goes; the layers stay as build cache until the end of the file (pruneBuildCache).
      if (await podman.exists('image', image)) await podman.ok(['untag', image]);
    }, 120_000);

    it(`builds from the Containerfile unchanged, with --pull=never on ${baseImageOf(variant)}`, async () => {
      expect(await podman.exists('image', baseImageOf(variant))).toBe(true);
      // --format docker: podman's default (OCI) drops the Containerfile's HEALTHCHECK.
      const args = ['build', '--pull=never', '--format', 'docker', '--network', 'host', '--file', 'Containerfile', '--tag', image];
      if (!variant.isDefault) args.push('--build-arg', `DEBIAN_RELEASE=${variant.debianRelease}`);
      args.push(...buildTrustMount());
      const started = Date.now();
      const r = await podman.run([...args, REPO], 20 * 60_000, { cwd: REPO });
      const seconds = Math.round((Date.now() - started) / 1000);
      if (r.exitCode !== 0) throw new Error(`podman build failed after ${seconds} s:\n${(r.stdout + r.stderr).slice(-4000)}`);
      built = true;
      const size = Number(await podman.ok(['image', 'inspect', '--format', '{{.Size}}', image]));
      const frr = (await podman.ok(['run', '--rm', '--network', 'none', '--ulimit', 'host', '--entrypoint', 'dpkg-query', image, '-W', '-f', '${Version}', 'frr'])).trim();
      process.stderr.write(`image ${variant.name}: ${(size / 1e6).toFixed(0)} MB, frr ${frr}, built in ${seconds} s\n`);
      podman.recordBuildLayers(variant.name, Podman.layersOf(r.stdout + r.stderr));
    }, 25 * 60_000);

    it(`ships FRR ${variant.frrRelease}, runs as the DaemonSet's user, and names its base`, async () => {
      expect(built).toBe(true);
      const frr = (await podman.ok(['run', '--rm', '--network', 'none', '--ulimit', 'host', '--entrypoint', 'dpkg-query', image, '-W', '-f', '${Version}', 'frr'])).trim();
      expect(frr.startsWith(`${variant.frrRelease}-`)).toBe(true);
      const config = JSON.parse(await podman.ok(['image', 'inspect', '--format', '{{json .Config}}', image])) as { User: string; Labels: Record<string, string> };
      const health = JSON.parse(await podman.ok(['image', 'inspect', '--format', '{{json .HealthCheck}}', image])) as { Test?: string[] } | null;
      expect(health?.Test?.join(' ')).toContain('http://127.0.0.1:9120/healthz');
      const sc = container(readDaemonSetPod(), 'frr-renderer').securityContext as Json;
      expect(config.User).toBe(`${String(sc.runAsUser)}:${String(sc.runAsGroup)}`);
      expect(config.Labels['org.opencontainers.image.base.name']).toBe(baseImageOf(variant));
    }, 120_000);

    if (variant.podChecksPending !== undefined) {
      // Named in the report as skipped, with the reason: never silently left out.
      describe.skip(`the pod as manifests/daemonset.yaml runs it: pending (${variant.podChecksPending})`, () => {
        it('runs the pod checks', () => undefined);
      });
    } else {
      describePod(variant, image, () => built);
    }
  });
}

function describePod(variant: ImageVariant, image: string, isBuilt: () => boolean): void {
  describe('the pod as manifests/daemonset.yaml runs it', () => {
    const daemonSet: DaemonSetPod = readDaemonSetPod();
    let netns = '';
    let router: FrrInstance | undefined;
    let work = '';
    let source = '';
    let pod: PodmanPod;
    let init: { exitCode: number; output: string };
    let beforeFrr: { healthz: number; readyz: number; readyzBody: string };
    /** Logs of containers that were replaced by a restart: checked for passwords too. */
    const earlierLogs: string[] = [];
    let api: InClusterApi | undefined;

    const sidecarArgsWithFolder = (): string[] => {
      const args = (container(daemonSet, 'frr-renderer').args as string[]).map(String);
      const at = args.indexOf('--source');
      if (at < 0) throw new Error(`the DaemonSet's frr-renderer args have no --source: ${args.join(' ')}`);
      // The only change to the DaemonSet's args: the source is a folder instead of the cluster.
      return [...args.slice(0, at + 1), `dir:${SOURCE_MOUNT}`, ...args.slice(at + 2)];
    };
    const folderRun = () => ({ args: sidecarArgsWithFolder(), mounts: [`${source}:${SOURCE_MOUNT}:ro`] });

    function put(name: string, text: string): void {
      const tmp = join(source, `.${name}.tmp`);
      writeFileSync(tmp, text);
      renameSync(tmp, join(source, name));
    }
    const port = (): number => {
      const ports = container(daemonSet, 'frr-renderer').ports as Json[];
      return Number(ports.find((p) => p.name === 'monitoring')?.containerPort);
    };
    const get = (path: string) => httpGetIn(netns, `http://${NODE_ADDRESS}:${port()}${path}`);
    const routes = async () => (await receivedRoutes(router!, 'ipv4')).map((r) => ({ prefix: r.prefix, communities: r.paths[0]?.communities ?? [] }));
    const prefixes = async () => (await routes()).map((r) => r.prefix).sort();
    const session = async () => (await neighbors(router!)).find((n) => n.id === NODE_ADDRESS);
    const sidecarStatus = async () => JSON.parse((await get('/status')).body) as { conversion?: { valid: boolean; errors: string[] }; apply?: { result: string; at: number } };
    const frrConf = () => join(pod.volumes.get('frr-conf')!, 'frr.conf');

    beforeAll(async () => {
      expect(isBuilt()).toBe(true);
      netns = ownedName('imgpod');
      // A node's namespace: lo up, IPv4 and IPv6 forwarding on (as on a Kubernetes node).
      await createNamespace(netns);
      router = await FrrInstance.start('imgrouter');
      await linkNamespaces({ namespace: netns, addresses: [`${NODE_ADDRESS}/24`] }, { namespace: router.namespace, addresses: [`${ROUTER_ADDRESS}/24`] });
      work = mkdtempSync(join(tmpdir(), `${podmanName(variant.name)}-`));
      const routerFile = join(work, 'router.conf');
      writeFileSync(routerFile, routerConfig({ asn: 64501, routerId: ROUTER_ADDRESS, neighbors: [{ address: NODE_ADDRESS, remoteAs: 64500, password: PASSWORD }] }));
      await router.load(routerFile);

      source = join(work, 'source');
      mkdirSync(source);
      put('peer.yaml', peerYaml(PASSWORD));
      put('pool.yaml', POOL_YAML);
      put('adv.yaml', ADV_YAML);
      put('web.yaml', serviceYaml('web', '198.51.100.10'));

      pod = new PodmanPod({
        podman,
        pod: daemonSet,
        image,
        netns,
        who: { nodeName: NODE_NAME, podName: `frr-renderer-${variant.name}`, podUid: `0b6f6e0c-${process.pid}` },
        workDir: work,
        namePrefix: podmanName(variant.name),
      });
      init = await pod.runInit('cp-frr-files');
      if (init.exitCode !== 0) return; // reported by the init test; the others fail on their own
      // The sidecar first: until FRR runs, the pod must answer /healthz and refuse /readyz.
      await pod.start('frr-renderer', folderRun());
      const healthz = await pollUntil(() => get('/healthz'), (a) => a.status === 200, { what: '/healthz of the sidecar', timeoutMs: 30_000 });
      const readyz = await get('/readyz');
      beforeFrr = { healthz: healthz.status, readyz: readyz.status, readyzBody: readyz.body };
      await pod.start('frr');
    }, 240_000);

    afterAll(async () => {
      if (api) await api.close();
      await podman.remove(['frr-renderer', 'frr', 'cp-frr-files'].map((c) => pod?.nameOf(c) ?? '').filter((n) => n !== ''));
      await router?.destroy();
      if (netns !== '') await deleteNamespace(netns);
      if (work !== '') rmSync(work, { recursive: true, force: true });
    }, 180_000);

    it('the init container copies FRR startup files from the ConfigMap into /etc/frr', () => {
      expect([init.exitCode, init.output]).toEqual([0, '']);
      const startup = daemonSet.configMaps.get('frr-renderer-startup')!;
      for (const [file, text] of Object.entries(startup)) {
        expect([file, readFileSync(join(pod.volumes.get('frr-conf')!, file), 'utf8')]).toEqual([file, text]);
      }
    });

    it('answers /healthz 200 and /readyz 503 while FRR does not run a config of ours', () => {
      expect(beforeFrr).toMatchObject({ healthz: 200, readyz: 503 });
    });

    it("announces the service's prefix to the router, with its communities", async () => {
      const got = await pollUntil(routes, (r) => r.some((x) => x.prefix === '198.51.100.10/32'), {
        what: 'router to receive 198.51.100.10/32',
        timeoutMs: 90_000,
        show: (r) => JSON.stringify(r),
      });
      expect(got.find((x) => x.prefix === '198.51.100.10/32')?.communities).toEqual(COMMUNITIES);
    }, 120_000);

    it('answers /readyz 200 once FRR runs our config, and /healthz and /metrics on the container port', async () => {
      await pollUntil(() => get('/readyz'), (a) => a.status === 200, { what: '/readyz 200', timeoutMs: 60_000, show: (a) => `${a.status} ${a.body}` });
      expect((await get('/healthz')).status).toBe(200);
      const metrics = await get('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/^frr_renderer_config_valid 1$/m);
      expect(metrics.body).toMatch(/^frr_renderer_frr_reachable 1$/m);
    }, 90_000);

    it("passes the DaemonSet's probes, run as written", async () => {
      const results: string[] = [];
      for (const c of daemonSet.containers) {
        for (const kind of ['livenessProbe', 'readinessProbe'] as const) {
          const probe = c[kind] as Json | undefined;
          if (probe === undefined) continue;
          const name = String(c.name);
          if (probe.httpGet !== undefined) {
            const h = probe.httpGet as Json;
            const ports = (c.ports ?? []) as Json[];
            const p = typeof h.port === 'number' ? h.port : ports.find((x) => x.name === h.port)?.containerPort;
            // The kubelet probes the pod IP, which is the node's address with hostNetwork.
            const a = await httpGetIn(netns, `http://${NODE_ADDRESS}:${String(p)}${String(h.path)}`, Number(probe.timeoutSeconds ?? 1) * 1000);
            results.push(`${name} ${kind} GET ${String(h.path)}: ${a.status >= 200 && a.status < 400 ? 'pass' : `fail ${a.status} ${a.body}`}`);
          } else if (probe.exec !== undefined) {
            const cmd = ((probe.exec as Json).command as string[]).map(String);
            const r = await pod.exec(name, cmd, Number(probe.timeoutSeconds ?? 1) * 1000 + 5_000);
            results.push(`${name} ${kind} exec ${cmd.join(' ')}: ${r.exitCode === 0 ? 'pass' : `fail ${r.exitCode} ${r.stdout}${r.stderr}`}`);
          } else throw new Error(`${name} ${kind}: only httpGet and exec probes are mapped`);
        }
      }
      expect(results.length).toBeGreaterThanOrEqual(3);
      expect(results.filter((r) => !r.endsWith(': pass'))).toEqual([]);
    }, 60_000);

    it("answers `vtysh -c 'show bgp summary'` in the frr container", async () => {
      const r = await pod.exec('frr', ['vtysh', '-c', 'show bgp summary']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain(ROUTER_ADDRESS);
      expect(r.stdout).toMatch(/local AS number 64500/);
    }, 60_000);

    it('answers `frr-renderer status` and `explain NS/NAME` in the frr-renderer container', async () => {
      const status = await pod.exec('frr-renderer', ['frr-renderer', 'status']);
      expect([status.exitCode, status.stderr]).toEqual([0, '']);
      expect(status.stdout).toContain(`node ${NODE_NAME}`);
      expect(status.stdout).toMatch(new RegExp(`FRR ${variant.frrRelease.replace(/\./g, '\\.')}\\b`));
      expect(status.stdout).toMatch(/sessions: 1\/1 established/);
      const explain = await pod.exec('frr-renderer', ['frr-renderer', 'explain', 'shop/web']);
      expect([explain.exitCode, explain.stderr]).toEqual([0, '']);
      expect(explain.stdout).toContain('service shop/web on node worker-0: announced');
      expect(explain.stdout).toContain('198.51.100.10/32: advertised');
    }, 60_000);

    it('announces a second service added later', async () => {
      put('api.yaml', serviceYaml('api', '198.51.100.11'));
      const got = await pollUntil(routes, (r) => r.some((x) => x.prefix === '198.51.100.11/32'), { what: 'router to receive 198.51.100.11/32', timeoutMs: 60_000, show: (r) => JSON.stringify(r) });
      expect(got.find((x) => x.prefix === '198.51.100.11/32')?.communities).toEqual(COMMUNITIES);
    }, 90_000);

    it('keeps the last good config when a change is invalid, and reports it', async () => {
      const good = readFileSync(frrConf(), 'utf8');
      put('peer.yaml', peerYaml(INVALID_PASSWORD));
      try {
        const st = await pollUntil(sidecarStatus, (s) => s.conversion?.valid === false, { what: 'the invalid BGPPeer to be reported in /status' });
        expect(st.conversion?.errors.join('\n')).toMatch(/BGPPeer metallb-system\/router: spec\.password: /);
        expect((await get('/readyz')).status).toBe(200); // FRR still runs a config of ours
        expect(readFileSync(frrConf(), 'utf8')).toBe(good);
        expect(await prefixes()).toEqual(['198.51.100.10/32', '198.51.100.11/32']);
      } finally {
        // Whatever failed above, the later checks start from the valid peer again.
        put('peer.yaml', peerYaml(PASSWORD));
      }
      await pollUntil(sidecarStatus, (s) => s.conversion?.valid === true, { what: 'the fixed BGPPeer to be accepted' });
      expect(statSync(frrConf()).mode & 0o777).toBe(0o600);
    }, 60_000);

    it('restarting the frr-renderer container alone resets no session and reloads nothing (adopts)', async () => {
      const before = await session();
      expect(before?.state).toBe('Established');
      const conf = readFileSync(frrConf(), 'utf8');
      earlierLogs.push(await pod.restart('frr-renderer', folderRun()));
      await pollUntil(() => get('/readyz'), (a) => a.status === 200, { what: '/readyz 200 after the restart', timeoutMs: 60_000, show: (a) => `${a.status} ${a.body}` });
      const logs = await pod.logs('frr-renderer');
      expect(logs).toContain('FRR already runs the rendered config; nothing reloaded');
      expect((await get('/metrics')).body).not.toMatch(/^frr_renderer_reloads_total\{result="success"\} [1-9]/m);
      const after = await session();
      expect({ established: after?.connectionsEstablished, dropped: after?.connectionsDropped, state: after?.state }).toEqual({
        established: before?.connectionsEstablished,
        dropped: before?.connectionsDropped,
        state: 'Established',
      });
      expect(readFileSync(frrConf(), 'utf8')).toBe(conf);
    }, 120_000);

    it('restarting the frr container: FRR starts from the rendered frr.conf, the routes come back, nothing is left to apply', async () => {
      const before = await session();
      earlierLogs.push(await pod.restart('frr'));
      // A new session (FRR really restarted), and the router has both prefixes again.
      await pollUntil(session, (s) => s?.state === 'Established' && s.connectionsEstablished > (before?.connectionsEstablished ?? 0), {
        what: 'a new session after the FRR restart',
        timeoutMs: 90_000,
        show: (s) => JSON.stringify(s),
      });
      const got = await pollUntil(routes, (r) => JSON.stringify(r.map((x) => x.prefix)) === JSON.stringify(['198.51.100.10/32', '198.51.100.11/32']), {
        what: 'router to receive both prefixes again',
        timeoutMs: 60_000,
        show: (r) => JSON.stringify(r),
      });
      expect(got.map((x) => x.communities)).toEqual([COMMUNITIES, COMMUNITIES]);
      // The frr.conf FRR read at start is the sidecar's (the shared emptyDir keeps it; the init
      // container does not run again): as the sidecar verifies, frr-reload.py finds nothing to change.
      // (Only the section titles are compared: the lines themselves may hold the password.)
      const check = await pod.exec('frr-renderer', ['/usr/lib/frr/frr-reload.py', '--test', '/etc/frr/frr.conf'], 60_000);
      expect(check.exitCode).toBe(0);
      expect(check.stdout.split('\n').filter((l) => /^Lines To (Delete|Add)$/.test(l.trim()))).toEqual([]);
      expect((await get('/readyz')).status).toBe(200);
    }, 180_000);

    it('writes nothing outside its volumes: the read-only root holds', async () => {
      const name = pod.nameOf('frr-renderer');
      expect((await podman.ok(['inspect', '--format', '{{.HostConfig.ReadonlyRootfs}}', name])).trim()).toBe('true');
      const mounts = ((container(daemonSet, 'frr-renderer').volumeMounts ?? []) as Json[]).map((m) => String(m.mountPath));
      mounts.push(SOURCE_MOUNT);
      // `podman diff` lists the mount points (and the folders holding them) podman created; anything else is a write.
      const isMountPath = (p: string) => mounts.some((m) => m === p || m.startsWith(`${p}/`) || p === m.replace(/^\/var\/run\//, '/run/'));
      const changes = (await podman.ok(['diff', name])).split('\n').filter((l) => l.trim() !== '').map((l) => l.trim());
      expect(changes.filter((c) => !isMountPath(c.slice(2)))).toEqual([]);
      expect(await pod.logs('frr-renderer')).not.toMatch(/EROFS|read-only file system/i);
    }, 60_000);

    it('logs no password in either container', async () => {
      const logs = [...earlierLogs, await pod.logs('frr'), await pod.logs('frr-renderer')].join('\n');
      expect(logs.length).toBeGreaterThan(0);
      expect(logs).not.toContain(PASSWORD);
      expect(logs).not.toContain(INVALID_PASSWORD);
    }, 60_000);

    it('with --source k8s as the DaemonSet says: in-cluster config, the fake API server, status written', async () => {
      api = await startInClusterApi(netns, work, daemonSet.namespace);
      for (const file of ['peer.yaml', 'pool.yaml', 'adv.yaml', 'web.yaml', 'api.yaml']) {
        for (const doc of parseAllDocuments(readFileSync(join(source, file), 'utf8'))) api.server.put(doc.toJS() as Json);
      }
      api.server.put(JSON.parse(JSON.stringify(parseAllDocuments(serviceYaml('db', '198.51.100.12'))[0]!.toJS())) as Json);
      // The DaemonSet's own args; the kubelet's ServiceAccount mount and KUBERNETES_SERVICE_* env.
      earlierLogs.push(await pod.restart('frr-renderer', { env: api.env, mounts: [`${api.serviceAccountDir}:${SERVICE_ACCOUNT_DIR}:ro`] }));
      await pollUntil(prefixes, (p) => p.includes('198.51.100.12/32'), { what: 'router to receive the service only the API server has', timeoutMs: 90_000, show: (p) => p.join(', ') });
      await pollUntil(() => get('/readyz'), (a) => a.status === 200, { what: '/readyz 200 with the Kubernetes source', timeoutMs: 60_000, show: (a) => `${a.status} ${a.body}` });
      const server = api.server;
      // Written first as Unknown (nothing rendered yet), then Valid.
      const state = await pollUntil(async () => server.get('metallb.io/v1beta1', 'ConfigurationState', daemonSet.namespace, `speaker-${NODE_NAME}`), (o) => (o?.status as Json | undefined)?.result === 'Valid', {
        what: 'ConfigurationState Valid to be written through the API server',
        timeoutMs: 30_000,
      });
      expect(((state?.metadata as Json).ownerReferences as Json[])[0]).toMatchObject({ kind: 'Pod', name: `frr-renderer-${variant.name}` });
      const auth = new Set(server.requests.map((r) => r.authorization));
      expect([...auth]).toEqual([`Bearer ${api.token}`]);
      expect(await pod.logs('frr-renderer')).not.toContain(PASSWORD);
    }, 180_000);
  });
}
