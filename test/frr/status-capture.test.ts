/**
 * Captures the vtysh JSON the status parsers read, from the FRR installed here, into
 * `fixtures/vtysh/<frr-version>/`. Runs only with `CAPTURE_VTYSH=1` (the fixtures are committed;
 * regenerate them when the FRR under test changes):
 *
 *   CAPTURE_VTYSH=1 npm test -- test/frr/status-capture.test.ts
 *
 * Topology: a speaker with an IPv4 + IPv6 neighbor with BFD (router A), an unnumbered neighbor
 * (router B, interface peering), and a neighbor in VRF `<ns>` (zebra's netns VRF backend: the
 * VRF is a namespace linked to router C). Then router A goes away (link down): BGP and BFD down.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllNeighbors } from '../../src/frr/parse-neighbors.js';
import { FIXTURES_DIR } from '../support/fixtures.js';
import { describeWithFrr, pollUntil, Scenario, type Speaker } from '../harness/index.js';
import type { FrrInstance } from '../harness/index.js';

const capture = process.env.CAPTURE_VTYSH === '1';

/** Without CAPTURE_VTYSH=1 there is nothing to do, and the file says so instead of skipping silently. */
if (!capture) {
  it('captures only with CAPTURE_VTYSH=1 (the fixtures in fixtures/vtysh/ are committed)', () => {
    expect(process.env.CAPTURE_VTYSH).not.toBe('1');
  });
}

