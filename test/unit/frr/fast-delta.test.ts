/**
 * Issue 12, item 4: the fast path's decision (which deltas it understands, and the vtysh session
 * that makes them) and its verification, on real renders of a small cluster. The same decisions
 * on real FRR are in test/frr/fast-apply.test.ts.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { computeFastDelta, sessionCommands, splitNetworks, tagRouteMaps, type FastDelta } from '../../../src/frr/fast-delta.js';
import { checkRoute, checkRunningConfig, routeCommand, splitJsonValues } from '../../../src/frr/fast-verify.js';
import { loadRenderer } from '../../../src/pipeline.js';
import type { Renderer } from '../../../src/render/renderer.js';
import { renderFastPathCluster, type FastPathCluster } from '../../support/fast-path-cluster.js';

let renderer: Renderer;
beforeAll(async () => {
  renderer = await loadRenderer();
});

const BASE: FastPathCluster = { services: ['198.51.100.10', '198.51.100.11', '2001:db8:100::10', '203.0.113.10', '203.0.113.200'] };

function render(c: FastPathCluster, release = { major: 10, minor: 3 }): string {
  return renderFastPathCluster(c, renderer, release, 'node-a');
}

function understood(d: FastDelta): Extract<FastDelta, { understood: true }> {
  if (!d.understood) throw new Error(`not understood: ${d.reason}`);
  return d;
}

/** The tag route-map a prefix's line uses in a render. */
function routeMapOf(config: string, prefix: string): string {
  return new RegExp(`^ {2}network ${prefix.replace(/[.]/g, '\\.')} route-map (\\S+)$`, 'm').exec(config)![1]!;
}

