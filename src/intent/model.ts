/**
 * The desired BGP state of one node: everything frr.conf must say, already decided, named, sorted
 * and formatted. Templates only print these records (`templates/*.hbs`).
 *
 * Optional values are `null`, never missing: the templates run in Handlebars' strict mode, which
 * turns a misspelt field into an error instead of an empty string.
 *
 * Config shape (chosen for apply cost, see README "Config shape"):
 * - every announced prefix is one `network P route-map metallb-tag-N` line; that route-map sets the
 *   route's internal `tag N` (a local attribute, never sent to peers);
 * - N identifies the *set of BGPAdvertisements* that announce the prefix from this node;
 * - each neighbor's outbound route-map has one entry per tag it may send (`match tag N`), which sets
 *   the communities and local-pref of the advertisements that select this peer, then a final deny.
 * A service added to an existing set of advertisements therefore changes one line.
 */

export interface NodeIntent {
  readonly node: string;
  readonly hostname: string | null;
  /** `log stdout LEVEL`; null for FRR's default level (debugging), shown as a bare `log stdout`. */
  readonly logLevel: string | null;
  /** `debug ...` lines (MetalLB's, at debugging level). */
  readonly debugLines: readonly string[];
  /** The FRR release whose forms the config is written in (`10.3`), named in the header comment. */
  readonly frrRelease: string;
  /** `ip nht resolve-via-default` and its IPv6 twin are written (releases that show them). */
  readonly nhtResolveViaDefault: boolean;
  /** The node's forwarding, as FRR reports it: `no ip forwarding` / `no ipv6 forwarding` when off. */
  readonly forwarding: NodeForwarding;
  /** Origination route-maps, sorted by id. */
  readonly tags: readonly TagIntent[];
  /** Default VRF first, then VRFs by name. */
  readonly routers: readonly RouterIntent[];
  /** Profiles referenced by this node's peers, sorted by name. */
  readonly bfdProfiles: readonly BfdProfileIntent[];
  /** MetalLB's bgpextras lines (without the final newline), appended as they are at the end (`--bgp-extras`), or null. */
  readonly extras: { readonly source: string; readonly text: string } | null;
}

/**
 * IP forwarding is the node's (kernel sysctls), not ours: FRR shows `no ipv6 forwarding` while it is
 * off, and a config without that line would make frr-reload.py turn forwarding on, on the node.
 * The rendered config says what FRR reports, so a reload never touches it.
 */
export interface NodeForwarding {
  readonly ipv4: boolean;
  readonly ipv6: boolean;
}

/** One set of BGPAdvertisements that announce a prefix together. */
export interface TagIntent {
  /** 1..65000; also the seq of the matching entry in every outbound route-map. */
  readonly id: number;
  /** `metallb-tag-<id>`. */
  readonly routeMap: string;
  /** The seq of its one `permit` entry (`TAG_ROUTE_MAP_SEQ`). */
  readonly seq: number;
  /** `namespace/name` of the advertisements, sorted: printed as a comment for reviewers. */
  readonly advertisements: readonly string[];
}

export interface RouterIntent {
  readonly asn: number;
  /** null = default VRF. */
  readonly vrf: string | null;
  readonly routerId: string | null;
  readonly neighbors: readonly NeighborIntent[];
  readonly ipv4: AddressFamilyIntent | null;
  readonly ipv6: AddressFamilyIntent | null;
}

export interface AddressFamilyIntent {
  readonly networks: readonly NetworkIntent[];
  /** Neighbors activated in this family, in router order. */
  readonly neighbors: readonly NeighborActivation[];
}

export interface NetworkIntent {
  /** Canonical prefix text, e.g. `4.4.4.100/32`. */
  readonly prefix: string;
  readonly routeMap: string;
}

export interface NeighborActivation {
  readonly target: string;
  readonly routeMapIn: string;
  readonly routeMapOut: string;
}

export interface NeighborIntent {
  /** `<address|interface>[-<vrf>]`: stable, unique per node, the stem of its route-map names. */
  readonly id: string;
  /** What follows `neighbor`: the peer address, or the interface of an unnumbered peer. */
  readonly target: string;
  readonly isInterface: boolean;
  /** BGPPeer names (`namespace/name`) this neighbor comes from. */
  readonly peers: readonly string[];
  /** `64501`, `internal` or `external`. */
  readonly remoteAs: string;
  readonly localAs: number | null;
  /** Only when not FRR's default 179 (FRR hides `port 179` in its running config). */
  readonly port: number | null;
  readonly bfdProfile: string | null;
  /** Cleartext, or `<redacted>` when rendering for review. */
  readonly password: string | null;
  readonly ebgpMultihop: boolean;
  /** The TTL FRR prints after `ebgp-multihop` for this release, or null for the bare keyword. */
  readonly ebgpMultihopTtl: number | null;
  readonly updateSource: string | null;
  readonly timers: { readonly keepalive: number; readonly hold: number } | null;
  readonly connectTime: number | null;
  readonly gracefulRestart: boolean;
  readonly disableConnectedCheck: boolean;
  readonly ipv4: boolean;
  readonly ipv6: boolean;
  readonly routeMapIn: string;
  /** The seq of the inbound route-map's one `deny` entry (`INBOUND_DENY_SEQ`). */
  readonly routeMapInDenySeq: number;
  readonly routeMapOut: string;
  /** The seq of the outbound route-map's final `deny` (`FINAL_DENY_SEQ`), after every entry. */
  readonly routeMapOutDenySeq: number;
  /** Outbound route-map entries, sorted by seq. */
  readonly outEntries: readonly OutEntry[];
  /** What this neighbor is meant to receive, for `explain` and status. Sorted by prefix. */
  readonly announced: readonly AnnouncedPrefix[];
}

export interface OutEntry {
  /** `outboundSeq(tag)`. */
  readonly seq: number;
  readonly tag: number;
  /** Space-separated, in the release's canonical form (well-known values by name), or null. */
  readonly communities: string | null;
  readonly largeCommunities: string | null;
  readonly localPref: number | null;
}

export interface AnnouncedPrefix {
  readonly prefix: string;
  readonly family: 'ipv4' | 'ipv6';
  readonly tag: number;
  /** Services (`namespace/name`) whose IPs this prefix carries. */
  readonly services: readonly string[];
}

export interface BfdProfileIntent {
  readonly name: string;
  /** null = FRR's default, not rendered (FRR hides defaults, so rendering them would never converge). */
  readonly receiveInterval: number | null;
  readonly transmitInterval: number | null;
  readonly detectMultiplier: number | null;
  readonly echoMode: boolean;
  readonly echoInterval: number | null;
  readonly passiveMode: boolean;
  readonly minimumTtl: number | null;
}
