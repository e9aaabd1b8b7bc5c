/**
 * What an FRR instance holds, read through `vtysh ... json` and parsed into small typed records.
 * The parsers tolerate missing fields (FRR omits empty attributes, and field sets differ between
 * releases): a missing value becomes `undefined` or an empty list, never an exception.
 */
import type { FrrInstance } from './frr-instance.js';

export type Family = 'ipv4' | 'ipv6';

/** One path of a received prefix, from `show bgp [vrf X] <afi> unicast <prefix> json`. */
export interface ReceivedPath {
  /** The neighbor the path came from (`peer.peerId`; an interface peer shows its link-local). */
  readonly peer: string;
  readonly asPath: string;
  readonly origin: string | undefined;
  readonly med: number | undefined;
  /** Present on iBGP paths (LOCAL_PREF is not sent over eBGP). */
  readonly localPref: number | undefined;
  /** Standard communities, numeric (`65535:65282`, not `no-advertise`), sorted. */
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  readonly nextHops: readonly string[];
  readonly valid: boolean;
  readonly best: boolean;
}

export interface ReceivedRoute {
  readonly prefix: string;
  readonly paths: readonly ReceivedPath[];
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}
function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** FRR prints well-known communities by name; tests (and MetalLB's CRs) use numbers. */
const WELL_KNOWN: Readonly<Record<string, string>> = {
  'graceful-shutdown': '65535:0',
  'accept-own': '65535:1',
  'route-filter-translated-v4': '65535:2',
  'route-filter-v4': '65535:3',
  'route-filter-translated-v6': '65535:4',
  'route-filter-v6': '65535:5',
  'llgr-stale': '65535:6',
  'no-llgr': '65535:7',
  'accept-own-nexthop': '65535:8',
  blackhole: '65535:666',
  'no-export': '65535:65281',
  'no-advertise': '65535:65282',
  'local-AS': '65535:65283',
  'no-peer': '65535:65284',
};

export function numericCommunity(community: string): string {
  return WELL_KNOWN[community] ?? community;
}

function words(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((w) => w !== '');
}

/** Sorts communities numerically (`64500:7` before `65535:65282`), as sets. */
export function sortCommunities(list: readonly string[]): string[] {
  const key = (c: string): number[] => c.split(':').map(Number);
  return [...list].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
      const d = (ka[i] ?? 0) - (kb[i] ?? 0);
      if (d !== 0) return d;
    }
    return a.localeCompare(b);
  });
}

export function parsePath(raw: unknown): ReceivedPath {
  const p = obj(raw) ?? {};
  const aspath = obj(p.aspath);
  const bestpath = p.bestpath;
  return {
    peer: str(obj(p.peer)?.peerId) ?? '?',
    // FRR shows an empty AS path (iBGP, locally originated) as "Local".
    asPath: ((a) => (a === 'Local' ? '' : a))(str(aspath?.string) ?? ''),
    origin: str(p.origin),
    med: num(p.metric),
    localPref: num(p.locPrf) ?? num(p.localpref) ?? num(p.localPref),
    communities: sortCommunities(words(str(obj(p.community)?.string)).map(numericCommunity)),
    largeCommunities: sortCommunities(words(str(obj(p.largeCommunity)?.string))),
    nextHops: arr(p.nexthops).map((n) => str(obj(n)?.ip) ?? '?'),
    valid: p.valid === true,
    best: bestpath === true || obj(bestpath)?.overall === true,
  };
}

/** `show bgp ... <prefix> json` (detail of one prefix); `undefined` when the prefix is not there. */
export function parsePrefixDetail(raw: unknown): ReceivedRoute | undefined {
  const o = obj(raw);
  const prefix = str(o?.prefix);
  if (o === undefined || prefix === undefined) return undefined;
  return { prefix, paths: arr(o.paths).map(parsePath) };
}

/** Prefixes of `show bgp [vrf X] <afi> unicast json` (the table of every prefix). */
export function parseTablePrefixes(raw: unknown): string[] {
  return Object.keys(obj(obj(raw)?.routes) ?? {}).sort();
}

function vrfPart(vrf: string | undefined): string {
  return vrf === undefined ? '' : ` vrf ${vrf}`;
}

