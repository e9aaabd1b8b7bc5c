/**
 * The apply path's own checks, on real FRR of every release, on FRR's default instance (as in a
 * pod) and on a pathspace instance:
 * - the verification reads the rendered bytes, so FRR running anything else is reported, also
 *   under a pathspace, where frr-reload.py makes FRR write its running config over frr.conf;
 * - a line a daemon refuses (which `vtysh -C` cannot see) is a failed apply naming that line;
 * - a config rendered for another release is caught (refused or reported), never applied silently;
 * - each failure is thrown as its stage, with what FRR runs afterwards: a full disk and an
 *   unwritable file (`write`, FRR untouched; on a small tmpfs the test mounts), a reload that fails
 *   (`reload`, rolled back and verified), and a rollback that fails too (recorded, FRR unknown).
 *
 * The sabotage below wraps the real runner so that FRR really loads something else: a stand-in
 * for a misbehaving reload, in a test of our own failure handling. Everything else is real.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ApplyError } from '../../src/frr/apply-error.js';
import { createFrrTarget } from '../../src/frr/frr-target.js';
import { debugLines } from '../../src/frr/operator-debugs.js';
import { spawnRunner, type CommandRunner } from '../../src/frr/run.js';
import { show } from '../../src/frr/vtysh.js';
import { realConfigFiles } from '../../src/frr/write-file.js';
import { formatRelease, formsFor, type FrrRelease } from '../../src/intent/frr-release.js';
import { renderDirectory } from '../../src/pipeline.js';
import { cleanupStale, describeWithFrr, FrrInstance, installationUnderTest, pollUntil } from '../harness/index.js';
import { sh, shAllowFailure } from '../harness/system.js';

const MANIFESTS = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router, namespace: metallb-system }
spec: { myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.1 }
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: pool, namespace: metallb-system }
spec: { addresses: [198.51.100.0/24] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv, namespace: metallb-system }
spec: { ipAddressPools: [pool], communities: ["0:0", "65535:65282"] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ ip: 198.51.100.10 }] } }
`;

const NETWORK_LINE = /^ {2}network 198\.51\.100\.10\/32 route-map \S+\n/m;

/** The file a load command reads: `frr-reload.py --reload ... FILE` or `vtysh ... -f FILE` (not `-C`). */
function loadedFile(args: readonly string[]): number | undefined {
  if (args.includes('--reload')) return args.length - 1;
  const f = args.indexOf('-f');
  return f >= 0 && !args.includes('-C') ? f + 1 : undefined;
}

/** A runner under which every load makes FRR run FILE without its `network` line. */
function sabotaging(real: CommandRunner): CommandRunner {
  return async (file, args, opts) => {
    const at = loadedFile(args);
    if (at === undefined) return real(file, args, opts);
    const original = args[at]!;
    const other = join(dirname(original), `sabotaged-${process.pid}.conf`);
    writeFileSync(other, readFileSync(original, 'utf8').replace(NETWORK_LINE, ''), { mode: 0o600 });
    try {
      return await real(file, args.map((a, i) => (i === at ? other : a)), opts);
    } finally {
      rmSync(other, { force: true });
    }
  };
}

/**
 * A runner under which `frr-reload.py --reload` of a file with `marker` changes FRR half-way (FRR
 * loads it without its `network` line) and fails; with `rollbackFails`, every other reload fails
 * without running, so FRR stays half-way.
 */
function failingReload(real: CommandRunner, marker: string, rollbackFails: boolean): CommandRunner {
  const failed = { exitCode: 1, stdout: '', stderr: 'vtysh failed to process new configuration (test)' };
  return async (file, args, opts) => {
    if (!args.includes('--reload')) return real(file, args, opts);
    if (readFileSync(args[args.length - 1]!, 'utf8').includes(marker)) {
      await sabotaging(real)(file, args, opts);
      return failed;
    }
    return rollbackFails ? failed : real(file, args, opts);
  };
}

