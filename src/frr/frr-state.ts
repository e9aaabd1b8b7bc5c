/**
 * Reads FRR's live state through vtysh: every VRF's BGP neighbors, the BFD sessions, and (on
 * request) the prefixes each Established neighbor was really sent. Each command that fails is
 * recorded in `errors` and leaves its part empty, so one bad command never hides the rest.
 */
import type { FrrContext } from './context.js';
import { parseAdvertisedRoutes, type AdvertisedRoutes } from './parse-advertised.js';
import { parseBfdPeers, type BfdPeer } from './parse-bfd.js';
import { parseAllNeighbors, type AddressFamily, type BgpNeighbor } from './parse-neighbors.js';
import { UNKNOWN } from './parse-json.js';
import { parseFrrVersion } from './parse-version.js';
import { show, showJson } from './vtysh.js';

export interface FrrState {
  /** When it was read (ms since the epoch). */
  readonly at: number;
  readonly version: string;
  /** False when `show bgp vrf all neighbors json` failed: sessions are unknown, not absent. */
  readonly reachable: boolean;
  /** Each with its BFD status joined in once (`joinBfd`): every consumer reads `bfdStatus`. */
  readonly neighbors: readonly FrrNeighbor[];
  readonly bfdPeers: readonly BfdPeer[];
  /** Keyed by `advertisedKey(vrf, id, family)`; only read for Established neighbors. */
  readonly advertised: Readonly<Record<string, AdvertisedRoutes>>;
  /** `show running-config`, passwords redacted; only when asked for. */
  readonly runningConfig?: string;
  /** Commands that failed, one line each (redacted). */
  readonly errors: readonly string[];
}

/** A BGP neighbor with its BFD session's status, as BGPSessionState, `status` and `explain` show it. */
export interface FrrNeighbor extends BgpNeighbor {
  /**
   * `Up`, `Down`, `Init`, `AdminDown`...: the neighbor's `peerBfdInfo.status`, or, when FRR does not
   * say it there, the matching `show bfd peers` session's (capitalised like it); `N/A` without BFD.
   */
  readonly bfdStatus: string;
}

/** Joins each neighbor with its BFD session (same VRF, peer = the neighbor's key or address): done once, here. */
export function joinBfd(neighbors: readonly BgpNeighbor[], bfdPeers: readonly BfdPeer[]): FrrNeighbor[] {
  return neighbors.map((n) => ({ ...n, bfdStatus: bfdStatusOf(n, bfdPeers) }));
}

function bfdStatusOf(n: BgpNeighbor, bfdPeers: readonly BfdPeer[]): string {
  if (n.bfd !== null && n.bfd.status !== UNKNOWN && n.bfd.status !== '') return n.bfd.status;
  const peer = bfdPeers.find((p) => p.vrf === n.vrf && (p.peer === n.id || p.peer === n.address));
  if (peer !== undefined) return peer.up ? 'Up' : peer.status.charAt(0).toUpperCase() + peer.status.slice(1);
  return 'N/A';
}

export interface GatherOptions {
  /** Also read each Established neighbor's advertised routes (one vtysh call per neighbor and family). */
  readonly advertised?: boolean;
  readonly runningConfig?: boolean;
  readonly now?: () => number;
  /** Parallel vtysh calls for the advertised routes; default 4. */
  readonly concurrency?: number;
}

export function advertisedKey(vrf: string, id: string, family: AddressFamily): string {
  return `${vrf}|${id}|${family}`;
}

export function advertisedCommand(vrf: string, id: string, family: AddressFamily): string {
  const v = vrf === 'default' ? '' : ` vrf ${vrf}`;
  return `show bgp${v} ${family} unicast neighbors ${id} advertised-routes json`;
}

export async function gatherFrrState(frr: FrrContext, opts: GatherOptions = {}): Promise<FrrState> {
  const now = opts.now ?? Date.now;
  const errors: string[] = [];
  const attempt = async <T>(what: () => Promise<T>, fallback: T): Promise<{ value: T; ok: boolean }> => {
    try {
      return { value: await what(), ok: true };
    } catch (err) {
      errors.push(String((err as Error)?.message ?? err));
      return { value: fallback, ok: false };
    }
  };

  const version = await attempt(async () => parseFrrVersion(await show(frr, 'show version')), 'unknown');
  const neighbors = await attempt(async () => parseAllNeighbors(await showJson(frr, 'show bgp vrf all neighbors json')), [] as BgpNeighbor[]);
  const bfdPeers = await attempt(async () => parseBfdPeers(await showJson(frr, 'show bfd peers json')), [] as BfdPeer[]);
  const runningConfig = opts.runningConfig ? await attempt(() => show(frr, 'show running-config'), undefined) : undefined;

  const advertised: Record<string, AdvertisedRoutes> = {};
  if (opts.advertised) {
    const jobs = neighbors.value.flatMap((n) =>
      n.established ? (Object.keys(n.families) as AddressFamily[]).map((f) => ({ n, f })) : [],
    );
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const { n, f } = jobs[next++]!;
        const cmd = advertisedCommand(n.vrf, n.id, f);
        const r = await attempt(async () => parseAdvertisedRoutes(await showJson(frr, cmd)), undefined);
        advertised[advertisedKey(n.vrf, n.id, f)] = r.value ?? { kind: 'unknown', message: `vtysh -c "${cmd}" failed` };
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  }

  return {
    at: now(),
    version: version.value,
    reachable: neighbors.ok,
    neighbors: joinBfd(neighbors.value, bfdPeers.value),
    bfdPeers: bfdPeers.value,
    advertised,
    ...(runningConfig?.value !== undefined ? { runningConfig: runningConfig.value } : {}),
    errors,
  };
}
