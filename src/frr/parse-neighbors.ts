/**
 * `show bgp vrf all neighbors json` (and `show bgp [vrf X] neighbors json`) as typed records.
 *
 * Shape on FRR 8.4.4 (`fixtures/vtysh/8.4.4/bgp-vrf-all-neighbors-*.json`): an object keyed by VRF
 * name, each holding `vrfId`, `vrfName` and one entry per neighbor keyed by its address, or by the
 * interface name for an unnumbered (`neighbor IF interface`) peer. The single-VRF command prints
 * the neighbor entries at the top level. Missing or retyped fields become `'unknown'`.
 */
import { type Json, UNKNOWN, type Unknown, num, obj, pick, str } from './parse-json.js';

export type AddressFamily = 'ipv4' | 'ipv6';

export interface NeighborFamily {
  /** `advertisedAndReceived` in the capabilities: both ends speak the family. */
  readonly negotiated: boolean | Unknown;
  /** Prefixes sent (`sentPrefixCounter`); `'unknown'` when FRR does not print it. */
  readonly sentPrefixes: number | Unknown;
  readonly acceptedPrefixes: number | Unknown;
}

export interface NeighborBfd {
  /** `peerBfdInfo.status` as FRR prints it (`Up`, `Down`, ...). */
  readonly status: string | Unknown;
  /** `single hop` / `multi hop`. */
  readonly type: string | Unknown;
}

/** The states FRR prints for a BGP session (bgpd's `bgp_status_msg`). */
export const BGP_STATES = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established', 'Clearing', 'Deleted'] as const;
export type BgpState = (typeof BGP_STATES)[number] | Unknown;

function bgpState(text: string | undefined): BgpState {
  return (BGP_STATES as readonly string[]).includes(text ?? '') ? (text as BgpState) : UNKNOWN;
}

export interface BgpNeighbor {
  /** FRR's VRF name: `default` for the default VRF. */
  readonly vrf: string;
  /** FRR's key: the address, or the interface name of an unnumbered neighbor. */
  readonly id: string;
  readonly isInterface: boolean;
  /** The peer's address (`bgpNeighborAddr` for interface peers: its link-local address). */
  readonly address: string | Unknown;
  /** FRR's session state (`bgp_status_msg`), or `'unknown'` for anything else: a closed set, so every check against it is type-checked. */
  readonly state: BgpState;
  readonly established: boolean;
  readonly remoteAs: number | Unknown;
  readonly localAs: number | Unknown;
  /** Milliseconds since the session came up (only while Established). */
  readonly uptimeMs: number | Unknown;
  readonly holdTimeMs: number | Unknown;
  readonly keepaliveMs: number | Unknown;
  readonly connectionsEstablished: number | Unknown;
  readonly connectionsDropped: number | Unknown;
  /** FRR's words for the last reset; undefined when FRR does not say (a check for it is type-checked, unlike a sentinel string). */
  readonly lastResetDueTo: string | undefined;
  /** Families configured (`addressFamilyInfo`): only these have advertised routes. */
  readonly families: Readonly<Partial<Record<AddressFamily, NeighborFamily>>>;
  /** `null`: BFD is not configured for this neighbor. */
  readonly bfd: NeighborBfd | null;
}

const FAMILY_KEYS: Record<AddressFamily, readonly string[]> = {
  ipv4: ['ipv4Unicast', 'IPv4 Unicast', 'ipv4unicast'],
  ipv6: ['ipv6Unicast', 'IPv6 Unicast', 'ipv6unicast'],
};

/** An interface name rather than an address: no `.`/`:` in it. */
export function isInterfaceKey(id: string): boolean {
  return !id.includes('.') && !id.includes(':');
}

function looksLikeNeighbor(v: unknown): v is Json {
  const o = obj(v);
  return o !== undefined && (o.bgpState !== undefined || o.remoteAs !== undefined || o.state !== undefined || o.bgpNeighborAddr !== undefined);
}

