/**
 * Issue 12, item 4: the fast apply path on real FRR of every release. A change of network lines
 * only is sent as one vtysh session and verified with targeted reads; each way it can go wrong
 * falls back to frr-reload.py, which verifies, and FRR ends up running the render:
 * - a change it does not understand (a new tag's route-map entries);
 * - FRR edited by hand in between (outside the network lines, and a network line);
 * - a command of the session FRR refuses (the line to remove is gone already);
 * - a session FRR takes but that makes FRR run something else (the verification catches it);
 * - a refused session whose fallback then fails too: rolled back to the last good config.
 * One session also changes the default VRF's and a VRF's `router bgp` blocks together.
 * The router FRR behind the speaker shows each change arriving, without a session reset.
 *
 * The sabotage runners wrap the real one so that FRR really runs something else: stand-ins for a
 * misbehaving FRR in tests of our own failure handling. Everything else is real.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplyError } from '../../src/frr/apply-error.js';
import { createFrrTarget, type ApplyOutcome, type ConfigTarget } from '../../src/frr/frr-target.js';
import { spawnRunner, type CommandRunner } from '../../src/frr/run.js';
import { realConfigFiles } from '../../src/frr/write-file.js';
import { loadRenderer } from '../../src/pipeline.js';
import type { Renderer } from '../../src/render/renderer.js';
import {
  cleanupStale,
  describeWithFrr,
  expectNoSessionReset,
  expectRoutes,
  expectSession,
  FrrInstance,
  installationUnderTest,
  linkNamespaces,
  routerConfig,
  sessionCounters,
} from '../harness/index.js';
import { renderFastPathCluster, ROUTER_V4, type FastPathCluster } from '../support/fast-path-cluster.js';

const SPEAKER_V4 = '192.0.2.10';
const BASE: FastPathCluster = { services: ['198.51.100.10', '198.51.100.11', '2001:db8:100::10', '203.0.113.10', '203.0.113.200'] };
const NO_ADVERTISE = '65535:65282';

/** What the router must receive for a cluster: its IPv4 prefixes, `pool`'s with no-advertise. */
function atRouter(services: readonly string[], pool2: (ip: string) => boolean = (ip) => ip.startsWith('203.0.113.')) {
  return services
    .filter((ip) => !ip.includes(':'))
    .map((ip) => ({ prefix: `${ip}/32`, communities: pool2(ip) ? [] : [NO_ADVERTISE] }));
}

/** A runner under which the session's `network P route-map R` line for `prefix` names `routeMap` instead (FRR takes it). */
function retaggingSession(real: CommandRunner, prefix: string, routeMap: string): CommandRunner {
  return (file, args, opts) =>
    real(
      file,
      args.map((a) => (a.startsWith(`network ${prefix} route-map `) ? `network ${prefix} route-map ${routeMap}` : a)),
      opts,
    );
}

/** A runner under which every `frr-reload.py --reload` of a file holding `marker` fails without running. */
function failingReloadOf(real: CommandRunner, marker: string): CommandRunner {
  return async (file, args, opts) => {
    if (args.includes('--reload') && readFileSync(args[args.length - 1]!, 'utf8').includes(marker)) {
      return { exitCode: 1, stdout: '', stderr: 'vtysh failed to process new configuration (test)' };
    }
    return real(file, args, opts);
  };
}

const SPEAKERS = [
  ['default instance', () => FrrInstance.startDefault('fastdef')],
  ['pathspace', () => FrrInstance.start('fastspk')],
] as const;

