/**
 * FRR bugs that `applyConfig` works around: a reload that removes both `neighbor X bfd` and
 * `neighbor X bfd profile P` leaves something behind (8.4.4: `neighbor X bfd`; 10.3: an empty
 * `bfd` block), which the second pass of `applyConfig` removes; and FRR 8.4.4's bfdd has no `no`
 * form of a profile's intervals and detect-multiplier, so their defaults are set instead.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupStale, describeWithFrr, FrrInstance } from '../harness/index.js';
import { writeConfig } from './round-trip.js';

const FRR_TIMEOUT_MS = 60_000;

function speakerConfig(withBfd: boolean): string {
  const bfdNeighbor = withBfd ? [' neighbor 192.0.2.1 bfd', ' neighbor 192.0.2.1 bfd profile fast'] : [];
  const bfdProfile = withBfd ? ['bfd', ' profile fast', '  detect-multiplier 5', ' exit', 'exit'] : [];
  return [
    `hostname ${hostname()}`,
    'router bgp 64512',
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ' neighbor 192.0.2.1 remote-as 64513',
    ...bfdNeighbor,
    ' address-family ipv4 unicast',
    '  neighbor 192.0.2.1 activate',
    ' exit-address-family',
    'exit',
    ...bfdProfile,
    '',
  ].join('\n');
}

describeWithFrr('applyConfig on real FRR', () => {
  let workDir = '';
  let speaker: FrrInstance | undefined;

  beforeAll(async () => {
    await cleanupStale();
    workDir = await mkdtemp(join(tmpdir(), 'frrt-bfd-'));
    speaker = await FrrInstance.start('bfd');
  }, FRR_TIMEOUT_MS);

  afterAll(async () => {
    await speaker?.destroy();
    if (workDir !== '') await rm(workDir, { recursive: true, force: true });
  }, FRR_TIMEOUT_MS);

  it('removes `neighbor X bfd` together with its profile, taking a second reload (FRR 8.4.4 and 10.3)', async () => {
    const frr = speaker!;
    const withBfd = await writeConfig(workDir, 'with-bfd.conf', speakerConfig(true));
    const withoutBfd = await writeConfig(workDir, 'without-bfd.conf', speakerConfig(false));
    await frr.load(withBfd);
    expect(await frr.show('show running-config')).toContain(' neighbor 192.0.2.1 bfd profile fast');

    const result = await frr.apply(withoutBfd);

    expect(await frr.show('show running-config')).not.toMatch(/neighbor 192\.0\.2\.1 bfd/);
    expect(result).toEqual({ passes: 2, converged: true, remaining: { toDelete: [], toAdd: [] }, rejected: [], reloadErrors: [] });
    expect(await frr.testReload(withoutBfd)).toEqual({ toDelete: [], toAdd: [] });
  }, FRR_TIMEOUT_MS);

  it("returns a BFD profile's intervals and detect-multiplier to the defaults (8.4.4 refuses `no transmit-interval`)", async () => {
    const frr = speaker!;
    const profile = (lines: readonly string[]): string => [`hostname ${hostname()}`, 'bfd', ' profile slow', ...lines, ' exit', 'exit', ''].join('\n');
    const custom = await writeConfig(workDir, 'profile-custom.conf', profile(['  detect-multiplier 5', '  receive-interval 1000', '  transmit-interval 500']));
    const defaults = await writeConfig(workDir, 'profile-defaults.conf', profile([]));
    await frr.load(custom);
    expect(await frr.show('show running-config')).toContain('  transmit-interval 500');

    const result = await frr.apply(defaults);

    const running = await frr.show('show running-config');
    expect(running).toContain(' profile slow');
    expect(running).not.toMatch(/transmit-interval|receive-interval|detect-multiplier/);
    expect(result.converged).toBe(true);
    expect(await frr.testReload(defaults)).toEqual({ toDelete: [], toAdd: [] });
  }, FRR_TIMEOUT_MS);
});
