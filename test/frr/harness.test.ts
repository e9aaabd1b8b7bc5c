/** The harness itself: instances come and go completely, links carry traffic, leftovers are removed. */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cleanupStale,
  describeWithFrr,
  FrrInstance,
  linkNamespaces,
  listNamespaces,
  HARNESS_PREFIX,
  installationUnderTest,
} from '../harness/index.js';
import { pathspacePids } from '../harness/pathspace.js';
import { execIn } from '../harness/namespaces.js';
import { sh } from '../harness/system.js';

const FRR_TIMEOUT_MS = 60_000;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Connects from inside `from`'s namespace with Node itself (no ping on minimal machines). */
async function tcpConnect(from: FrrInstance, host: string, port: number): Promise<string> {
  const script = `
    const socket = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]), timeout: 1500 });
    socket.on('connect', () => { console.log('connected'); socket.destroy(); });
    socket.on('timeout', () => { console.log('timeout'); socket.destroy(); });
    socket.on('error', (err) => console.log(err.code));`;
  const { stdout } = await from.exec(process.execPath, ['-e', script, host, String(port)], 10_000);
  return stdout.trim();
}

describeWithFrr('FRR test harness', () => {
  const instances: FrrInstance[] = [];

  afterAll(async () => {
    for (const instance of instances) await instance.destroy();
  }, FRR_TIMEOUT_MS);

  it('starts FRR inside its own namespace and removes every trace on destroy', async () => {
    const frr = await FrrInstance.start('lifecycle');
    instances.push(frr);
    expect(frr.name.startsWith(HARNESS_PREFIX)).toBe(true);
    expect(await frr.show('show running-config')).toContain('frr defaults traditional');
    // bgpd runs in the instance's namespace, not in the root one.
    const pids = await pathspacePids(frr.name);
    expect(pids.length).toBeGreaterThanOrEqual(4);
    const { stdout } = await sh('ip', ['netns', 'pids', frr.name]);
    expect(stdout.split('\n').map(Number)).toEqual(expect.arrayContaining(pids.filter((p) => p !== 0)));

    await frr.destroy();
    expect(await pathspacePids(frr.name)).toEqual([]);
    expect(await listNamespaces()).not.toContain(frr.name);
    expect(await exists(frr.confDir)).toBe(false);
    expect(await exists(join(frr.installation.root, '/run/frr', frr.name))).toBe(false);
  }, FRR_TIMEOUT_MS);

  it(`runs the release under test (${installationUnderTest().packageVersion})`, async () => {
    const frr = await FrrInstance.start('version');
    instances.push(frr);
    const version = /FRRouting (\S+)/.exec(await frr.show('show version'))?.[1];
    expect(version).toBe(installationUnderTest().packageVersion.split('-')[0]);
    await frr.destroy();
  }, FRR_TIMEOUT_MS);

  it('runs a default instance (no pathspace) from a root, in its own namespace, and a later run reclaims it when its owner died', async () => {
    const frr = await FrrInstance.startDefault('default');
    instances.push(frr);
    expect(frr.hasPathspace).toBe(false);
    expect(frr.confDir).toBe(join(frr.installation.root, '/etc/frr'));
    expect(await frr.show('show running-config')).toContain('frr defaults traditional');
    const { stdout } = await sh('ip', ['netns', 'pids', frr.name]);
    expect(stdout.trim()).not.toBe(''); // the daemons live in the instance's namespace, not the root one
    await frr.destroy();
    expect(await listNamespaces()).not.toContain(frr.name);
    await expect(sh(frr.installation.vtysh, ['-c', 'show version'], 5_000)).rejects.toThrow(); // nothing answers any more

    // A killed run's claim (owner pid that no longer exists) does not block the next one.
    await writeFile(join(frr.installation.root, '/etc/frr/.frrt-default-owner'), `${HARNESS_PREFIX}999999999-default1\n`);
    const next = await FrrInstance.startDefault('default');
    instances.push(next);
    expect(await next.show('show running-config')).toContain('frr defaults traditional');
    await next.destroy();
  }, FRR_TIMEOUT_MS);

  it('links two namespaces over IPv4 and IPv6', async () => {
    const speaker = await FrrInstance.start('speaker');
    instances.push(speaker);
    const router = await FrrInstance.start('router');
    instances.push(router);
    await linkNamespaces(
      { namespace: speaker.namespace, addresses: ['192.0.2.10/24', '2001:db8::10/64'] },
      { namespace: router.namespace, addresses: ['192.0.2.1/24', '2001:db8::1/64'] },
    );
    // With a `router bgp`, bgpd in the router listens on port 179: a TCP connect proves packets cross the link.
    const dir = await mkdtemp(join(tmpdir(), 'frrt-link-'));
    try {
      await writeFile(join(dir, 'router.conf'), 'router bgp 64513\nexit\n');
      await router.load(join(dir, 'router.conf'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await expect(tcpConnect(speaker, '192.0.2.1', 179)).resolves.toBe('connected');
    await expect(tcpConnect(speaker, '2001:db8::1', 179)).resolves.toBe('connected');
    await expect(tcpConnect(speaker, '192.0.2.99', 179)).resolves.not.toBe('connected');
  }, FRR_TIMEOUT_MS);

  it('refuses addresses outside the documentation ranges', async () => {
    await expect(
      linkNamespaces({ namespace: 'unused-a', addresses: ['10.0.0.1/24'] }, { namespace: 'unused-b', addresses: [] }),
    ).rejects.toThrow('must be address/length inside 192.0.2.0/24');
  });

  it('cleanupStale removes leftovers of dead runs and keeps live ones', async () => {
    const live = await FrrInstance.start('live');
    instances.push(live);
    // A leftover without an owner pid, as a killed run (or a hand-made one) leaves it.
    const leftover = `${HARNESS_PREFIX}leftover`;
    await sh('ip', ['netns', 'add', leftover]);
    await mkdir(join(live.installation.root, '/etc/frr', leftover), { recursive: true });

    const removed = await cleanupStale();

    expect(removed).toContain(leftover);
    expect(removed).not.toContain(live.name);
    expect(await listNamespaces()).not.toContain(leftover);
    expect(await exists(join(live.installation.root, '/etc/frr', leftover))).toBe(false);
    await expect(execIn(live.namespace, 'true', [])).resolves.toMatchObject({ exitCode: 0 });
  }, FRR_TIMEOUT_MS);
}, { defaultInstance: true });
