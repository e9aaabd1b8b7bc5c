/** MetalLB's BGPAdvertisementsHaveCompatibleLocalPref, for every pair of advertisements of a pool. */
import { advertisementAppliesTo } from './advertisement-pools.js';
import type { Advertisement, Pool } from './model.js';
import { ignoredOn, selectsScope, type NodeScope } from './node-scope.js';
import { Problems } from './problems.js';

/**
 * Two advertisements of the same pool with different localPref describe the same BGP update, which
 * FRR cannot send with two LOCAL_PREF values, unless: their aggregation lengths differ for every
 * family the pool holds, or both name peers and no peer is in both lists, or they share no node.
 * A conflict is filed once per pair, on the advertisement that sorts later. With a `scope` (the
 * node being rendered), a conflict between advertisements that are not both on that node is a
 * warning: it blocks the nodes where both apply, not this one.
 *
 * Callers choose `advs`: at snapshot time the advertisements without serviceSelectors (MetalLB
 * checks those per service), per service the advertisements that match it.
 */
export function checkLocalPrefCompatibility(
  advs: readonly Advertisement[],
  pools: readonly Pool[],
  shareNode: (a: Advertisement, b: Advertisement) => boolean,
  problems: Problems,
  scope?: NodeScope,
): void {
  const reported = new Set<string>();
  for (const pool of pools) {
    const families = new Set(pool.ranges.map((r) => r.family));
    const applied = sortByRef(advs.filter((a) => advertisementAppliesTo(a, pool)));
    for (let i = 0; i < applied.length; i++) {
      for (let j = i + 1; j < applied.length; j++) {
        const a = applied[i]!;
        const b = applied[j]!;
        if (a.localPref === b.localPref) continue;
        const lengthsDiffer =
          (!families.has('ipv4') || a.aggregationLength !== b.aggregationLength) &&
          (!families.has('ipv6') || a.aggregationLengthV6 !== b.aggregationLengthV6);
        const peersDisjoint = a.peers.length > 0 && b.peers.length > 0 && !a.peers.some((p) => b.peers.includes(p));
        if (lengthsDiffer || peersDisjoint || !shareNode(a, b)) continue;
        const key = `${refKey(a)}\u0000${refKey(b)}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const message = `localPref ${b.localPref} conflicts with localPref ${a.localPref} of BGPAdvertisement ${a.ref.name}: both advertise pool ${pool.ref.name} with the same aggregation length to the same peers from the same nodes, and a prefix can carry only one LOCAL_PREF; use the same localPref, or give them different aggregation lengths, disjoint peers or disjoint nodeSelectors`;
        // A speaker only validates the advertisements that select its node (MetalLB's
        // config_controller.go `filterBGPAdvertisementsByNode`): a conflict elsewhere is not this node's.
        if (scope === undefined || (selectsScope(scope, a) && selectsScope(scope, b))) problems.error(b.ref, 'spec.localPref', message);
        else problems.warn(b.ref, 'spec.localPref', `${message}${ignoredOn(scope)}`);
      }
    }
  }
}

function refKey(a: Advertisement): string {
  return `${a.ref.namespace}/${a.ref.name}`;
}

function sortByRef(advs: Advertisement[]): Advertisement[] {
  return advs.sort((x, y) => (refKey(x) < refKey(y) ? -1 : refKey(x) > refKey(y) ? 1 : 0));
}
