import { FINAL_DENY_SEQ, INBOUND_DENY_SEQ } from './tags.js';
import type { Peer } from '../api/model.js';
import type { FrrForms } from './frr-release.js';
import type { NeighborIntent } from './model.js';
import { neighborId } from './node-peers.js';

export const REDACTED = '<redacted>';
const FRR_DEFAULT_PORT = 179;

export type NeighborSession = Omit<NeighborIntent, 'outEntries' | 'announced'>;

/** Session lines of one peer: everything about the neighbor except what it is sent. */
export function neighborSession(peer: Peer, password: string | null, redact: boolean, forms: FrrForms): NeighborSession {
  const id = neighborId(peer);
  const ebgp = isEbgp(peer);
  // Families come from the peer's configuration only, never from what is announced today:
  // activating a family later would reset the session (metallb#1715).
  const dual = peer.interface !== undefined || peer.dualStackAddressFamily;
  const ipv4 = dual || peer.addressFamily === 'ipv4';
  const ipv6 = dual || peer.addressFamily === 'ipv6';
  return {
    id,
    target: peer.address ?? peer.interface ?? '',
    isInterface: peer.interface !== undefined,
    peers: [`${peer.ref.namespace}/${peer.ref.name}`],
    remoteAs: peer.peerASN.kind === 'number' ? String(peer.peerASN.asn) : peer.peerASN.kind,
    localAs: peer.localASN ?? null,
    port: peer.port === FRR_DEFAULT_PORT ? null : peer.port,
    bfdProfile: peer.bfdProfile ?? null,
    password: password === null ? null : redact ? REDACTED : password,
    // FRR ignores ebgp-multihop on an iBGP session and never shows it (dynamicASN internal with
    // ebgpMultiHop, which MetalLB accepts): writing it would be a line FRR does not run.
    ebgpMultihop: peer.ebgpMultiHop && ebgp,
    ebgpMultihopTtl: peer.ebgpMultiHop && ebgp ? forms.ebgpMultihopTtl : null,
    updateSource: peer.sourceAddress ?? null,
    timers: peer.timers ? { keepalive: peer.timers.keepaliveSeconds, hold: peer.timers.holdSeconds } : null,
    connectTime: peer.connectTimeSeconds ?? null,
    gracefulRestart: peer.enableGracefulRestart,
    // MetalLB's rule: a single-hop eBGP session to a global IPv6 address is often not on a
    // connected subnet of the node, so FRR's connected check would keep it down.
    disableConnectedCheck: !dual && peer.addressFamily === 'ipv6' && !peer.ebgpMultiHop && ebgp,
    ipv4,
    ipv6,
    routeMapIn: `${id}-in`,
    routeMapInDenySeq: INBOUND_DENY_SEQ,
    routeMapOut: `${id}-out`,
    routeMapOutDenySeq: FINAL_DENY_SEQ,
  };
}

function isEbgp(peer: Peer): boolean {
  if (peer.peerASN.kind === 'external') return true;
  if (peer.peerASN.kind === 'internal') return false;
  return peer.peerASN.asn !== peer.myASN;
}