/** Every prefix in the instance's BGP table for a family, with its paths' attributes. */
export async function receivedRoutes(frr: FrrInstance, family: Family, vrf?: string): Promise<ReceivedRoute[]> {
  const table = await frr.showJson(`show bgp${vrfPart(vrf)} ${family} unicast json`);
  const routes: ReceivedRoute[] = [];
  for (const prefix of parseTablePrefixes(table)) {
    const detail = parsePrefixDetail(await frr.showJson(`show bgp${vrfPart(vrf)} ${family} unicast ${prefix} json`));
    if (detail !== undefined) routes.push(detail);
  }
  return routes;
}

/** A BGP neighbor as `show bgp [vrf X] neighbors json` shows it. */
export interface NeighborState {
  /** The key FRR uses: the address, or the interface name of an interface peer. */
  readonly id: string;
  readonly state: string;
  readonly remoteAs: number | undefined;
  readonly localAs: number | undefined;
  readonly connectionsEstablished: number;
  readonly connectionsDropped: number;
  readonly holdTimeMsecs: number | undefined;
  readonly keepaliveMsecs: number | undefined;
  /** Graceful restart mode the neighbor announced (`Restart`, `Helper`, `Disable`...). */
  readonly remoteGrMode: string | undefined;
  readonly lastResetDueTo: string | undefined;
  readonly remoteRouterId: string | undefined;
}

export function parseNeighbors(raw: unknown): NeighborState[] {
  const o = obj(raw) ?? {};
  return Object.entries(o)
    .filter(([, v]) => obj(v)?.bgpState !== undefined)
    .map(([id, v]) => {
      const n = obj(v) ?? {};
      return {
        id,
        state: str(n.bgpState) ?? '?',
        remoteAs: num(n.remoteAs),
        localAs: num(n.localAs),
        connectionsEstablished: num(n.connectionsEstablished) ?? 0,
        connectionsDropped: num(n.connectionsDropped) ?? 0,
        holdTimeMsecs: num(n.bgpTimerHoldTimeMsecs),
        keepaliveMsecs: num(n.bgpTimerKeepAliveIntervalMsecs),
        remoteGrMode: str(obj(n.gracefulRestartInfo)?.remoteGrMode),
        lastResetDueTo: str(n.lastResetDueTo),
        remoteRouterId: str(n.remoteRouterId),
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

export async function neighbors(frr: FrrInstance, vrf?: string): Promise<NeighborState[]> {
  return parseNeighbors(await frr.showJson(`show bgp${vrfPart(vrf)} neighbors json`));
}

/** A BFD session as `show bfd peers json` shows it. */
export interface BfdPeerState {
  readonly peer: string;
  readonly status: string;
  readonly vrf: string | undefined;
  readonly interface: string | undefined;
  readonly receiveInterval: number | undefined;
  readonly transmitInterval: number | undefined;
  readonly detectMultiplier: number | undefined;
  readonly echoReceiveInterval: number | undefined;
  readonly remoteReceiveInterval: number | undefined;
  readonly remoteTransmitInterval: number | undefined;
  readonly remoteDetectMultiplier: number | undefined;
  readonly passiveMode: boolean | undefined;
}

export function parseBfdPeers(raw: unknown): BfdPeerState[] {
  return arr(raw).map((entry) => {
    const p = obj(entry) ?? {};
    return {
      peer: str(p.peer) ?? '?',
      status: str(p.status) ?? '?',
      vrf: str(p.vrf),
      interface: str(p.interface),
      receiveInterval: num(p['receive-interval']),
      transmitInterval: num(p['transmit-interval']),
      detectMultiplier: num(p['detect-multiplier']),
      echoReceiveInterval: num(p['echo-receive-interval']) ?? num(p['echo-interval']),
      remoteReceiveInterval: num(p['remote-receive-interval']),
      remoteTransmitInterval: num(p['remote-transmit-interval']),
      remoteDetectMultiplier: num(p['remote-detect-multiplier']),
      passiveMode: typeof p['passive-mode'] === 'boolean' ? (p['passive-mode'] as boolean) : undefined,
    };
  });
}

export async function bfdPeers(frr: FrrInstance): Promise<BfdPeerState[]> {
  return parseBfdPeers(await frr.showJson('show bfd peers json'));
}
