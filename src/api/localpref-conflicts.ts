/** MetalLB's BGPAdvertisementsHaveCompatibleLocalPref, for every pair of advertisements of a pool. */
import { advertisementAppliesTo } from './advertisement-pools.js';
import type { Advertisement, Pool } from './model.js';
import { ignoredOn, selectsScope, type NodeScope } from './node-scope.js';
import type { Problems } from './problems.js';

/** Two advertisements of one pool that would give the same prefixes two LOCAL_PREF values. */
export interface LocalPrefConflict {
  readonly pool: Pool;
  /** The advertisement that sorts first. */
  readonly first: Advertisement;
  /** The one that sorts later: the conflict is its error. */
  readonly second: Advertisement;
}

/**
 * Two advertisements of the same pool with different localPref describe the same BGP update, which
 * FRR cannot send with two LOCAL_PREF values, unless: their aggregation lengths differ for every
 * family the pool holds, or both name peers and no peer is in both lists, or they share no node.
 * Each pair is returned once, in pool then name order.
 *
 * Callers choose `advs`: at snapshot time the advertisements without serviceSelectors (MetalLB
 * checks those per service), per service the advertisements that match it (`intent/announce.ts`).
 */
export function localPrefConflicts(
  advs: readonly Advertisement[],
  pools: readonly Pool[],
  shareNode: (a: Advertisement, b: Advertisement) => boolean,
): LocalPrefConflict[] {
  const seen = new Set<string>();
  const out: LocalPrefConflict[] = [];
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
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ pool, first: a, second: b });
      }
    }
  }
  return out;
}

/** The conflict in words, as the error of `second.spec.localPref` (its object and field are named apart). */
export function describeLocalPrefConflict(c: LocalPrefConflict): string {
  return `localPref ${c.second.localPref} conflicts with localPref ${c.first.localPref} of BGPAdvertisement ${c.first.ref.name}: both advertise pool ${c.pool.ref.name} with the same aggregation length to the same peers from the same nodes, and a prefix can carry only one LOCAL_PREF; use the same localPref, or give them different aggregation lengths, disjoint peers or disjoint nodeSelectors`;
}

/**
 * Files each conflict on the advertisement that sorts later. With a `scope` (the node being
 * rendered), a conflict between advertisements that are not both on that node is a warning: it
 * blocks the nodes where both apply, not this one.
 */
export function checkLocalPrefCompatibility(
  advs: readonly Advertisement[],
  pools: readonly Pool[],
  shareNode: (a: Advertisement, b: Advertisement) => boolean,
  problems: Problems,
  scope?: NodeScope,
): void {
  for (const c of localPrefConflicts(advs, pools, shareNode)) {
    const message = describeLocalPrefConflict(c);
    // A speaker only validates the advertisements that select its node (MetalLB's
    // config_controller.go `filterBGPAdvertisementsByNode`): a conflict elsewhere is not this node's.
    if (scope === undefined || (selectsScope(scope, c.first) && selectsScope(scope, c.second))) problems.error(c.second.ref, 'spec.localPref', message);
    else problems.warn(c.second.ref, 'spec.localPref', `${message}${ignoredOn(scope)}`);
  }
}

function refKey(a: Advertisement): string {
  return `${a.ref.namespace}/${a.ref.name}`;
}

function sortByRef(advs: Advertisement[]): Advertisement[] {
  return advs.sort((x, y) => (refKey(x) < refKey(y) ? -1 : refKey(x) > refKey(y) ? 1 : 0));
}
