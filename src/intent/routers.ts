import type { Advertisement, CommunityAlias, Peer } from '../api/model.js';
import type { Problems } from '../api/problems.js';
import { resolveCommunities, largeCommunitiesText, standardCommunitiesText } from './communities.js';
import type { AddressFamilyIntent, AnnouncedPrefix, NeighborIntent, NetworkIntent, OutEntry, RouterIntent } from './model.js';
import type { NeighborSession } from './neighbor-session.js';
import { compareStrings, familyOfPrefix, sortByPrefix } from './prefixes.js';
import { tagRouteMapName } from './tags.js';

/** A prefix this node announces: which advertisements produce it, and from which services. */
export interface PrefixSources {
  readonly prefix: string;
  /** `namespace/name`, sorted. */
  readonly advertisements: readonly string[];
  /** The advertisement set's key; its tag id comes from `assignTagIds`. */
  readonly tagKey: string;
  readonly services: readonly string[];
}

export interface RouterInputs {
  /** This node's peers, in neighbor order. */
  readonly peers: readonly Peer[];
  readonly sessions: ReadonlyMap<Peer, NeighborSession>;
  readonly sources: ReadonlyMap<string, PrefixSources>;
  readonly tagIds: ReadonlyMap<string, number>;
  readonly advsByKey: ReadonlyMap<string, Advertisement>;
  readonly aliases: readonly CommunityAlias[];
  readonly problems: Problems;
}

/** One `router bgp` per VRF, each with its neighbors, what they are sent, and the `network` lines. */
export function buildRouters(input: RouterInputs): RouterIntent[] {
  const byVrf = new Map<string, Peer[]>();
  for (const peer of input.peers) {
    const list = byVrf.get(peer.vrf ?? '') ?? [];
    list.push(peer);
    byVrf.set(peer.vrf ?? '', list);
  }
  const prefixes = sortByPrefix([...input.sources.values()], (s) => s.prefix);
  // Per prefix, computed once for every VRF and neighbor (thousands of services x peers).
  const table: PrefixTable = {
    prefixes,
    families: prefixes.map((s) => familyOfPrefix(s.prefix)),
    tags: prefixes.map((s) => input.tagIds.get(s.tagKey)!),
  };

  return [...byVrf.keys()].sort(compareStrings).map((vrf) => {
    const peers = byVrf.get(vrf)!;
    // Which prefixes some neighbor of this router receives: exactly its `network` lines.
    const announcedHere = new Uint8Array(prefixes.length);
    const neighbors = peers.map((p) => neighborIntent(p, input.sessions.get(p)!, table, announcedHere, input));
    const first = peers[0]!;
    return {
      asn: first.myASN,
      vrf: vrf === '' ? null : vrf,
      routerId: first.routerID ?? null,
      neighbors,
      ipv4: addressFamily('ipv4', neighbors, table, announcedHere),
      ipv6: addressFamily('ipv6', neighbors, table, announcedHere),
    };
  });
}

/** The node's prefixes in `comparePrefixes` order, with each one's family and tag id. */
interface PrefixTable {
  readonly prefixes: readonly PrefixSources[];
  readonly families: readonly ('ipv4' | 'ipv6')[];
  readonly tags: readonly number[];
}

function neighborIntent(
  peer: Peer,
  session: NeighborSession,
  table: PrefixTable,
  announcedHere: Uint8Array,
  input: RouterInputs,
): NeighborIntent {
  const { prefixes, families, tags } = table;
  const announced: AnnouncedPrefix[] = [];
  const entries = new Map<number, OutEntry>();
  // Prefixes with the same tag key have the same advertisements: filter them once per key.
  const advsOfKey = new Map<string, Advertisement[]>();
  for (let i = 0; i < prefixes.length; i++) {
    const src = prefixes[i]!;
    const family = families[i]!;
    if (!(family === 'ipv4' ? session.ipv4 : session.ipv6)) continue;
    let advs = advsOfKey.get(src.tagKey);
    if (advs === undefined) {
      advs = src.advertisements
        .map((k) => input.advsByKey.get(k)!)
        .filter((a) => a.peers.length === 0 || a.peers.includes(peer.ref.name));
      advsOfKey.set(src.tagKey, advs);
    }
    if (advs.length === 0) continue;
    const tag = tags[i]!;
    announcedHere[i] = 1;
    announced.push({ prefix: src.prefix, family, tag, services: src.services });
    if (!entries.has(tag)) entries.set(tag, outEntry(tag, advs, peer, input));
  }
  return { ...session, outEntries: [...entries.values()].sort((a, b) => a.seq - b.seq), announced };
}

/** What the peer's outbound route-map does for one tag: the union of the advertisements' attributes. */
function outEntry(tag: number, advs: readonly Advertisement[], peer: Peer, input: RouterInputs): OutEntry {
  const communities = advs.flatMap((a) => resolveCommunities(a.communities, input.aliases));
  const prefs = [...new Set(advs.map((a) => a.localPref).filter((lp) => lp > 0))].sort((a, b) => a - b);
  if (prefs.length > 1) {
    // Validation rejects this for one pool; prefixes aggregated from several pools can still meet here.
    input.problems.warn(peer.ref, 'spec', `advertisements ${advs.map((a) => a.ref.name).join(', ')} give different localPref (${prefs.join(', ')}) to the same prefixes; the highest, ${prefs.at(-1)}, is used`);
  }
  return {
    seq: tag,
    tag,
    communities: standardCommunitiesText(communities),
    largeCommunities: largeCommunitiesText(communities),
    localPref: prefs.at(-1) ?? null,
  };
}

/**
 * One address family of a router: its neighbors, and a `network` line for every prefix of the
 * family that one of them receives (a neighbor only receives prefixes of families it is active
 * in), in prefix order.
 */
function addressFamily(
  family: 'ipv4' | 'ipv6',
  neighbors: readonly NeighborIntent[],
  table: PrefixTable,
  announcedHere: Uint8Array,
): AddressFamilyIntent | null {
  const active = neighbors.filter((n) => (family === 'ipv4' ? n.ipv4 : n.ipv6));
  if (active.length === 0) return null;
  const networks: NetworkIntent[] = [];
  const routeMaps = new Map<number, string>();
  for (let i = 0; i < table.prefixes.length; i++) {
    if (announcedHere[i] !== 1 || table.families[i] !== family) continue;
    const tag = table.tags[i]!;
    let routeMap = routeMaps.get(tag);
    if (routeMap === undefined) routeMaps.set(tag, (routeMap = tagRouteMapName(tag)));
    networks.push({ prefix: table.prefixes[i]!.prefix, routeMap });
  }
  return {
    networks,
    neighbors: active.map((n) => ({ target: n.target, routeMapIn: n.routeMapIn, routeMapOut: n.routeMapOut })),
  };
}
