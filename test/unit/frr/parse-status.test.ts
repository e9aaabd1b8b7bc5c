/** The status parsers on vtysh JSON captured from FRR (`fixtures/vtysh/<version>/`), and on drifted shapes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../support/fixtures.js';
import { parseAdvertisedRoutes } from '../../../src/frr/parse-advertised.js';
import { parseBfdPeers } from '../../../src/frr/parse-bfd.js';
import { parseAllNeighbors, parseVrfNeighbors } from '../../../src/frr/parse-neighbors.js';
import { parseFrrVersion } from '../../../src/frr/parse-version.js';

const DIR = join(FIXTURES_DIR, 'vtysh', '8.4.4');
const load = (f: string): unknown => JSON.parse(readFileSync(join(DIR, f), 'utf8'));
const capture = load('capture.json') as { vrf: string; unnumberedInterface: string; frrVersion: string };
const VRF = capture.vrf;
const IF = capture.unnumberedInterface;

describe('fixtures were captured from the FRR they claim', () => {
  it('show version', () => {
    expect(capture.frrVersion).toBe('8.4.4');
  });
  it('parses the version line', () => {
    expect(parseFrrVersion('FRRouting 8.4.4 (vm) on Linux(6.1.0).\nCopyright')).toBe('8.4.4');
    expect(parseFrrVersion('garbage')).toBe('unknown');
  });
});

describe('parseAllNeighbors (show bgp vrf all neighbors json)', () => {
  const up = parseAllNeighbors(load('bgp-vrf-all-neighbors-up.json'));
  const down = parseAllNeighbors(load('bgp-vrf-all-neighbors-down.json'));

  it('lists every VRF, default first, keyed as FRR keys them', () => {
    expect(up.map((n) => `${n.vrf} ${n.id} ${n.state}`)).toEqual([
      'default 192.0.2.1 Established',
      'default 192.0.2.99 Active',
      'default 2001:db8::1 Established',
      `default ${IF} Established`,
      `${VRF} 203.0.113.1 Established`,
    ]);
  });

  it('reads IPv4 with BFD: families, counters, BFD status', () => {
    const n = up.find((x) => x.id === '192.0.2.1')!;
    expect(n).toMatchObject({ isInterface: false, address: '192.0.2.1', established: true, remoteAs: 64501, localAs: 64500, holdTimeMs: 3000 });
    expect(n.families).toEqual({ ipv4: { negotiated: true, sentPrefixes: 2, acceptedPrefixes: 0 } });
    expect(n.bfd).toEqual({ status: 'Up', type: 'single hop' });
    expect(typeof n.uptimeMs).toBe('number');
  });

  it('reads IPv6 without BFD', () => {
    const n = up.find((x) => x.id === '2001:db8::1')!;
    expect(n.bfd).toBeNull();
    expect(n.families.ipv6).toEqual({ negotiated: true, sentPrefixes: 1, acceptedPrefixes: 0 });
  });

  it('keys unnumbered neighbors by interface, with the link-local as address; ipv6 not negotiated', () => {
    const n = up.find((x) => x.id === IF)!;
    expect(n.isInterface).toBe(true);
    expect(n.address).toMatch(/^fe80::/);
    expect(n.families.ipv4?.negotiated).toBe(true);
    expect(n.families.ipv6?.negotiated).toBe(false);
  });

  it('sees sessions and BFD go down', () => {
    const n = down.find((x) => x.id === '192.0.2.1')!;
    expect(n.established).toBe(false);
    expect(n.bfd?.status).toBe('Down');
    expect(n.uptimeMs).toBe('unknown');
    expect(n.lastResetDueTo).toBe('BFD down received');
  });

  it('reads a single-VRF answer too', () => {
    const all = load('bgp-vrf-all-neighbors-up.json') as Record<string, unknown>;
    expect(parseVrfNeighbors(all[VRF]).map((n) => `${n.vrf} ${n.id}`)).toEqual([`${VRF} 203.0.113.1`]);
    expect(parseAllNeighbors(all['default']).length).toBe(4);
  });

  it('a state FRR does not print is "unknown", and a missing last reset is absent (both type-checked)', () => {
    const [n] = parseAllNeighbors({ default: { vrfName: 'default', '192.0.2.7': { bgpState: 'Establishd', remoteAs: 64501 } } });
    expect(n).toMatchObject({ state: 'unknown', established: false });
    expect(n!.lastResetDueTo).toBeUndefined();
  });

  it('never throws on drifted or broken input; unknown fields become "unknown"', () => {
    for (const junk of [null, 42, 'x', [], { default: null }, { default: { '192.0.2.1': 'x' } }]) expect(() => parseAllNeighbors(junk)).not.toThrow();
    const [n] = parseAllNeighbors({ default: { vrfName: 'default', '192.0.2.7': { state: 'Established', remoteAs: '64501', peerBfdInfo: {}, addressFamilyInfo: { ipv4Unicast: { sentPrefixCounter: '3' } } } } });
    expect(n).toMatchObject({ state: 'Established', remoteAs: 64501, localAs: 'unknown', bfd: { status: 'unknown', type: 'unknown' } });
    expect(n!.families.ipv4).toEqual({ negotiated: 'unknown', sentPrefixes: 3, acceptedPrefixes: 'unknown' });
  });
});

describe('parseBfdPeers (show bfd peers json)', () => {
  it('reads up and down sessions', () => {
    expect(parseBfdPeers(load('bfd-peers-up.json')).map((p) => [p.vrf, p.peer, p.status, p.up])).toEqual([['default', '192.0.2.1', 'up', true]]);
    const [down] = parseBfdPeers(load('bfd-peers-down.json'));
    expect(down).toMatchObject({ status: 'down', up: false, diagnostic: 'control detection time expired', detectMultiplier: 5, receiveIntervalMs: 1000 });
  });
  it('an empty VRF is an empty list; junk is tolerated', () => {
    expect(parseBfdPeers(load('bfd-vrf-red-peers.json'))).toEqual([]);
    expect(parseBfdPeers({})).toEqual([]);
    expect(parseBfdPeers([{ status: 'UP' }, null])[0]).toMatchObject({ peer: 'unknown', status: 'up', up: true });
  });
});

describe('parseAdvertisedRoutes', () => {
  it('IPv4, IPv6, VRF and unnumbered tables', () => {
    expect(parseAdvertisedRoutes(load('adv-ipv4-192.0.2.1.json'))).toEqual({ kind: 'routes', prefixes: ['198.51.100.10/32', '198.51.100.11/32'], total: 2 });
    expect(parseAdvertisedRoutes(load('adv-ipv6-2001-db8--1.json'))).toEqual({ kind: 'routes', prefixes: ['2001:db8:100::10/128'], total: 1 });
    expect(parseAdvertisedRoutes(load('adv-ipv4-vrf-203.0.113.1.json'))).toEqual({ kind: 'routes', prefixes: ['198.51.100.20/32'], total: 1 });
    expect(parseAdvertisedRoutes(load('adv-ipv4-unnumbered.json'))).toMatchObject({ kind: 'routes', prefixes: ['198.51.100.10/32', '198.51.100.11/32'] });
  });
  it('down or idle neighbors: empty table', () => {
    expect(parseAdvertisedRoutes(load('adv-ipv4-192.0.2.1-down.json'))).toEqual({ kind: 'routes', prefixes: [], total: 0 });
    expect(parseAdvertisedRoutes(load('adv-ipv4-192.0.2.99-idle.json'))).toEqual({ kind: 'routes', prefixes: [], total: 0 });
  });
  it('warnings for an unknown neighbor or a family it does not have', () => {
    expect(parseAdvertisedRoutes(load('adv-ipv4-unknown-neighbor.json'))).toEqual({ kind: 'warning', message: 'No such neighbor in this view/vrf' });
    expect(parseAdvertisedRoutes(load('adv-ipv6-192.0.2.1-not-activated.json'))).toEqual({ kind: 'warning', message: 'No such neighbor or address family' });
  });
  it('tolerates drift', () => {
    expect(parseAdvertisedRoutes({})).toEqual({ kind: 'routes', prefixes: [], total: 0 });
    expect(parseAdvertisedRoutes([])).toMatchObject({ kind: 'unknown' });
    expect(parseAdvertisedRoutes({ advertisedRoutes: { x: { addrPrefix: '192.0.2.5', prefixLen: 32 } } })).toMatchObject({ prefixes: ['192.0.2.5/32'] });
  });
});