/** A small tmpfs of the test's own at `at` (never a system path), unmounted by the returned function. */
async function mountSmallTmpfs(at: string): Promise<() => Promise<void>> {
  mkdirSync(at, { recursive: true });
  await sh('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'frrt-verify', at]);
  return async () => {
    await shAllowFailure('umount', ['-l', at]);
  };
}

const SPEAKERS = [
  ['default instance', () => FrrInstance.startDefault('verifydef')],
  ['pathspace', () => FrrInstance.start('verifyspk')],
] as const;

describeWithFrr(
  'applying to real FRR: what the verification catches',
  () => {
    let dir = '';

    async function render(release: FrrRelease, logLevel?: 'debug'): Promise<string> {
      writeFileSync(join(dir, 'all.yaml'), MANIFESTS);
      const result = await renderDirectory(dir, { node: 'worker-0', hostname: hostname(), frrRelease: release, ...(logLevel ? { logLevel } : {}) });
      if (result.config === undefined) throw new Error(`did not render: ${JSON.stringify(result.problems)}`);
      return result.config;
    }

    beforeAll(async () => {
      await cleanupStale();
      dir = mkdtempSync(join(tmpdir(), 'frrt-verify-'));
    });

    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    describe.each(SPEAKERS)('speaker FRR: %s', (_kind, startSpeaker) => {
      let speaker: FrrInstance;
      let configPath = '';

      beforeEach(async () => {
        speaker = await startSpeaker();
        configPath = join(speaker.confDir, 'frr.conf');
      }, 60_000);

      afterEach(async () => {
        await speaker?.destroy();
      }, 60_000);

      it('applies the rendered config, verified, and leaves the rendered bytes in frr.conf', async () => {
        const config = await render(installationUnderTest().release);
        const target = createFrrTarget({ frr: speaker.frr, configPath, files: realConfigFiles });
        await target.apply(config, undefined);
        expect(readFileSync(configPath, 'utf8')).toBe(config);
        // A change goes through frr-reload.py (FRR is no longer empty), verified the same way.
        const changed = config.replace('no-advertise', 'no-export');
        await expect(target.apply(changed, config)).resolves.toMatchObject({ passes: 1 });
        expect(readFileSync(configPath, 'utf8')).toBe(changed);
        expect(await speaker.testReload(configPath)).toEqual({ toDelete: [], toAdd: [] });
      }, 60_000);

      it('reports FRR running something other than the rendered config, on the first load and on a reload', async () => {
        const config = await render(installationUnderTest().release);
        const sabotaged = createFrrTarget({ frr: { ...speaker.frr, run: sabotaging(spawnRunner) }, configPath, files: realConfigFiles });
        const missing = NETWORK_LINE.exec(config)![0].trimEnd();
        // frr-reload.py prints the line in its own spacing (`network P  route-map R`).
        const missingInDelta = expect.arrayContaining([expect.stringMatching(/^\+ +network 198\.51\.100\.10\/32 +route-map metallb-tag-\d+$/)]);

        const first = await sabotaged.apply(config, undefined).catch((e: unknown) => e);
        expect(first).toBeInstanceOf(ApplyError);
        expect(first).toMatchObject({ stage: 'verify' });
        expect((first as ApplyError).details).toEqual(missingInDelta);
        expect(await speaker.show('show running-config')).not.toContain(missing);

        // With a good config running, a reload FRR does not follow is reported as well.
        const good = createFrrTarget({ frr: speaker.frr, configPath, files: realConfigFiles });
        const before = config.replace('198.51.100.10/32', '198.51.100.11/32');
        await good.apply(before, undefined);
        const again = await sabotaged.apply(config, before).catch((e: unknown) => e);
        expect(again).toMatchObject({ stage: 'verify' });
        expect((again as ApplyError).details).toEqual(missingInDelta);
      }, 90_000);

      it('gives a bgpd that lost its config back every line, route-maps included, while zebra kept them', async () => {
        const config = await render(installationUnderTest().release);
        const target = createFrrTarget({ frr: speaker.frr, configPath, files: realConfigFiles });
        await target.apply(config, undefined);
        const announced = async () => Object.keys(((await speaker.showJson('show bgp ipv4 unicast json')) as { routes?: object }).routes ?? {});
        expect(await announced()).toEqual(['198.51.100.10/32']);

        // bgpd as watchfrr restarts it without a startup load: no router bgp, no route-map; zebra
        // still holds the route-maps, so the merged running config shows them.
        const routeMaps = [...new Set([...config.matchAll(/^route-map (\S+) /gm)].map((m) => m[1]!))];
        await speaker.configure(['no router bgp 64500', ...routeMaps.map((r) => `no route-map ${r}`)], 'bgpd');
        expect(await speaker.show('show running-config')).toMatch(/^route-map metallb-tag-/m);
        expect(await announced()).toEqual([]);

        const outcome = await target.apply(config, config);
        expect(await announced()).toEqual(['198.51.100.10/32']);
        expect(outcome.path).toBe('cold');
        expect(await speaker.testReload(configPath)).toEqual({ toDelete: [], toAdd: [] });
      }, 90_000);

      it('gives a bgpd that runs router bgp but lost its route-maps (a half-done load) back its route-maps, and says so at adoption', async () => {
        const config = await render(installationUnderTest().release);
        const target = createFrrTarget({ frr: speaker.frr, configPath, files: realConfigFiles });
        await target.apply(config, undefined);
        const announced = async () => Object.keys(((await speaker.showJson('show bgp ipv4 unicast json')) as { routes?: object }).routes ?? {});
        expect(await announced()).toEqual(['198.51.100.10/32']);

        // bgpd keeps router bgp and its network lines, loses the tag route-maps those lines name;
        // zebra keeps them, and they hold only lines zebra knows too (`set tag`), so the merged
        // running config and frr-reload.py --test see nothing to change: only bgpd's own config tells.
        const tagMaps = [...new Set([...config.matchAll(/^route-map (metallb-tag-\d+) /gm)].map((m) => m[1]!))];
        expect(tagMaps.length).toBeGreaterThan(0);
        await speaker.configure(tagMaps.map((r) => `no route-map ${r}`), 'bgpd');
        expect(await speaker.testReload(configPath)).toEqual({ toDelete: [], toAdd: [] });
        expect(await speaker.show('show running-config')).toMatch(/^route-map metallb-tag-/m);
        await pollUntil(announced, (routes) => routes.length === 0, { what: 'bgpd to withdraw the network whose route-map it lost' });

        // A sidecar starting now would not adopt this FRR: the difference names what bgpd lacks.
        const difference = await target.difference(config);
        expect(difference).toContain(`+ ${config.split('\n').find((l) => l.startsWith('route-map metallb-tag-'))} (missing in bgpd)`);

        const outcome = await target.apply(config, config);
        expect(outcome.description).toMatch(/route-map entr(y|ies) bgpd lacked loaded into bgpd/);
        expect(await pollUntil(announced, (routes) => routes.length > 0, { what: 'bgpd to announce the network again' })).toEqual(['198.51.100.10/32']);
        expect(await target.difference(config)).toEqual([]);
      }, 90_000);

      it("leaves an operator's debug switches on (no drift, no difference, kept across a reload), while the render's own debug lines follow the render", async () => {
        const release = installationUnderTest().release;
        const config = await render(release);
        expect(debugLines(config)).toEqual([]);
        const target = createFrrTarget({ frr: speaker.frr, configPath, files: realConfigFiles });
        await target.apply(config, undefined);
        const fingerprint = await target.fingerprint();
        const runningDebugs = async () => debugLines(await speaker.show('show running-config'));

        // As in `oc exec ... vtysh -c "debug zebra packet"` (enable mode; not a line MetalLB renders).
        await show(speaker.frr, 'debug zebra packet');
        expect(await runningDebugs()).toEqual(['debug zebra packet']);
        expect(await target.fingerprint()).toBe(fingerprint);
        expect(await target.difference(config)).toEqual([]);

        const changed = config.replace('no-advertise', 'no-export');
        const outcome = await target.apply(changed, config);
        expect(outcome).toMatchObject({ path: 'reload', description: expect.stringContaining('1 debug switch(es) set by hand kept on') });
        expect(await runningDebugs()).toEqual(['debug zebra packet']);

        // --log-level debug renders MetalLB's debug lines; dropping them again removes them, and only them.
        const verbose = await render(release, 'debug');
        expect(debugLines(verbose).length).toBeGreaterThan(5);
        await target.apply(verbose, changed);
        expect(await target.difference(verbose)).toEqual([]);
        expect((await runningDebugs()).length).toBeGreaterThan(1);
        await target.apply(changed, verbose);
        expect(await runningDebugs()).toEqual(['debug zebra packet']);
      }, 90_000);

      it('fails an apply with a line the daemon refuses, naming the line (vtysh -C accepts it)', async () => {
        const config = (await render(installationUnderTest().release)).replace(
          ' neighbor 192.0.2.1 remote-as 64501\n',
          ' neighbor 192.0.2.1 remote-as 64501\n neighbor 192.0.2.1 local-as 64500\n',
        );
        const target = createFrrTarget({ frr: speaker.frr, configPath, files: realConfigFiles });
        const error = await target.apply(config, undefined).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApplyError);
        expect(error).toMatchObject({ stage: 'rejected' });
        expect((error as ApplyError).message).toContain('" neighbor 192.0.2.1 local-as 64500"');
        expect((error as ApplyError).details).toEqual([expect.stringMatching(/^bgpd refused " neighbor 192\.0\.2\.1 local-as 64500": % .*local-as/)]);

        // The same line in a reload (FRR already runs a config of ours).
        const good = await render(installationUnderTest().release);
        await target.apply(good, undefined);
        const reload = await target.apply(config, good).catch((e: unknown) => e);
        expect(reload).toMatchObject({ stage: 'rejected' });
        expect((reload as ApplyError).message).toContain('frr-reload.py --reload');
        // Rolled back: FRR runs the last good config again.
        writeFileSync(join(dir, 'good.conf'), good, { mode: 0o600 });
        expect(await speaker.testReload(join(dir, 'good.conf'))).toEqual({ toDelete: [], toAdd: [] });
      }, 90_000);

      it('a full disk is the write stage: FRR untouched, the previous frr.conf kept, no temporary file left', async () => {
        const config = await render(installationUnderTest().release);
        const before = await speaker.show('show running-config');
        const disk = join(dir, `full-${process.pid}`);
        const unmount = await mountSmallTmpfs(disk);
        try {
          writeFileSync(join(disk, 'frr.conf'), '! previous\n');
          // Fill the file system: the write stops at ENOSPC.
          await shAllowFailure('dd', ['if=/dev/zero', `of=${join(disk, 'fill')}`, 'bs=4k']);
          const target = createFrrTarget({ frr: speaker.frr, configPath: join(disk, 'frr.conf'), files: realConfigFiles });
          const error = await target.apply(config, undefined).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ApplyError);
          expect(error).toMatchObject({ stage: 'write', frr: 'untouched', message: expect.stringContaining('no space left on the device (ENOSPC)') });
          expect(readFileSync(join(disk, 'frr.conf'), 'utf8')).toBe('! previous\n');
          expect(readdirSync(disk).sort()).toEqual(['fill', 'frr.conf']);
        } finally {
          await unmount();
        }
        expect(await speaker.show('show running-config')).toBe(before);
      }, 60_000);

      it('an unwritable frr.conf is the write stage: FRR untouched', async () => {
        const config = await render(installationUnderTest().release);
        const before = await speaker.show('show running-config');
        const ro = join(dir, `ro-${process.pid}`);
        const unmount = await mountSmallTmpfs(ro);
        try {
          writeFileSync(join(ro, 'frr.conf'), '! previous\n');
          await sh('mount', ['-o', 'remount,ro', ro]);
          const target = createFrrTarget({ frr: speaker.frr, configPath: join(ro, 'frr.conf'), files: realConfigFiles });
          const error = await target.apply(config, undefined).catch((e: unknown) => e);
          expect(error).toMatchObject({ stage: 'write', frr: 'untouched', message: expect.stringContaining('read-only file system (EROFS)') });
          expect(readFileSync(join(ro, 'frr.conf'), 'utf8')).toBe('! previous\n');
        } finally {
          await unmount();
        }
        expect(await speaker.show('show running-config')).toBe(before);
      }, 60_000);

      it('a reload that fails is rolled back to the last good config, verified; a rollback that fails is recorded', async () => {
        const good = await render(installationUnderTest().release);
        const changed = good.replace('no-advertise', 'no-export');
        await createFrrTarget({ frr: speaker.frr, configPath, files: realConfigFiles }).apply(good, undefined);

        const failsChanged = createFrrTarget({ frr: { ...speaker.frr, run: failingReload(spawnRunner, 'no-export', false) }, configPath, files: realConfigFiles });
        const reload = await failsChanged.apply(changed, good).catch((e: unknown) => e);
        expect(reload).toBeInstanceOf(ApplyError);
        expect(reload).toMatchObject({ stage: 'reload', frr: 'rolledBack', message: expect.stringContaining('vtysh failed to process new configuration (test)') });
        writeFileSync(join(dir, 'good.conf'), good, { mode: 0o600 });
        expect(await speaker.testReload(join(dir, 'good.conf'))).toEqual({ toDelete: [], toAdd: [] });
        expect(readFileSync(configPath, 'utf8')).toBe(good);

        const failsAll = createFrrTarget({ frr: { ...speaker.frr, run: failingReload(spawnRunner, 'no-export', true) }, configPath, files: realConfigFiles });
        const rollback = await failsAll.apply(changed, good).catch((e: unknown) => e);
        expect(rollback).toMatchObject({ stage: 'reload', frr: 'rollbackFailed', rollbackError: expect.stringContaining('vtysh failed to process new configuration (test)') });
        // Indeed FRR runs neither config now.
        expect(await speaker.testReload(join(dir, 'good.conf'))).not.toEqual({ toDelete: [], toAdd: [] });
      }, 90_000);

      it('catches a config rendered for another release', async () => {
        const underTest = formsFor(installationUnderTest().release).basis;
        const other: FrrRelease = underTest.major >= 10 ? { major: 8, minor: 4 } : { major: 10, minor: 3 };
        const config = await render(other);
        const target = createFrrTarget({ frr: speaker.frr, configPath, files: realConfigFiles });
        const error = await target.apply(config, undefined).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApplyError);
        if (underTest.major >= 10) {
          // 9.1 removed `internet`: bgpd refuses the line (the communities would be lost).
          expect(error).toMatchObject({ stage: 'rejected' });
          expect((error as ApplyError).details.join('\n')).toMatch(/^bgpd refused " set community internet no-advertise additive"/m);
        } else {
          // 8.4 accepts `0:0` and prints it `internet`: the verification sees the difference.
          expect(error).toMatchObject({ stage: 'verify' });
          expect((error as ApplyError).details).toContain('+  set community 0:0 no-advertise additive');
        }
        expect(formatRelease(other)).not.toBe(formatRelease(underTest));
      }, 60_000);
    });
  },
  { defaultInstance: true },
);
