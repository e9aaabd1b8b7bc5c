import type { Advertisement, CommunityAlias, Peer } from '../api/model.js';
import type { Problems } from '../api/problems.js';
import { resolveCommunities, largeCommunitiesText, standardCommunitiesText } from './community-attributes.js';
import type { FrrForms } from './frr-release.js';
import type { AddressFamilyIntent, AnnouncedPrefix, NeighborIntent, NetworkIntent, OutEntry, RouterIntent } from './model.js';
import type { NeighborSession } from './neighbor-session.js';
import { compareKeyed, compareStrings, familyOfPrefix, type KeyedPrefix } from './prefixes.js';
import { outboundSeq, tagRouteMapName } from './tags.js';

/** A prefix this node announces: which advertisements produce it, and from which services. */
export interface PrefixSources {
  readonly prefix: string;
  /** Numeric sort key of `prefix` (see `compareKeyed`). */
  readonly key: KeyedPrefix;
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
  /** How this FRR release prints the lines that differ between releases. */
  readonly forms: FrrForms;
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
  const prefixes = [...input.sources.values()].sort((a, b) => compareKeyed(a.key, b.key));
  // Per prefix, computed once for every VRF and neighbor (thousands of services x peers).
  const families = prefixes.map((s) => familyOfPrefix(s.prefix));
  const tags = prefixes.map((s) => input.tagIds.get(s.tagKey)!);
  const table: PrefixTable = {
    prefixes,
    families,
    tags,
    // The same (immutable) record for every neighbor that receives the prefix.
    announced: prefixes.map((s, i) => ({ prefix: s.prefix, family: families[i]!, tag: tags[i]!, services: s.services })),
    tagKeys: new Map(),
  };
  prefixes.forEach((s, i) => {
    let info = table.tagKeys.get(s.tagKey);
    if (info === undefined) table.tagKeys.set(s.tagKey, (info = { tag: tags[i]!, firstIndex: i, ipv4: false, ipv6: false }));
    info[families[i]!] = true;
  });

  const selections = new Map<string, Selection>();
  return [...byVrf.keys()].sort(compareStrings).map((vrf) => {
    const peers = byVrf.get(vrf)!;
    const results = peers.map((p) => neighborIntent(p, input.sessions.get(p)!, table, selections, input));
    const neighbors = results.map((r) => r.neighbor);
    // Which prefixes some neighbor of this router receives: exactly its `network` lines.
    const announcedHere = new Uint8Array(prefixes.length);
    for (const marks of new Set(results.map((r) => r.selection.marks))) {
      for (let i = 0; i < marks.length; i++) announcedHere[i]! |= marks[i]!;
    }
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

/** The node's prefixes in `compareKeyed` order, with each one's family and tag id. */
interface PrefixTable {
  readonly prefixes: readonly PrefixSources[];
  readonly families: readonly ('ipv4' | 'ipv6')[];
  readonly tags: readonly number[];
  readonly announced: readonly AnnouncedPrefix[];
  /** Each tag key, in order of its first prefix: its tag, that prefix, the families it has prefixes in. */
  readonly tagKeys: Map<string, { tag: number; firstIndex: number; ipv4: boolean; ipv6: boolean }>;
}

/**
 * What one neighbor receives. A prefix's advertisements are those of its tag key, so the work is
 * per tag key (a handful), and the per-prefix list is built once per distinct selection (which
 * tag keys, which families) and shared by every neighbor with that selection.
 */
function neighborIntent(
  peer: Peer,
  session: NeighborSession,
  table: PrefixTable,
  selections: Map<string, Selection>,
  input: RouterInputs,
): { neighbor: NeighborIntent; selection: Selection } {
  const received: string[] = [];
  const entries: OutEntry[] = [];
  // In order of each tag key's first prefix, as a walk over the prefixes would meet them.
  for (const [tagKey, info] of table.tagKeys) {
    if (!((session.ipv4 && info.ipv4) || (session.ipv6 && info.ipv6))) continue;
    const advs = table.prefixes[info.firstIndex]!.advertisements
      .map((k) => input.advsByKey.get(k)!)
      .filter((a) => a.peers.length === 0 || a.peers.includes(peer.ref.name));
    if (advs.length === 0) continue;
    received.push(tagKey);
    entries.push(outEntry(info.tag, advs, peer, input));
  }
  const signature = `${session.ipv4 ? 4 : '-'}${session.ipv6 ? 6 : '-'}\n${received.join('\n')}`;
  let selection = selections.get(signature);
  if (selection === undefined) {
    const keys = new Set(received);
    const marks = new Uint8Array(table.prefixes.length);
    const announced: AnnouncedPrefix[] = [];
    for (let i = 0; i < table.prefixes.length; i++) {
      if (!(table.families[i] === 'ipv4' ? session.ipv4 : session.ipv6)) continue;
      if (!keys.has(table.prefixes[i]!.tagKey)) continue;
      marks[i] = 1;
      announced.push(table.announced[i]!);
    }
    selections.set(signature, (selection = { marks, announced }));
  }
  return {
    neighbor: { ...session, outEntries: entries.sort((a, b) => a.seq - b.seq), announced: selection.announced },
    selection,
  };
}

/** The prefixes some neighbors receive: a mark per prefix of the table, and their records in order. */
interface Selection {
  readonly marks: Uint8Array;
  readonly announced: readonly AnnouncedPrefix[];
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
    seq: outboundSeq(tag),
    tag,
    communities: standardCommunitiesText(communities, input.forms),
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
