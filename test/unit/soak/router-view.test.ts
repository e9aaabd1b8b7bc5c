/**
 * The soak's view of the router's table: both releases' JSON, as FRR printed it (a router holding
 * one prefix from one eBGP neighbor, with a community and a large community).
 */
import { parseHeldRoutes, routeDifferences } from '../../soak/router-view.js';

const PATH = {
  aspath: { string: '64500', segments: [{ type: 'as-sequence', list: [64500] }], length: 1 },
  origin: 'IGP',
  metric: 0,
  valid: true,
  version: 1,
  bestpath: { overall: true, selectionReason: 'First path received' },
  community: { string: '64500:1', list: ['64500:1'] },
  largeCommunity: { string: '64500:2:2', list: ['64500:2:2'] },
  nexthops: [{ ip: '192.0.2.10', hostname: 'vm', afi: 'ipv4', metric: 0, accessible: true, used: true }],
  peer: { peerId: '192.0.2.10', routerId: '192.0.2.10', hostname: 'vm', type: 'external' },
};
const EXPECTED = [{ prefix: '198.51.100.1/32', communities: ['64500:1'], largeCommunities: ['64500:2:2'] }];

describe("the soak's router view", () => {
  it("reads FRR 10.3's `show bgp ipv4 unicast detail json` (the paths only)", () => {
    const held = parseHeldRoutes({ routerId: '192.0.2.1', routes: { '198.51.100.1/32': [PATH] }, totalRoutes: 1, totalPaths: 1 });
    expect(held).toEqual([{ ...EXPECTED[0], paths: 1, valid: true }]);
    expect(routeDifferences(held, EXPECTED)).toEqual([]);
  });

  it("reads FRR 8.4's `show bgp ipv4 unicast json detail` (a header of the prefix before its paths)", () => {
    const header = { prefix: '198.51.100.1/32', version: 1, advertisedTo: { '192.0.2.10': { hostname: 'vm' } } };
    const held = parseHeldRoutes({ routerId: '192.0.2.1', routes: { '198.51.100.1/32': [header, PATH] } });
    // Read as two paths before, the header an invalid one: "has 198.51.100.1/32 (2 paths) (invalid)".
    expect(held).toEqual([{ ...EXPECTED[0], paths: 1, valid: true }]);
    expect(routeDifferences(held, EXPECTED)).toEqual([]);
  });

  it('still tells a second path and an invalid one', () => {
    const held = parseHeldRoutes({ routes: { '198.51.100.1/32': [PATH, { ...PATH, valid: false }] } });
    expect(routeDifferences(held, EXPECTED)).toEqual(['has 198.51.100.1/32 [64500:1] large [64500:2:2] (2 paths) (invalid), expected 198.51.100.1/32 [64500:1] large [64500:2:2]']);
  });
});
