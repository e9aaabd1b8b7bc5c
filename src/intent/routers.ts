import type { Advertisement, CommunityAlias, Peer } from '../api/model.js';
import type { Problems } from '../api/problems.js';
import { resolveCommunities, largeCommunitiesText, standardCommunitiesText } from './communities.js';
import type { AddressFamilyIntent, AnnouncedPrefix, NeighborIntent, NetworkIntent, OutEntry, RouterIntent } from './model.js';
import type { NeighborSession } from './neighbor-session.js';
import { comparePrefixes, compareStrings, familyOfPrefix } from './prefixes.js';
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
  const prefixes = [...input.sources.values()].sort((a, b) => comparePrefixes(a.prefix, b.prefix));

  return [...byVrf.keys()].sort(compareStrings).map((vrf) => {
    const peers = byVrf.get(vrf)!;
    const neighbors = peers.map((p) => neighborIntent(p, input.sessions.get(p)!, prefixes, input));
    const first = peers[0]!;
    return {
      asn: first.myASN,
      vrf: vrf === '' ? null : vrf,
      routerId: first.routerID ?? null,
      neighbors,
      ipv4: addressFamily('ipv4', neighbors, input),
      ipv6: addressFamily('ipv6', neighbors, input),
    };
  });
}

function neighborIntent(peer: Peer, session: NeighborSession, prefixes: readonly PrefixSources[], input: RouterInputs): NeighborIntent {
  const announced: AnnouncedPrefix[] = [];
  const entries = new Map<number, OutEntry>();
  for (const src of prefixes) {
    const family = familyOfPrefix(src.prefix);
    if (!(family === 'ipv4' ? session.ipv4 : session.ipv6)) continue;
    const advs = src.advertisements
      .map((k) => input.advsByKey.get(k)!)
      .filter((a) => a.peers.length === 0 || a.peers.includes(peer.ref.name));
    if (advs.length === 0) continue;
    const tag = input.tagIds.get(src.tagKey)!;
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

function addressFamily(family: 'ipv4' | 'ipv6', neighbors: readonly NeighborIntent[], input: RouterInputs): AddressFamilyIntent | null {
  const active = neighbors.filter((n) => (family === 'ipv4' ? n.ipv4 : n.ipv6));
  if (active.length === 0) return null;
  const networks = new Map<string, NetworkIntent>();
  for (const n of active) {
    for (const a of n.announced) {
      if (a.family === family) networks.set(a.prefix, { prefix: a.prefix, routeMap: tagRouteMapName(a.tag) });
    }
  }
  return {
    networks: [...networks.values()].sort((a, b) => comparePrefixes(a.prefix, b.prefix)),
    neighbors: active.map((n) => ({ target: n.target, routeMapIn: n.routeMapIn, routeMapOut: n.routeMapOut })),
  };
}