describe('computeFastDelta: what the fast path understands', () => {
  it('one added service is one network line in its context, with the tag its route-map sets', () => {
    const before = render(BASE);
    const after = render({ services: [...BASE.services, '198.51.100.12'] });
    const d = understood(computeFastDelta(before, after));
    const rm = routeMapOf(after, '198.51.100.12/32');
    expect(d.changes).toEqual([{ context: { router: 'router bgp 64500', family: 'ipv4', vrf: undefined }, prefix: '198.51.100.12/32', routeMap: rm, tag: Number(rm.replace('metallb-tag-', '')) }]);
    expect(sessionCommands(d.changes)).toEqual([
      'configure terminal',
      'router bgp 64500',
      'address-family ipv4 unicast',
      `network 198.51.100.12/32 route-map ${rm}`,
      'exit-address-family',
      'exit',
      'end',
    ]);
  });

  it('removals, IPv6 and a prefix moving to another existing tag, in one session: removals first, each context entered once', () => {
    const before = render(BASE);
    // 203.0.113.10 moves from pool2 to pool (tag of adv2 -> tag of adv); 203.0.113.200 keeps adv2's tag in use.
    const after = render({
      services: ['198.51.100.10', '2001:db8:100::10', '2001:db8:100::11', '203.0.113.10', '203.0.113.200'],
      pool: ['198.51.100.0/24', '2001:db8:100::/64', '203.0.113.0/28'],
      pool2: ['203.0.113.128/25'],
    });
    const d = understood(computeFastDelta(before, after));
    const v4 = routeMapOf(after, '198.51.100.10/32');
    expect(routeMapOf(before, '203.0.113.10/32')).not.toBe(v4);
    expect(sessionCommands(d.changes)).toEqual([
      'configure terminal',
      'router bgp 64500',
      'address-family ipv4 unicast',
      'no network 198.51.100.11/32',
      `network 203.0.113.10/32 route-map ${v4}`,
      'exit-address-family',
      'exit',
      'router bgp 64500',
      'address-family ipv6 unicast',
      `network 2001:db8:100::11/128 route-map ${v4}`,
      'exit-address-family',
      'exit',
      'end',
    ]);
  });

  it.each([
    ['a new set of advertisements (a new tag and route-map entries)', { ...BASE, adv2Communities: ['64500:7'] }],
    ['a peer change', { ...BASE, holdTime: '30s' }],
    ['the last service of a tag withdrawn (its route-maps go)', { services: ['198.51.100.10', '198.51.100.11', '2001:db8:100::10'] }],
  ])('declines %s: more than network lines change', (_what, next) => {
    const d = computeFastDelta(render(BASE), render(next));
    expect(d).toEqual({ understood: false, reason: expect.stringMatching(/^the change is more than network lines \(first difference at line \d+/) });
  });

  it('declines a change of FRR release (forms differ), and the first prefix of a family a peer gets for a tag (its route-map entry comes with it)', () => {
    expect(computeFastDelta(render(BASE), render(BASE, { major: 8, minor: 4 })).understood).toBe(false);
    const v4only = { services: ['198.51.100.10'] };
    const first = computeFastDelta(render(v4only), render({ services: ['198.51.100.10', '2001:db8:100::10'] }));
    expect(first).toEqual({ understood: false, reason: expect.stringContaining('the change is more than network lines') });
    const second = computeFastDelta(render({ services: ['198.51.100.10', '2001:db8:100::10'] }), render({ services: ['198.51.100.10', '2001:db8:100::10', '2001:db8:100::11'] }));
    expect(second.understood).toBe(true);
    // A family block that appears with its first line is skeleton too.
    const noBlock = 'router bgp 64500\n neighbor 192.0.2.1 remote-as 64501\nexit\n';
    const withBlock = 'router bgp 64500\n neighbor 192.0.2.1 remote-as 64501\n address-family ipv6 unicast\n  network 2001:db8:100::10/128 route-map metallb-tag-1\n exit-address-family\nexit\n';
    expect(computeFastDelta(noBlock, withBlock).understood).toBe(false);
  });

  it('declines nothing changed, too many changes, a route-map that sets no tag, and a prefix written twice', () => {
    const base = render(BASE);
    expect(computeFastDelta(base, base)).toEqual({ understood: false, reason: expect.stringContaining('nothing changed') });
    const many = render({ services: [...BASE.services, ...Array.from({ length: 6 }, (_, i) => `198.51.100.${100 + i}`)] });
    expect(computeFastDelta(base, many, 5)).toEqual({ understood: false, reason: '6 network lines change (more than 5)' });
    expect(computeFastDelta(base, many, 6).understood).toBe(true);
    const foreign = base.replace(/( {2}network 198\.51\.100\.11\/32 route-map )\S+/, '$1192.0.2.1-out');
    expect(computeFastDelta(base, foreign)).toEqual({ understood: false, reason: expect.stringContaining('route-map 192.0.2.1-out of network 198.51.100.11/32 is not a tag route-map') });
    const twice = base.replace(/^( {2}network 198\.51\.100\.10\/32 route-map \S+)$/m, '$1\n$1').replace(/^ {2}network 198\.51\.100\.11\/32.*\n/m, '');
    expect(computeFastDelta(base, twice)).toEqual({ understood: false, reason: expect.stringContaining('a prefix is written twice') });
  });

  it('never quotes a line outside the network lines (passwords live there)', () => {
    const base = render(BASE);
    const withPassword = base.replace(' neighbor 192.0.2.1 remote-as 64501\n', ' neighbor 192.0.2.1 remote-as 64501\n neighbor 192.0.2.1 password s3cret\n');
    const d = computeFastDelta(base, withPassword);
    expect(d.understood).toBe(false);
    expect(JSON.stringify(d)).not.toContain('s3cret');
  });
});

describe('splitNetworks and tagRouteMaps', () => {
  it('takes network lines only in the form and blocks the templates print; keeps every other byte', () => {
    const text = [
      'route-map metallb-tag-7 permit 10',
      ' set tag 7',
      'exit',
      'route-map two-entries permit 10',
      ' set tag 8',
      'exit',
      'route-map two-entries permit 20',
      'exit',
      'router bgp 64500 vrf red',
      ' address-family ipv4 unicast',
      '  network 192.0.2.0/24 route-map metallb-tag-7',
      '  network 192.0.2.128/25',
      ' exit-address-family',
      '  network 198.51.100.1/32 route-map metallb-tag-7',
      'exit',
      '',
    ].join('\n');
    const s = splitNetworks(text);
    expect([...s.networks.values()].map((m) => [...m])).toEqual([[['192.0.2.0/24', 'metallb-tag-7']]]);
    expect([...s.contexts.values()]).toEqual([{ router: 'router bgp 64500 vrf red', family: 'ipv4', vrf: 'red' }]);
    expect(s.skeleton).toBe(text.replace('  network 192.0.2.0/24 route-map metallb-tag-7\n', ''));
    expect([...tagRouteMaps(s.skeleton)]).toEqual([['metallb-tag-7', 7]]);
  });
});

describe('verification', () => {
  let base = '';
  let next = '';
  let d: Extract<FastDelta, { understood: true }>;
  let expectedSkeleton = '';
  /** FRR's running config as FRR prints it: a header, no comments. */
  function running(config: string): string {
    const body = config.split('\n').filter((l) => !l.startsWith('!'));
    return ['Building configuration...', '', 'Current configuration:', '!', 'frr version 8.4.4', ...body, 'end'].join('\n');
  }
  beforeAll(() => {
    base = render(BASE);
    next = render({ services: [...BASE.services, '198.51.100.12'] });
    d = understood(computeFastDelta(base, next));
    expectedSkeleton = splitNetworks(running(base)).skeleton;
  });

  it('passes when FRR runs the verified skeleton with exactly the render network lines, in any order', () => {
    const shuffled = running(next).replace(/^( {2}network 198\.51\.100\.10\/32 .*)\n( {2}network .*)$/m, '$2\n$1');
    expect(shuffled).not.toBe(running(next));
    expect(checkRunningConfig(expectedSkeleton, d.next, shuffled)).toBeUndefined();
  });

  it('catches a line missing, one too many, one on another tag, and anything else changed', () => {
    expect(checkRunningConfig(expectedSkeleton, d.next, running(base))).toMatch(/router bgp 64500 \/ ipv4 unicast: missing network 198\.51\.100\.12\/32 route-map metallb-tag-\d+$/);
    const extra = running(next).replace(/^( {2}network 198\.51\.100\.12\/32 .*)$/m, '$1\n  network 198.51.100.99/32 route-map metallb-tag-1');
    expect(checkRunningConfig(expectedSkeleton, d.next, extra)).toMatch(/unexpected network 198\.51\.100\.99\/32 route-map metallb-tag-1$/);
    const retagged = running(next).replace(/^( {2}network 198\.51\.100\.12\/32 route-map )\S+$/m, '$1metallb-tag-1');
    expect(checkRunningConfig(expectedSkeleton, d.next, retagged)).toMatch(/missing network 198\.51\.100\.12\/32 .*; .*unexpected network 198\.51\.100\.12\/32 route-map metallb-tag-1/);
    const edited = running(next).replace(' neighbor 192.0.2.1 remote-as 64501\n', ' neighbor 192.0.2.1 remote-as 64501\n neighbor 192.0.2.1 password s3cret\n');
    const why = checkRunningConfig(expectedSkeleton, d.next, edited);
    expect(why).toMatch(/^FRR's running config differs from the one last verified outside the network lines \(first difference at line \d+\)$/);
    expect(why).not.toContain('s3cret');
  });

  it('reads each touched prefix from BGP: an added one ours with its tag, a removed one gone (or only marked removed)', () => {
    const [added] = d.changes;
    expect(routeCommand(added!)).toBe('show bgp ipv4 unicast 198.51.100.12/32 json');
    expect(routeCommand({ ...added!, context: { router: 'router bgp 64500 vrf red', family: 'ipv6', vrf: 'red' }, prefix: '2001:db8::1/128' })).toBe('show bgp vrf red ipv6 unicast 2001:db8::1/128 json');
    const path = (over: Record<string, unknown>) => ({ paths: [{ sourced: true, local: true, tag: added!.tag, ...over }] });
    expect(checkRoute(added!, path({}))).toBeUndefined();
    expect(checkRoute(added!, path({ tag: 1 }))).toMatch(/does not carry tag \d+ \(tags: 1\)$/);
    expect(checkRoute(added!, {})).toMatch(/is not in BGP's table as a route of ours$/);
    expect(checkRoute(added!, path({ removed: true }))).toMatch(/is not in BGP's table/);
    const removal = { ...added!, routeMap: undefined, tag: undefined };
    expect(checkRoute(removal, {})).toBeUndefined();
    expect(checkRoute(removal, path({ removed: true }))).toBeUndefined();
    expect(checkRoute(removal, path({}))).toMatch(/is still announced after its network line was removed$/);
  });

  it('splits the JSON values vtysh prints one after the other; broken output never passes', () => {
    expect(splitJsonValues('\n{"a":"}{"}\n{}\n[1,{"b":"\\""}]\n')).toEqual([{ a: '}{' }, {}, [1, { b: '"' }]]);
    expect(splitJsonValues('% Unknown command: show bgp\n')).toEqual([]);
    expect(() => splitJsonValues('{"a": 1')).toThrow('JSON cut short');
  });
});
