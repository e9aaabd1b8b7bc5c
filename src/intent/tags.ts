import { MAX_ADVERTISEMENT_SETS } from '../api/limits.js';
import type { Problems } from '../api/problems.js';
import { compareStrings } from './prefixes.js';

/** Tags and outbound seqs live in 1..TAG_SPACE; the final deny of each route-map sits above them. */
export const TAG_SPACE = 65000;

/**
 * Route-map sequence numbers: decided here, printed by the templates.
 * - `FINAL_DENY_SEQ`: the last entry of every outbound route-map, the highest FRR allows, above
 *   every tag: a peer going from "nothing" to "something" never edits it.
 * - `INBOUND_DENY_SEQ`: the one entry of every inbound route-map (MetalLB's `deny 20`: the node
 *   accepts no route from its peers).
 * - `TAG_ROUTE_MAP_SEQ`: the one entry of each origination route-map that sets its tag.
 */
export const FINAL_DENY_SEQ = 65535;
export const INBOUND_DENY_SEQ = 20;
export const TAG_ROUTE_MAP_SEQ = 10;

/**
 * The outbound route-map entry of a tag sits at the tag's own number: tags are stable hashes, so
 * an entry keeps its place when other sets come and go (a change stays a few lines of reload).
 */
export function outboundSeq(tag: number): number {
  return tag;
}

/**
 * Stable small numbers for sets of advertisements.
 *
 * The number is a hash of the set's key, so adding a service, a peer or another set does not
 * renumber the existing ones: a change stays a few lines in frr-reload's diff. Collisions (rare
 * with a handful of sets) are resolved by probing upwards, in key order, so the result depends
 * only on the set of keys, not on the order they were seen.
 */
export function assignTagIds(keys: Iterable<string>): Map<string, number> {
  const sorted = [...new Set(keys)].sort(compareStrings);
  // Probing would never find a free id past TAG_SPACE keys: callers check checkAdvertisementSets first.
  if (sorted.length > TAG_SPACE) throw new RangeError(`${sorted.length} advertisement sets do not fit in ${TAG_SPACE} tags`);
  const taken = new Set<number>();
  const ids = new Map<string, number>();
  for (const key of sorted) {
    let id = 1 + (fnv1a32(key) % TAG_SPACE);
    while (taken.has(id)) id = (id % TAG_SPACE) + 1;
    taken.add(id);
    ids.set(key, id);
  }
  return ids;
}

export function tagRouteMapName(id: number): string {
  return `metallb-tag-${id}`;
}

/** 32-bit FNV-1a over UTF-16 code units: tiny, fast, and stable across Node versions. */
function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Each distinct set of advertisements needs its own tag (MAX_ADVERTISEMENT_SETS, the tag space):
 * more is an error naming the node, instead of a search for a free tag that never ends.
 */
export function checkAdvertisementSets(tagKeys: Iterable<string>, node: string, problems: Problems): void {
  const distinct = new Set(tagKeys).size;
  if (distinct <= MAX_ADVERTISEMENT_SETS) return;
  problems.error(
    { kind: 'Node', namespace: '', name: node },
    '',
    `announces prefixes from ${distinct} distinct sets of BGPAdvertisements: at most ${MAX_ADVERTISEMENT_SETS} (MAX_ADVERTISEMENT_SETS) fit in FRR's route-map tags; use fewer advertisements with overlapping serviceSelectors or pools`,
  );
}