if (capture) describeWithFrr('capture vtysh JSON fixtures', () => {
  let scenario: Scenario;
  let speaker: Speaker;
  let routerA: FrrInstance;
  let vrf: string;
  let linkA: string;
  let unnumberedIf: string;
  let outDir: string;

  const save = async (file: string, command: string, note?: string): Promise<void> => {
    const text = await speaker.frr.show(command, { keepPasswords: false });
    writeFileSync(join(outDir, `${file}.json`), text.endsWith('\n') ? text : `${text}\n`);
    index.push({ file: `${file}.json`, command: command.replaceAll(vrf, '<vrf>').replaceAll(unnumberedIf, '<iface>'), ...(note ? { note } : {}) });
  };
  const index: { file: string; command: string; note?: string }[] = [];

  beforeAll(async () => {
    scenario = await Scenario.create('capture');
    speaker = await scenario.speaker('worker-0', { netnsVrfs: true });
    routerA = await scenario.routerWithConfig(
      [
        'frr defaults traditional',
        'bfd',
        ' profile slow',
        '  detect-multiplier 5',
        '  receive-interval 1000',
        '  transmit-interval 1000',
        ' exit',
        'exit',
        'router bgp 64501',
        ' bgp router-id 192.0.2.1',
        ' no bgp ebgp-requires-policy',
        ' no bgp default ipv4-unicast',
        ' timers bgp 1 3',
        ' neighbor 192.0.2.10 remote-as 64500',
        ' neighbor 192.0.2.10 timers connect 1',
        ' neighbor 192.0.2.10 bfd',
        ' neighbor 192.0.2.10 bfd profile slow',
        ' neighbor 2001:db8::10 remote-as 64500',
        ' neighbor 2001:db8::10 timers connect 1',
        ' address-family ipv4 unicast',
        '  neighbor 192.0.2.10 activate',
        ' exit-address-family',
        ' address-family ipv6 unicast',
        '  neighbor 2001:db8::10 activate',
        ' exit-address-family',
        'exit',
        '',
      ].join('\n'),
    );
    const routerB = await scenario.routerWithConfig(
      ['frr defaults traditional', 'router bgp 64502', ' bgp router-id 192.0.2.2', ' no bgp ebgp-requires-policy', 'exit', ''].join('\n'),
    );
    const routerC = await scenario.routerWithConfig(
      [
        'frr defaults traditional',
        'router bgp 64503',
        ' bgp router-id 203.0.113.1',
        ' no bgp ebgp-requires-policy',
        ' timers bgp 1 3',
        ' neighbor 203.0.113.10 remote-as 64500',
        ' neighbor 203.0.113.10 timers connect 1',
        'exit',
        '',
      ].join('\n'),
    );
    vrf = await scenario.namespace('red', 15);
    linkA = (await scenario.link(speaker.frr, ['192.0.2.10/24', '2001:db8::10/64'], routerA, ['192.0.2.1/24', '2001:db8::1/64'])).interface;
    unnumberedIf = (await scenario.link(speaker.frr, [], routerB, [])).interface;
    await scenario.link(vrf, ['203.0.113.10/24'], routerC, ['203.0.113.1/24']);
    // Router B peers over the interface too (its interface has the same name).
    await vty(routerB, ['configure terminal', 'router bgp 64502', `neighbor ${unnumberedIf} interface remote-as external`, `neighbor ${unnumberedIf} timers connect 1`]);

    const speakerConf = [
      'frr defaults traditional',
      'route-map allow permit 10',
      'exit',
      'bfd',
      ' profile slow',
      '  detect-multiplier 5',
      '  receive-interval 1000',
      '  transmit-interval 1000',
      ' exit',
      'exit',
      'router bgp 64500',
      ' bgp router-id 192.0.2.10',
      ' no bgp ebgp-requires-policy',
      ' no bgp default ipv4-unicast',
      ' no bgp network import-check',
      ' timers bgp 1 3',
      ' neighbor 192.0.2.1 remote-as 64501',
      ' neighbor 192.0.2.1 timers connect 1',
      ' neighbor 192.0.2.1 bfd',
      ' neighbor 192.0.2.1 bfd profile slow',
      ' neighbor 2001:db8::1 remote-as 64501',
      ' neighbor 2001:db8::1 timers connect 1',
      ` neighbor ${unnumberedIf} interface remote-as external`,
      ` neighbor ${unnumberedIf} timers connect 1`,
      ' neighbor 192.0.2.99 remote-as 64599',
      ' neighbor 192.0.2.99 password s3cret-never-shown',
      ' address-family ipv4 unicast',
      '  network 198.51.100.10/32',
      '  network 198.51.100.11/32',
      '  neighbor 192.0.2.1 activate',
      '  neighbor 192.0.2.1 route-map allow in',
      '  neighbor 192.0.2.1 route-map allow out',
      `  neighbor ${unnumberedIf} activate`,
      `  neighbor ${unnumberedIf} route-map allow in`,
      `  neighbor ${unnumberedIf} route-map allow out`,
      '  neighbor 192.0.2.99 activate',
      ' exit-address-family',
      ' address-family ipv6 unicast',
      '  network 2001:db8:100::10/128',
      '  neighbor 2001:db8::1 activate',
      '  neighbor 2001:db8::1 route-map allow in',
      '  neighbor 2001:db8::1 route-map allow out',
      `  neighbor ${unnumberedIf} activate`,
      `  neighbor ${unnumberedIf} route-map allow in`,
      `  neighbor ${unnumberedIf} route-map allow out`,
      ' exit-address-family',
      'exit',
      `router bgp 64500 vrf ${vrf}`,
      ' bgp router-id 203.0.113.10',
      ' no bgp ebgp-requires-policy',
      ' no bgp default ipv4-unicast',
      ' no bgp network import-check',
      ' timers bgp 1 3',
      ' neighbor 203.0.113.1 remote-as 64503',
      ' neighbor 203.0.113.1 timers connect 1',
      ' address-family ipv4 unicast',
      '  network 198.51.100.20/32',
      '  neighbor 203.0.113.1 activate',
      '  neighbor 203.0.113.1 route-map allow in',
      '  neighbor 203.0.113.1 route-map allow out',
      ' exit-address-family',
      'exit',
      '',
    ].join('\n');
    const file = join(scenario.dir, 'speaker.conf');
    writeFileSync(file, speakerConf, { mode: 0o600 });
    await speaker.frr.load(file);
    const version = /FRRouting (\S+)/.exec(await speaker.frr.show('show version'))?.[1] ?? 'unknown';
    outDir = join(FIXTURES_DIR, 'vtysh', version);
    mkdirSync(outDir, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await scenario?.destroy();
  });

  it('captures sessions up, then down', async () => {
    await pollUntil(
      async () => JSON.stringify(await speaker.frr.showJson('show bgp vrf all neighbors json')),
      (t) => (t.match(/"bgpState":"Established"/g) ?? []).length >= 4,
      { what: 'four sessions to come up', timeoutMs: 60_000, show: (t) => parseAllNeighbors(JSON.parse(t)).map((n) => `${n.vrf} ${n.id} ${n.state}`).join('\n') },
    );
    await pollUntil(
      async () => JSON.stringify(await speaker.frr.showJson('show bfd peers json')),
      (t) => (t.match(/"status":"up"/g) ?? []).length >= 1,
      { what: 'BFD up', timeoutMs: 60_000, show: (t) => t },
    );
    await new Promise((r) => setTimeout(r, 1500));
    await save('show-version', 'show version');
    await save('bgp-vrf-all-json', 'show bgp vrf all json');
    await save('bgp-vrf-all-summary', 'show bgp vrf all summary json');
    await save('bgp-vrf-all-neighbors-up', 'show bgp vrf all neighbors json', 'IPv4+BFD (profile slow), IPv6 without BFD, unnumbered up; 192.0.2.99 never up (password); VRF neighbor up');
    await save('bfd-peers-up', 'show bfd peers json');
    await save('bfd-vrf-default-peers-up', 'show bfd vrf default peers json');
    await save('bfd-vrf-red-peers', `show bfd vrf ${vrf} peers json`, 'VRF without BFD peers');
    await save('adv-ipv4-192.0.2.1', 'show bgp ipv4 unicast neighbors 192.0.2.1 advertised-routes json');
    await save('adv-ipv6-2001-db8--1', 'show bgp ipv6 unicast neighbors 2001:db8::1 advertised-routes json');
    await save('adv-ipv4-unnumbered', `show bgp ipv4 unicast neighbors ${unnumberedIf} advertised-routes json`);
    await save('adv-ipv6-unnumbered', `show bgp ipv6 unicast neighbors ${unnumberedIf} advertised-routes json`);
    await save('adv-ipv4-vrf-203.0.113.1', `show bgp vrf ${vrf} ipv4 unicast neighbors 203.0.113.1 advertised-routes json`);
    await save('adv-ipv4-192.0.2.99-idle', 'show bgp ipv4 unicast neighbors 192.0.2.99 advertised-routes json', 'neighbor not Established');
    await save('adv-ipv6-192.0.2.1-not-activated', 'show bgp ipv6 unicast neighbors 192.0.2.1 advertised-routes json', 'family not activated');
    await save('adv-ipv4-unknown-neighbor', 'show bgp ipv4 unicast neighbors 192.0.2.250 advertised-routes json', 'no such neighbor');

    await speaker.frr.exec('ip', ['link', 'set', linkA, 'down']);
    await pollUntil(
      async () => JSON.stringify(await speaker.frr.showJson('show bfd peers json')),
      (t) => (t.match(/"status":"down"/g) ?? []).length >= 1,
      { what: 'BFD down', timeoutMs: 60_000, show: (t) => t },
    );
    await pollUntil(
      async () => JSON.stringify(await speaker.frr.showJson('show bgp neighbors 192.0.2.1 json')),
      (t) => !t.includes('"bgpState":"Established"'),
      { what: 'session down', timeoutMs: 30_000, show: (t) => t.slice(0, 500) },
    );
    await save('bgp-vrf-all-neighbors-down', 'show bgp vrf all neighbors json', 'router A link down: IPv4 and IPv6 neighbors not Established, BFD Down');
    await save('bfd-peers-down', 'show bfd peers json');
    await save('adv-ipv4-192.0.2.1-down', 'show bgp ipv4 unicast neighbors 192.0.2.1 advertised-routes json', 'neighbor down');
    const ver = /FRRouting (\S+)/.exec(await speaker.frr.show('show version'))?.[1] ?? 'unknown';
    writeFileSync(
      join(outDir, 'README.md'),
      [
        `# vtysh JSON captured from FRR ${ver}`,
        '',
        'Written by `CAPTURE_VTYSH=1 npm test -- test/frr/status-capture.test.ts` (see that file for the',
        `topology). VRF \`${vrf}\` is a netns VRF; the unnumbered neighbor is interface \`${unnumberedIf}\`.`,
        '',
        '| file | command | note |',
        '|---|---|---|',
        ...index.map((e) => `| \`${e.file}\` | \`${e.command}\` | ${e.note ?? ''} |`),
        '',
      ].join('\n'),
    );
    writeFileSync(join(outDir, 'capture.json'), `${JSON.stringify({ frrVersion: ver, vrf, unnumberedInterface: unnumberedIf, files: index }, null, 2)}\n`);
  }, 180_000);
});

async function vty(frr: FrrInstance, commands: readonly string[]): Promise<void> {
  const r = await frr.frr.run(frr.installation.vtysh, ['-N', frr.name, ...commands.flatMap((c) => ['-c', c])], { timeoutMs: 10_000 });
  if (r.exitCode !== 0) throw new Error(`vtysh failed: ${r.stderr}${r.stdout}`);
}
