/**
 * Per service and peer: did FRR really advertise each prefix (from the advertised-routes JSON),
 * and if not, why. Pure: intent (latest and applied), reconciler status and FRR state in, records out.
 *
 * Checks run from the intent towards the wire, and the first that fails gives the reason:
 * service not announced from this node (MetalLB's reason) -> neighbor not selected / family ->
 * FRR's config does not have it yet (apply pending or failed, or config invalid) -> FRR: neighbor
 * missing, session down, family not negotiated -> present in advertised-routes or not.
 */
import { advertisedKey, type FrrNeighbor, type FrrState } from '../frr/frr-state.js';
import { failedApplyOutcome, type ReconcilerStatus } from '../reconciler/status.js';
import type { NotAnnouncedReason } from '../intent/announce.js';
import type { Family, IntentSnapshot, IntentView, NeighborView } from './intent-view.js';

/**
 * Why a prefix does not reach a peer: the intent's reasons (`NotAnnouncedReason`, the same values),
 * then the ones between the intent and the wire.
 */
export type ExplainReason =
  | 'serviceNotFound'
  | 'configInvalid'
  | NotAnnouncedReason
  | 'peerNotSelected'
  | 'familyMismatch'
  | 'notApplied'
  | 'frrUnreachable'
  | 'neighborNotInFrr'
  | 'noSession'
  | 'familyNotNegotiated'
  | 'notSentByFrr';

export interface PrefixVerdict {
  readonly prefix: string;
  readonly family: Family;
  /** `'unknown'` when FRR could not be asked. */
  readonly advertised: boolean | 'unknown';
  readonly reason: ExplainReason | null;
  readonly detail: string;
}

export interface PeerExplain {
  readonly vrf: string;
  readonly neighbor: string;
  readonly peers: readonly string[];
  readonly session: string;
  readonly bfd: string;
  readonly prefixes: readonly PrefixVerdict[];
}

export interface ServiceExplain {
  readonly version: 1;
  readonly node: string;
  readonly service: string;
  readonly found: boolean;
  /** Whether this node announces it at all (MetalLB's decision), with the reason when not. */
  readonly announced: boolean;
  readonly reason: ExplainReason | null;
  readonly detail: string;
  readonly pool: string | null;
  readonly advertisements: readonly string[];
  readonly configValid: boolean;
  readonly peers: readonly PeerExplain[];
}

const norm = (s: string): string => s.toLowerCase();

export function findFrrNeighbor(state: FrrState, n: Pick<NeighborView, 'vrf' | 'target'>): FrrNeighbor | undefined {
  return state.neighbors.find((x) => x.vrf === n.vrf && norm(x.id) === norm(n.target));
}

function sameNeighbor(a: NeighborView, b: NeighborView): boolean {
  return a.vrf === b.vrf && norm(a.target) === norm(b.target);
}

function hostPrefix(ip: string, family: Family): string {
  return `${ip}/${family === 'ipv4' ? 32 : 128}`;
}


function describeApply(status: ReconcilerStatus): string {
  const a = status.apply;
  if (a === undefined) return 'no config applied to FRR yet';
  if (a.result === 'failure') {
    // What FRR runs is said only as far as the apply verified it.
    const after = failedApplyOutcome(status);
    return `the last apply failed (${a.stage ?? 'reload'}): ${a.description}${after ? `; ${after.text}` : ''}`;
  }
  return 'the new config is being applied';
}