function negotiated(caps: Json | undefined, key: string): boolean | Unknown {
  const mp = obj(caps?.multiprotocolExtensions);
  if (mp === undefined) return UNKNOWN;
  const af = mp[key];
  if (af === undefined) return false;
  const o = obj(af);
  if (o !== undefined) return o.advertisedAndReceived === true;
  if (typeof af === 'string') return af === 'advertisedAndReceived';
  return UNKNOWN;
}

function parseFamily(n: Json, family: AddressFamily): NeighborFamily | undefined {
  const afi = obj(n.addressFamilyInfo);
  const key = FAMILY_KEYS[family].find((k) => afi?.[k] !== undefined);
  if (afi === undefined || key === undefined) return undefined;
  const info = obj(afi[key]) ?? {};
  return {
    negotiated: negotiated(obj(n.neighborCapabilities), FAMILY_KEYS[family][0]!),
    sentPrefixes: num(pick(info, 'sentPrefixCounter', 'prefixSentCount')) ?? UNKNOWN,
    acceptedPrefixes: num(pick(info, 'acceptedPrefixCounter', 'pfxRcd')) ?? UNKNOWN,
  };
}

export function parseNeighbor(vrf: string, id: string, raw: unknown): BgpNeighbor {
  const n = obj(raw) ?? {};
  const state = bgpState(str(pick(n, 'bgpState', 'state', 'peerState')));
  const bfdInfo = obj(n.peerBfdInfo);
  const families: Partial<Record<AddressFamily, NeighborFamily>> = {};
  for (const f of ['ipv4', 'ipv6'] as const) {
    const fam = parseFamily(n, f);
    if (fam !== undefined) families[f] = fam;
  }
  return {
    vrf,
    id,
    isInterface: isInterfaceKey(id),
    address: str(n.bgpNeighborAddr) ?? (isInterfaceKey(id) ? UNKNOWN : id),
    state,
    established: state === 'Established',
    remoteAs: num(n.remoteAs) ?? UNKNOWN,
    localAs: num(n.localAs) ?? UNKNOWN,
    uptimeMs: state === 'Established' ? (num(n.bgpTimerUpMsec) ?? UNKNOWN) : UNKNOWN,
    holdTimeMs: num(n.bgpTimerHoldTimeMsecs) ?? UNKNOWN,
    keepaliveMs: num(n.bgpTimerKeepAliveIntervalMsecs) ?? UNKNOWN,
    connectionsEstablished: num(n.connectionsEstablished) ?? UNKNOWN,
    connectionsDropped: num(n.connectionsDropped) ?? UNKNOWN,
    lastResetDueTo: str(n.lastResetDueTo),
    families,
    bfd: bfdInfo === undefined ? null : { status: str(bfdInfo.status) || UNKNOWN, type: str(bfdInfo.type) ?? UNKNOWN },
  };
}

/** The neighbors of one VRF's object (`show bgp [vrf X] neighbors json`). */
export function parseVrfNeighbors(raw: unknown, vrf = 'default'): BgpNeighbor[] {
  const o = obj(raw) ?? {};
  const name = str(o.vrfName) ?? vrf;
  return Object.entries(o)
    .filter(([, v]) => looksLikeNeighbor(v))
    .map(([id, v]) => parseNeighbor(name, id, v))
    .sort(compareNeighbors);
}

/** `show bgp vrf all neighbors json`: every VRF's neighbors, default VRF first. */
export function parseAllNeighbors(raw: unknown): BgpNeighbor[] {
  const o = obj(raw) ?? {};
  // A single-VRF answer (neighbors at the top level) is accepted too.
  if (Object.values(o).some(looksLikeNeighbor)) return parseVrfNeighbors(o);
  return Object.entries(o)
    .flatMap(([vrf, v]) => (obj(v) ? parseVrfNeighbors(v, vrf) : []))
    .sort(compareNeighbors);
}

export function compareNeighbors(a: BgpNeighbor, b: BgpNeighbor): number {
  const va = a.vrf === 'default' ? '' : a.vrf;
  const vb = b.vrf === 'default' ? '' : b.vrf;
  if (va !== vb) return va < vb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
