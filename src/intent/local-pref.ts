import type { Advertisement, Pool } from '../api/model.js';
import { keyOf } from './advertisement-pools.js';

/**
 * MetalLB's rule: two advertisements of one pool that both apply to a service on this node may
 * set different localPref only if they can never describe the same BGP update: their aggregation
 * lengths differ for every family of the pool, or they target disjoint, non-empty peer lists.
 * Returns a description of the first conflict, or undefined.
 */
export function localPrefConflict(advs: readonly Advertisement[], pool: Pool): string | undefined {
  const families = new Set(pool.ranges.map((r) => r.family));
  for (let i = 0; i < advs.length; i++) {
    for (let j = i + 1; j < advs.length; j++) {
      const a = advs[i]!;
      const b = advs[j]!;
      if (a.localPref === b.localPref) continue;
      const lengthsDiffer =
        (!families.has('ipv4') || a.aggregationLength !== b.aggregationLength) &&
        (!families.has('ipv6') || a.aggregationLengthV6 !== b.aggregationLengthV6);
      const peersDisjoint =
        a.peers.length > 0 && b.peers.length > 0 && !a.peers.some((p) => b.peers.includes(p));
      if (!lengthsDiffer && !peersDisjoint) {
        return `BGPAdvertisement ${keyOf(a)} vs ${keyOf(b)}: localPref ${a.localPref} != ${b.localPref} for the same prefixes of pool ${pool.ref.name}`;
      }
    }
  }
  return undefined;
}