describeWithFrr(
  'the fast apply path on real FRR',
  () => {
    let renderer: Renderer;
    let dir = '';

    beforeAll(async () => {
      await cleanupStale();
      renderer = await loadRenderer();
      dir = mkdtempSync(join(tmpdir(), 'frrt-fast-'));
    });

    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    describe.each(SPEAKERS)('speaker FRR: %s', (kind, startSpeaker) => {
      let speaker: FrrInstance;
      let router: FrrInstance;
      let configPath = '';

      const render = (c: FastPathCluster): string => renderFastPathCluster(c, renderer, installationUnderTest().release, hostname());

      /** `frr-reload.py --test` of `config` (from a file of the test's: FRR may write over frr.conf under a pathspace). */
      async function frrRuns(config: string): Promise<boolean> {
        const file = join(dir, `check-${speaker.name}.conf`);
        writeFileSync(file, config, { mode: 0o600 });
        const delta = await speaker.testReload(file);
        return delta.toAdd.length === 0 && delta.toDelete.length === 0;
      }

      function target(run: CommandRunner = spawnRunner): ConfigTarget {
        return createFrrTarget({ frr: { ...speaker.frr, run }, configPath, files: realConfigFiles });
      }

      /** A target that runs `config`, verified, with the router holding its routes and the session up. */
      async function started(config: string, services: readonly string[]): Promise<ConfigTarget> {
        const t = target();
        await t.apply(config, undefined);
        await expectSession(router, SPEAKER_V4, true, { timeoutMs: 30_000 });
        await expectRoutes(router, 'ipv4', atRouter(services), { timeoutMs: 30_000 });
        return t;
      }

      beforeEach(async () => {
        speaker = await startSpeaker();
        router = await FrrInstance.start('fastrouter');
        await linkNamespaces({ namespace: speaker.namespace, addresses: [`${SPEAKER_V4}/24`] }, { namespace: router.namespace, addresses: [`${ROUTER_V4}/24`] });
        const routerFile = join(dir, `${router.name}.conf`);
        writeFileSync(routerFile, routerConfig({ asn: 64501, routerId: ROUTER_V4, neighbors: [{ address: SPEAKER_V4, remoteAs: 64500 }] }));
        await router.load(routerFile);
        configPath = join(speaker.confDir, 'frr.conf');
      }, 90_000);

      afterEach(async () => {
        await speaker?.destroy();
        await router?.destroy();
      }, 60_000);

      it('adds, removes and moves prefixes to another tag with one vtysh session each: verified, files written, at the router, no session reset', async () => {
        const base = render(BASE);
        const t = await started(base, BASE.services);
        const before = await sessionCounters(router);

        const steps: { readonly cluster: FastPathCluster; readonly what: string }[] = [
          { what: '+1 IPv4', cluster: { services: [...BASE.services, '198.51.100.12'] } },
          { what: '-1 IPv4, +1 IPv6', cluster: { services: ['198.51.100.10', '198.51.100.12', '2001:db8:100::10', '2001:db8:100::11', '203.0.113.10', '203.0.113.200'] } },
          {
            what: '203.0.113.10 moved to the tag of pool (no-advertise)',
            cluster: {
              services: ['198.51.100.10', '198.51.100.12', '2001:db8:100::10', '2001:db8:100::11', '203.0.113.10', '203.0.113.200'],
              pool: ['198.51.100.0/24', '2001:db8:100::/64', '203.0.113.0/28'],
              pool2: ['203.0.113.128/25'],
            },
          },
        ];
        let previous = base;
        for (const step of steps) {
          const config = render(step.cluster);
          const outcome: ApplyOutcome = await t.apply(config, previous);
          expect({ step: step.what, path: outcome.path, passes: outcome.passes, declined: outcome.fastPathDeclined }).toEqual({ step: step.what, path: 'fast', passes: 0, declined: undefined });
          expect(outcome.description).toMatch(/with one vtysh session \(fast path: \d+ network line\(s\) set, \d+ removed; running config and routes verified\)$/);
          expect(readFileSync(configPath, 'utf8')).toBe(config);
          expect(readFileSync(`${configPath}.candidate`, 'utf8')).toBe(config);
          expect(await frrRuns(config)).toBe(true);
          const pool2 = step.cluster.pool2 === undefined ? undefined : (ip: string) => ip.startsWith('203.0.113.') && ip !== '203.0.113.10';
          await expectRoutes(router, 'ipv4', atRouter(step.cluster.services, pool2), { timeoutMs: 15_000 });
          previous = config;
        }
        await expectNoSessionReset(router, before, 'fast applies');
      }, 180_000);

      if (kind === 'default instance') return; // the fallbacks are the same on both; once is enough

      it('changes network lines in two router blocks (the default VRF and a VRF) in one session', async () => {
        const base = render({ ...BASE, vrfPeer: true });
        const t = await started(base, BASE.services);
        const next = render({ services: [...BASE.services, '198.51.100.12'], vrfPeer: true });
        expect(next).toMatch(/^router bgp 64500 vrf red$/m);
        const outcome = await t.apply(next, base);
        expect(outcome).toMatchObject({ path: 'fast', description: expect.stringContaining('fast path: 2 network line(s) set, 0 removed') });
        expect(await frrRuns(next)).toBe(true);
        const inVrf = (await speaker.showJson('show bgp vrf red ipv4 unicast 198.51.100.12/32 json')) as { paths?: { sourced?: boolean }[] };
        expect(inVrf.paths?.some((p) => p.sourced === true)).toBe(true);
        await expectRoutes(router, 'ipv4', atRouter([...BASE.services, '198.51.100.12']), { timeoutMs: 15_000 });
      }, 120_000);

      it('leaves a change it does not understand (a new tag) to frr-reload.py, then takes the next one again', async () => {
        const base = render(BASE);
        const t = await started(base, BASE.services);
        const retagged = render({ ...BASE, adv2Communities: ['64500:7'] });
        const full = await t.apply(retagged, base);
        expect(full).toMatchObject({ path: 'reload', fastPathDeclined: expect.stringMatching(/^the change is more than network lines/) });
        expect(await frrRuns(retagged)).toBe(true);
        const plusOne = render({ ...BASE, adv2Communities: ['64500:7'], services: [...BASE.services, '203.0.113.11'] });
        expect(await t.apply(plusOne, retagged)).toMatchObject({ path: 'fast' });
        expect(await frrRuns(plusOne)).toBe(true);
        await expectRoutes(router, 'ipv4', atRouter(BASE.services).map((r) => (r.prefix.startsWith('203.') ? { ...r, communities: ['64500:7'] } : r)).concat([{ prefix: '203.0.113.11/32', communities: ['64500:7'] }]), { timeoutMs: 15_000 });
      }, 120_000);

      it('catches FRR edited by hand in between, outside the network lines: frr-reload.py applies the render and undoes the edit', async () => {
        const base = render(BASE);
        const t = await started(base, BASE.services);
        await speaker.configure(['router bgp 64500', `neighbor ${ROUTER_V4} description edited-by-hand`]);
        const next = render({ services: [...BASE.services, '198.51.100.12'] });
        const outcome = await t.apply(next, base);
        expect(outcome).toMatchObject({ path: 'reload', fastPathDeclined: expect.stringMatching(/^FRR's running config differs from the one last verified outside the network lines/) });
        expect(outcome.description).toContain('fast path not taken: FRR\'s running config differs');
        expect(await frrRuns(next)).toBe(true);
        expect(await speaker.show('show running-config')).not.toContain('edited-by-hand');
      }, 120_000);

      it('catches a network line added by hand in between', async () => {
        const base = render(BASE);
        const t = await started(base, BASE.services);
        const tagRouteMap = /^ {2}network 198\.51\.100\.10\/32 route-map (\S+)$/m.exec(base)![1]!;
        await speaker.configure(['router bgp 64500', 'address-family ipv4 unicast', `network 198.51.100.99/32 route-map ${tagRouteMap}`]);
        const next = render({ services: [...BASE.services, '198.51.100.12'] });
        const outcome = await t.apply(next, base);
        expect(outcome).toMatchObject({ path: 'reload', fastPathDeclined: expect.stringMatching(/router bgp 64500 \/ ipv4 unicast: unexpected network 198\.51\.100\.99\/32/) });
        expect(await frrRuns(next)).toBe(true);
        await expectRoutes(router, 'ipv4', atRouter([...BASE.services, '198.51.100.12']), { timeoutMs: 15_000 });
      }, 120_000);

      it('falls back when FRR refuses a command of the session (the line to remove is gone already)', async () => {
        const base = render(BASE);
        const t = await started(base, BASE.services);
        await speaker.configure(['router bgp 64500', 'address-family ipv4 unicast', 'no network 198.51.100.11/32']);
        const services = ['198.51.100.10', '198.51.100.12', '2001:db8:100::10', '203.0.113.10', '203.0.113.200'];
        const next = render({ services });
        const outcome = await t.apply(next, base);
        expect(outcome).toMatchObject({ path: 'reload', fastPathDeclined: expect.stringMatching(/^FRR refused a command of the session \(vtysh exit \d+\): .*Can't find static route specified/) });
        expect(await frrRuns(next)).toBe(true);
        await expectRoutes(router, 'ipv4', atRouter(services), { timeoutMs: 15_000 });
      }, 120_000);

      it('catches a session FRR takes that makes it run something else (another tag): frr-reload.py applies the render', async () => {
        const base = render(BASE);
        await started(base, BASE.services);
        const otherTag = /^ {2}network 203\.0\.113\.10\/32 route-map (\S+)$/m.exec(base)![1]!;
        const t = target(retaggingSession(spawnRunner, '198.51.100.12/32', otherTag));
        // The sabotaging target starts from what FRR runs (adoption verifies it with frr-reload.py --test).
        expect(await t.difference(base)).toEqual([]);
        const next = render({ services: [...BASE.services, '198.51.100.12'] });
        const outcome = await t.apply(next, base);
        expect(outcome).toMatchObject({
          path: 'reload',
          fastPathDeclined: expect.stringMatching(new RegExp(`missing network 198\\.51\\.100\\.12/32 route-map metallb-tag-\\d+; .*unexpected network 198\\.51\\.100\\.12/32 route-map ${otherTag}`)),
        });
        expect(await frrRuns(next)).toBe(true);
        await expectRoutes(router, 'ipv4', atRouter([...BASE.services, '198.51.100.12']), { timeoutMs: 15_000 });
      }, 120_000);

      it('rolls back to the last good config when the session stops half-way and frr-reload.py then fails too: never half-applied', async () => {
        const base = render(BASE);
        await started(base, BASE.services);
        const services = ['198.51.100.12', '2001:db8:100::10', '203.0.113.10', '203.0.113.200'];
        const next = render({ services });
        const t = target(failingReloadOf(spawnRunner, ' network 198.51.100.12/32 '));
        expect(await t.difference(base)).toEqual([]);
        // The session removes .10, then stops at .11, which is gone already: FRR is half-way.
        await speaker.configure(['router bgp 64500', 'address-family ipv4 unicast', 'no network 198.51.100.11/32']);
        const error = await t.apply(next, base).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApplyError);
        expect(error).toMatchObject({ stage: 'reload', frr: 'rolledBack', message: expect.stringContaining('vtysh failed to process new configuration (test)') });
        expect(await frrRuns(base)).toBe(true);
        await expectRoutes(router, 'ipv4', atRouter(BASE.services), { timeoutMs: 15_000 });
      }, 120_000);
    });
  },
  { defaultInstance: true },
);