export function explainService(snapshot: IntentSnapshot, state: FrrState | undefined, service: string): ServiceExplain {
  const { latest, applied, status } = snapshot;
  const configValid = latest?.valid ?? false;
  const decision: IntentView | null = latest?.valid ? latest : applied;
  const svc = latest?.services.find((s) => s.service === service) ?? applied?.services.find((s) => s.service === service);
  const base = {
    version: 1 as const,
    node: snapshot.node,
    service,
    configValid,
  };
  if (svc === undefined) {
    const why = latest === null ? 'the sidecar has not rendered yet' : `no Service ${service} is known to the sidecar (or it is not in its namespace filter)`;
    return { ...base, found: false, announced: false, reason: 'serviceNotFound', detail: why, pool: null, advertisements: [], peers: [] };
  }
  const neighbors = decision?.neighbors ?? [];

  // The service's prefixes: what any neighbor is meant to receive for it, else its IPs as host routes.
  const prefixes = new Map<string, Family>();
  for (const n of neighbors) for (const a of n.announced) if (a.services.includes(service)) prefixes.set(a.prefix, a.family);
  if (prefixes.size === 0) for (const i of svc.ingress) prefixes.set(hostPrefix(i.ip, i.family), i.family);
  const sorted = [...prefixes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  const peers: PeerExplain[] = neighbors.map((n) => {
    const frrN = state?.reachable ? findFrrNeighbor(state, n) : undefined;
    const appliedN = applied?.neighbors.find((x) => sameNeighbor(x, n));
    const verdicts = sorted.map(([prefix, family]): PrefixVerdict => {
      const no = (reason: ExplainReason, detail: string, advertised: boolean | 'unknown' = false): PrefixVerdict => ({ prefix, family, advertised, reason, detail });
      if (!svc.announced) return no(svc.reason, svc.detail);
      const intended = n.announced.some((a) => a.prefix === prefix && a.services.includes(service));
      if (!intended) {
        if (!n[family]) return no('familyMismatch', `neighbor ${n.target} is not ${family === 'ipv4' ? 'IPv4' : 'IPv6'} (BGPPeer without dualStackAddressFamily)`);
        if (!configValid) return no('configInvalid', 'the configuration is invalid; FRR keeps the last good config, which does not send it');
        const limited = svc.advertisements.filter((a) => a.peers.length > 0).map((a) => `${a.name} (peers: ${a.peers.join(', ')})`);
        return no('peerNotSelected', `the BGPAdvertisements of the service do not select ${n.peers.join(', ')}${limited.length ? `: ${limited.join('; ')}` : ''}`);
      }
      if (!appliedN?.announced.some((a) => a.prefix === prefix)) {
        return configValid ? no('notApplied', describeApply(status)) : no('configInvalid', 'the configuration is invalid; FRR keeps the last good config, which does not send it');
      }
      if (state === undefined || !state.reachable) return no('frrUnreachable', `FRR did not answer: ${state?.errors[0] ?? 'not asked'}`, 'unknown');
      if (frrN === undefined) return no('neighborNotInFrr', `FRR has no neighbor ${n.target}${n.vrf === 'default' ? '' : ` in VRF ${n.vrf}`}`);
      if (!frrN.established) {
        const why = frrN.lastResetDueTo !== undefined ? `, last reset: ${frrN.lastResetDueTo}` : '';
        return no('noSession', `session is ${frrN.state}${why}${frrN.bfdStatus === 'N/A' ? '' : `, BFD ${frrN.bfdStatus}`}`);
      }
      const fam = frrN.families[family];
      if (fam === undefined) return no('familyMismatch', `${family} unicast is not activated for ${n.target} in FRR`);
      if (fam.negotiated === false) return no('familyNotNegotiated', `the peer did not accept ${family} unicast (multiprotocol capability not received)`);
      const adv = state.advertised[advertisedKey(frrN.vrf, frrN.id, family)];
      if (adv === undefined || adv.kind !== 'routes') {
        return no('notSentByFrr', `advertised routes unknown: ${adv === undefined ? 'not read' : adv.message}`, 'unknown');
      }
      if (adv.prefixes.includes(prefix)) return { prefix, family, advertised: true, reason: null, detail: configValid ? '' : 'advertised by the last good config (current config invalid)' };
      return no('notSentByFrr', 'session up and configured, but FRR did not send it (route not in the BGP table, or filtered by the outbound route-map)');
    });
    return { vrf: n.vrf, neighbor: n.target, peers: n.peers, session: frrN?.state ?? (state?.reachable ? 'absent' : 'unknown'), bfd: frrN?.bfdStatus ?? 'unknown', prefixes: verdicts };
  });

  return {
    ...base,
    found: true,
    announced: svc.announced,
    reason: svc.announced ? (decision === null ? 'configInvalid' : null) : svc.reason,
    detail: svc.announced ? '' : svc.detail,
    pool: svc.pool,
    advertisements: svc.advertisements.map((a) => a.name),
    peers,
  };
}

/** `frr-renderer status`: sessions, BFD, prefixes sent per neighbor, the last conversion and reload. */
export interface StatusReport {
  readonly version: 1;
  readonly node: string;
  readonly frr: { readonly version: string; readonly reachable: boolean; readonly errors: readonly string[] };
  /** The release the sidecar renders for (null when no sidecar answered). */
  readonly renderedFor: ReconcilerStatus['frr'] | null;
  readonly conversion: ReconcilerStatus['conversion'] | null;
  readonly reload: ReconcilerStatus['apply'] | null;
  readonly sessions: readonly SessionReport[];
  readonly bfdPeers: readonly { readonly vrf: string; readonly peer: string; readonly status: string; readonly diagnostic: string }[];
}

export interface SessionReport {
  readonly vrf: string;
  readonly neighbor: string;
  readonly address: string;
  readonly peers: readonly string[];
  readonly state: string;
  readonly uptimeMs: number | 'unknown';
  readonly bfd: string;
  /** Absent when FRR did not say. */
  readonly lastResetDueTo?: string;
  /** Per family: prefixes sent (from advertised-routes), and those the config means to send but FRR did not. */
  readonly families: readonly {
    readonly family: Family;
    readonly negotiated: boolean | 'unknown';
    readonly sent: readonly string[] | 'unknown';
    readonly missing: readonly string[];
  }[];
}

export function statusReport(snapshot: IntentSnapshot | null, state: FrrState): StatusReport {
  const intentNeighbors = snapshot?.applied?.neighbors ?? [];
  const sessions: SessionReport[] = state.neighbors.map((n) => {
    const intended = intentNeighbors.find((x) => x.vrf === n.vrf && norm(x.target) === norm(n.id));
    const families = (['ipv4', 'ipv6'] as const).flatMap((family) => {
      const f = n.families[family];
      if (f === undefined) return [];
      const adv = state.advertised[advertisedKey(n.vrf, n.id, family)];
      const sent = adv?.kind === 'routes' ? adv.prefixes : n.established ? ('unknown' as const) : [];
      const want = intended?.announced.filter((a) => a.family === family).map((a) => a.prefix) ?? [];
      const missing = sent === 'unknown' ? [] : want.filter((p) => !sent.includes(p));
      return [{ family, negotiated: f.negotiated, sent, missing }];
    });
    return {
      vrf: n.vrf,
      neighbor: n.id,
      address: n.address,
      peers: intended?.peers ?? [],
      state: n.state,
      uptimeMs: n.uptimeMs,
      bfd: n.bfdStatus,
      ...(n.lastResetDueTo === undefined ? {} : { lastResetDueTo: n.lastResetDueTo }),
      families,
    };
  });
  return {
    version: 1,
    node: snapshot?.node ?? 'unknown',
    frr: { version: state.version, reachable: state.reachable, errors: state.errors },
    renderedFor: snapshot?.status.frr ?? null,
    conversion: snapshot?.status.conversion ?? null,
    reload: snapshot?.status.apply ?? null,
    sessions,
    bfdPeers: state.bfdPeers.map((p) => ({ vrf: p.vrf, peer: p.peer, status: p.status, diagnostic: p.diagnostic })),
  };
}
