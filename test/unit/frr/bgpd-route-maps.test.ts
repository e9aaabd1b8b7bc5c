/**
 * Issue 15 (the soak's bgpd finding): which route-map entries bgpd's own config lacks, read from
 * real renders and from text as FRR prints it. The repair itself, on real FRR, is in
 * test/frr/apply-verification.test.ts.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { missingAsDifference, missingRouteMapEntries, routeMapEntries } from '../../../src/frr/bgpd-route-maps.js';
import { loadRenderer } from '../../../src/pipeline.js';
import type { Renderer } from '../../../src/render/renderer.js';
import { renderFastPathCluster } from '../../support/fast-path-cluster.js';

let renderer: Renderer;
beforeAll(async () => {
  renderer = await loadRenderer();
});

function render(): string {
  return renderFastPathCluster({ services: ['198.51.100.10', '2001:db8:100::10', '203.0.113.10'] }, renderer, { major: 10, minor: 3 }, 'node-a');
}

/** The route-map blocks of a config dropped, as bgpd prints its config after a restart with router bgp only. */
function withoutRouteMaps(config: string): string {
  const kept: string[] = [];
  let inRouteMap = false;
  for (const line of config.split('\n')) {
    if (line.startsWith('route-map ')) inRouteMap = true;
    if (!inRouteMap) kept.push(line);
    if (inRouteMap && line === 'exit') inRouteMap = false; // the block's own exit goes with it
  }
  return kept.join('\n');
}

describe('routeMapEntries', () => {
  it('reads every entry of a render with its lines, and nothing outside route-map blocks', () => {
    const config = render();
    const entries = routeMapEntries(config);
    const headers = config.split('\n').filter((l) => l.startsWith('route-map '));
    expect(entries.map((e) => e.header)).toEqual(headers);
    expect(entries.length).toBeGreaterThan(3);
    const tag = entries.find((e) => e.header.startsWith('route-map metallb-tag-'))!;
    expect(tag.lines).toEqual([expect.stringMatching(/^set tag \d+$/)]);
    expect(entries.flatMap((e) => e.lines).some((l) => l.startsWith('neighbor') || l.startsWith('network'))).toBe(false);
  });

  it('reads FRR 8.4 text, where a block ends at the next top-level line or "!" rather than "exit"', () => {
    const text = ['route-map a permit 10', ' set tag 5', '!', 'route-map b deny 20', 'router bgp 64500', ' neighbor 192.0.2.1 remote-as 64501'].join('\n');
    expect(routeMapEntries(text)).toEqual([
      { header: 'route-map a permit 10', lines: ['set tag 5'] },
      { header: 'route-map b deny 20', lines: [] },
    ]);
  });
});

describe('missingRouteMapEntries', () => {
  it('is empty when bgpd prints the same route-maps, in any order and indentation', () => {
    const config = render();
    const reordered = routeMapEntries(config).reverse().map((e) => ({ header: e.header, lines: [...e.lines].reverse() }));
    expect(missingRouteMapEntries(routeMapEntries(config), reordered)).toEqual([]);
  });

  it('names every entry when bgpd runs router bgp but no route-map (zebra kept them)', () => {
    const config = render();
    const bgpdOwn = withoutRouteMaps(config);
    expect(bgpdOwn).toMatch(/^router bgp /m);
    expect(routeMapEntries(bgpdOwn)).toEqual([]);
    expect(missingRouteMapEntries(routeMapEntries(config), routeMapEntries(bgpdOwn))).toEqual(routeMapEntries(config));
  });

  it('names an entry bgpd holds with a line missing (a half-done load), and only it', () => {
    const config = render();
    const wanted = routeMapEntries(config);
    const withSet = wanted.find((e) => e.lines.length > 1)!;
    const running = wanted.map((e) => (e === withSet ? { header: e.header, lines: e.lines.slice(1) } : e));
    expect(missingRouteMapEntries(wanted, running)).toEqual([withSet]);
  });
});

describe('missingAsDifference', () => {
  it('says each missing entry as + lines that name bgpd', () => {
    expect(missingAsDifference([{ header: 'route-map metallb-tag-7 permit 10', lines: ['set tag 7'] }])).toEqual([
      '+ route-map metallb-tag-7 permit 10 (missing in bgpd)',
      '+  set tag 7',
    ]);
  });
});
