import { MAX_ADVERTISEMENT_SETS } from '../api/limits.js';
import type { Problems } from '../api/problems.js';
import { compareStrings } from './prefixes.js';

/** Tags and outbound seqs live in 1..TAG_SPACE; the final deny of each route-map sits above them. */
export const TAG_SPACE = 65000;
export const FINAL_DENY_SEQ = 65535;

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
