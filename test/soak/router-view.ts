/**
 * What the router holds, read fast enough to poll every 150 ms: the whole IPv4 table with every
 * path's attributes in one vtysh call (`show bgp ipv4 unicast detail json`; 8.4 spells it `json
 * detail`), and the session counters of the speaker's neighbor.
 */
import { numericCommunity, parsePath, sortCommunities } from '../harness/bgp-state.js';
import type { FrrInstance } from '../harness/frr-instance.js';
import type { ExpectedPrefix } from './model.js';

export interface HeldPrefix extends ExpectedPrefix {
  /** Paths the router has for it (one: the speaker). */
  readonly paths: number;
  readonly valid: boolean;
}

function tableCommand(router: FrrInstance): string {
  return router.installation.release.major >= 10 ? 'show bgp ipv4 unicast detail json' : 'show bgp ipv4 unicast json detail';
}

/** Every prefix of the router's IPv4 table with its communities. */
export async function heldRoutes(router: FrrInstance): Promise<HeldPrefix[]> {
  return parseHeldRoutes(await router.showJson(tableCommand(router)));
}

/**
 * 8.4's `json detail` opens each prefix's list with a header of the prefix itself (`prefix`,
 * `version`, `advertisedTo`), before the paths; 10.3's `detail json` lists the paths only.
 */
function isPrefixHeader(entry: unknown): boolean {
  if (typeof entry !== 'object' || entry === null) return false;
  const e = entry as Record<string, unknown>;
  return 'prefix' in e && !('nexthops' in e) && !('aspath' in e) && !('valid' in e);
}

/** The table of `show bgp ipv4 unicast detail json` (10.3) or `... json detail` (8.4), parsed. */
export function parseHeldRoutes(json: unknown): HeldPrefix[] {
  const raw = (typeof json === 'object' && json !== null ? json : {}) as { routes?: Record<string, unknown> };
  const out: HeldPrefix[] = [];
  for (const [prefix, paths] of Object.entries(raw.routes ?? {})) {
    const list = (Array.isArray(paths) ? paths : []).filter((p) => !isPrefixHeader(p)).map(parsePath);
    const first = list[0];
    out.push({
      prefix,
      paths: list.length,
      valid: list.every((p) => p.valid),
      communities: sortCommunities((first?.communities ?? []).map(numericCommunity)),
      largeCommunities: sortCommunities(first?.largeCommunities ?? []),
    });
  }
  return out.sort((a, b) => a.prefix.localeCompare(b.prefix, 'en', { numeric: true }));
}

function fmt(p: ExpectedPrefix): string {
  const parts = [p.prefix];
  if (p.communities.length > 0) parts.push(`[${p.communities.join(' ')}]`);
  if (p.largeCommunities.length > 0) parts.push(`large [${p.largeCommunities.join(' ')}]`);
  return parts.join(' ');
}

/** Differences between what the router holds and what it should, one short line each; empty when equal. */
export function routeDifferences(held: readonly HeldPrefix[], expected: readonly ExpectedPrefix[]): string[] {
  const diffs: string[] = [];
  const byPrefix = new Map(held.map((h) => [h.prefix, h]));
  for (const e of expected) {
    const h = byPrefix.get(e.prefix);
    if (h === undefined) diffs.push(`missing ${fmt(e)}`);
    else if (fmt(h) !== fmt(e) || h.paths !== 1 || !h.valid) diffs.push(`has ${fmt(h)}${h.paths !== 1 ? ` (${h.paths} paths)` : ''}${h.valid ? '' : ' (invalid)'}, expected ${fmt(e)}`);
  }
  const wanted = new Set(expected.map((e) => e.prefix));
  for (const h of held) if (!wanted.has(h.prefix)) diffs.push(`unexpected ${fmt(h)}`);
  return diffs;
}

export function formatPrefixes(list: readonly ExpectedPrefix[]): string {
  return list.length === 0 ? '(nothing)' : list.map(fmt).join(', ');
}

export interface SessionSample {
  readonly at: number;
  readonly state: string;
  readonly established: number;
  readonly dropped: number;
  /** FRR's `lastResetDueTo`: why the session last went down (the cause of a reset, in a violation). */
  readonly lastReset?: string;
  /**
   * The router's BFD session to the neighbor when the counters moved since the previous sample:
   * its state and both diagnostics (`neighbor-down` locally with `control-expired` remotely: the
   * neighbor stopped hearing the router's BFD packets).
   */
  readonly bfd?: string;
}

/** The router's session to `neighbor`: state and the counters a reset increments. */
export async function sessionSample(router: FrrInstance, neighbor: string): Promise<SessionSample> {
  const raw = (await router.showJson(`show bgp neighbors ${neighbor} json`)) as Record<string, Record<string, unknown> | undefined>;
  const n = raw[neighbor] ?? {};
  const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
  return {
    at: Date.now(),
    state: typeof n.bgpState === 'string' ? n.bgpState : 'absent',
    established: num(n.connectionsEstablished),
    dropped: num(n.connectionsDropped),
    ...(typeof n.lastResetDueTo === 'string' ? { lastReset: resetCause(n) } : {}),
  };
}

/** `lastResetDueTo`, with the NOTIFICATION's reason and code when FRR gives them (hold timer, BFD down, ...). */
function resetCause(n: Record<string, unknown>): string {
  const parts = [String(n.lastResetDueTo)];
  if (typeof n.lastNotificationReason === 'string') parts.push(n.lastNotificationReason);
  if (typeof n.lastErrorCodeSubcode === 'string') parts.push(`code ${n.lastErrorCodeSubcode}`);
  return parts.join(', ');
}

/** The router's BFD peer `neighbor`: status and the local and remote diagnostics, one short text. */
export async function bfdPeerState(router: FrrInstance, neighbor: string): Promise<string> {
  const raw = (await router.showJson('show bfd peers json')) as unknown;
  const peers = Array.isArray(raw) ? (raw as Record<string, unknown>[]) : [];
  const p = peers.find((x) => x.peer === neighbor);
  if (p === undefined) return 'no BFD peer';
  const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '-');
  return `BFD ${str(p.status)}, diagnostic ${str(p.diagnostic)}, remote diagnostic ${str(p['remote-diagnostic'])}, down ${str(p.downtime)} s ago`;
}
