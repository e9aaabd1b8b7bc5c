/**
 * Assertions on what a router received and on its sessions. Each one polls until the state is
 * what was expected (convergence without fixed sleeps) and, when it never gets there, fails
 * with what the router received next to what was expected.
 */
import {
  bfdPeers,
  neighbors,
  receivedRoutes,
  sortCommunities,
  type BfdPeerState,
  type Family,
  type NeighborState,
  type ReceivedPath,
  type ReceivedRoute,
} from './bgp-state.js';
import type { FrrInstance } from './frr-instance.js';
import { expectStays, pollUntil } from './wait.js';

export interface ExpectedRoute {
  readonly prefix: string;
  /** The neighbors (as the router names them: address, or link-local for interface peers) it arrives from. */
  readonly fromPeers?: readonly string[];
  readonly asPath?: string;
  /** Standard communities, numeric; default: none. */
  readonly communities?: readonly string[];
  /** Large communities `A:B:C`; default: none. */
  readonly largeCommunities?: readonly string[];
  /** Checked only when given (iBGP). `null`: must be absent. */
  readonly localPref?: number | null;
  readonly med?: number;
  readonly origin?: string;
}

export interface RouteQuery {
  readonly vrf?: string;
  readonly timeoutMs?: number;
}

function fmtPath(p: ReceivedPath): string {
  const parts = [`from ${p.peer}`, `as-path "${p.asPath}"`, `communities [${p.communities.join(' ')}]`];
  if (p.largeCommunities.length > 0) parts.push(`large-communities [${p.largeCommunities.join(' ')}]`);
  if (p.localPref !== undefined) parts.push(`local-pref ${p.localPref}`);
  if (p.med !== undefined && p.med !== 0) parts.push(`med ${p.med}`);
  if (p.origin !== undefined && p.origin !== 'IGP') parts.push(`origin ${p.origin}`);
  if (!p.valid) parts.push('INVALID');
  return parts.join(', ');
}

export function formatRoutes(routes: readonly ReceivedRoute[]): string {
  if (routes.length === 0) return '    (nothing)';
  return routes.map((r) => r.paths.map((p) => `    ${r.prefix} ${fmtPath(p)}`).join('\n')).join('\n');
}

export function formatExpected(routes: readonly ExpectedRoute[]): string {
  if (routes.length === 0) return '    (nothing)';
  return routes
    .map((e) => {
      const parts: string[] = [];
      if (e.fromPeers) parts.push(`from [${e.fromPeers.join(' ')}]`);
      if (e.asPath !== undefined) parts.push(`as-path "${e.asPath}"`);
      parts.push(`communities [${sortCommunities(e.communities ?? []).join(' ')}]`);
      parts.push(`large-communities [${sortCommunities(e.largeCommunities ?? []).join(' ')}]`);
      if (e.localPref !== undefined) parts.push(e.localPref === null ? 'no local-pref' : `local-pref ${e.localPref}`);
      if (e.med !== undefined) parts.push(`med ${e.med}`);
      if (e.origin !== undefined) parts.push(`origin ${e.origin}`);
      return `    ${e.prefix} ${parts.join(', ')}`;
    })
    .join('\n');
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Why `received` differs from `expected`, one line per difference; empty when they match. */
export function routeDifferences(received: readonly ReceivedRoute[], expected: readonly ExpectedRoute[]): string[] {
  const diffs: string[] = [];
  const byPrefix = new Map(received.map((r) => [r.prefix, r]));
  for (const e of expected) {
    const r = byPrefix.get(e.prefix);
    if (r === undefined) {
      diffs.push(`missing ${e.prefix}`);
      continue;
    }
    if (e.fromPeers) {
      const got = [...new Set(r.paths.map((p) => p.peer))].sort();
      const want = [...e.fromPeers].sort();
      if (!sameList(got, want)) diffs.push(`${e.prefix}: from [${got.join(' ')}], expected from [${want.join(' ')}]`);
    }
    for (const p of r.paths) {
      const at = `${e.prefix} from ${p.peer}`;
      if (e.asPath !== undefined && p.asPath !== e.asPath) diffs.push(`${at}: as-path "${p.asPath}", expected "${e.asPath}"`);
      const wantC = sortCommunities(e.communities ?? []);
      if (!sameList(p.communities, wantC)) diffs.push(`${at}: communities [${p.communities.join(' ')}], expected [${wantC.join(' ')}]`);
      const wantL = sortCommunities(e.largeCommunities ?? []);
      if (!sameList(p.largeCommunities, wantL)) {
        diffs.push(`${at}: large-communities [${p.largeCommunities.join(' ')}], expected [${wantL.join(' ')}]`);
      }
      if (e.localPref === null && p.localPref !== undefined) diffs.push(`${at}: local-pref ${p.localPref}, expected none`);
      if (typeof e.localPref === 'number' && p.localPref !== e.localPref) {
        diffs.push(`${at}: local-pref ${String(p.localPref)}, expected ${e.localPref}`);
      }
      if (e.med !== undefined && p.med !== e.med) diffs.push(`${at}: med ${String(p.med)}, expected ${e.med}`);
      if (e.origin !== undefined && p.origin !== e.origin) diffs.push(`${at}: origin ${String(p.origin)}, expected ${e.origin}`);
      if (!p.valid) diffs.push(`${at}: path is not valid (next hop unreachable?)`);
    }
  }
  const wanted = new Set(expected.map((e) => e.prefix));
  for (const r of received) if (!wanted.has(r.prefix)) diffs.push(`unexpected ${r.prefix}`);
  return diffs;
}

/**
 * Waits until `router`'s table for `family` holds exactly `expected` (no other prefix), with the
 * given attributes on every path. Returns what it received.
 */
export async function expectRoutes(
  router: FrrInstance,
  family: Family,
  expected: readonly ExpectedRoute[],
  query: RouteQuery = {},
): Promise<ReceivedRoute[]> {
  const where = `${family} unicast${query.vrf === undefined ? '' : ` vrf ${query.vrf}`}`;
  return pollUntil(
    () => receivedRoutes(router, family, query.vrf),
    (received) => routeDifferences(received, expected).length === 0,
    {
      what: `router ${router.name} to receive exactly the expected ${where} routes`,
      ...(query.timeoutMs !== undefined ? { timeoutMs: query.timeoutMs } : {}),
      show: (received) =>
        [
          `router ${router.name} received (${where}):`,
          formatRoutes(received),
          'expected:',
          formatExpected(expected),
          'differences:',
          ...routeDifferences(received, expected).map((d) => `    ${d}`),
        ].join('\n'),
    },
  );
}

/** Checks (once, no wait) that the router's table is exactly `expected`: for "must not receive" after another router converged. */
export async function expectRoutesNow(router: FrrInstance, family: Family, expected: readonly ExpectedRoute[], query: RouteQuery = {}): Promise<void> {
  await expectRoutes(router, family, expected, { ...query, timeoutMs: 0 });
}

function fmtNeighbors(list: readonly NeighborState[]): string {
  if (list.length === 0) return '    (no neighbors)';
  return list
    .map((n) => `    ${n.id}: ${n.state}, established ${n.connectionsEstablished}x, dropped ${n.connectionsDropped}x, last reset: ${n.lastResetDueTo ?? '-'}`)
    .join('\n');
}

/** Waits until the neighbor `id` of `frr` is (or, with `established: false`, is not) Established. */
export async function expectSession(
  frr: FrrInstance,
  id: string,
  established = true,
  opts: { vrf?: string; timeoutMs?: number } = {},
): Promise<NeighborState | undefined> {
  const list = await pollUntil(
    () => neighbors(frr, opts.vrf),
    (ns) => (ns.find((n) => n.id === id)?.state === 'Established') === established,
    {
      what: `session ${id} on ${frr.name} to be ${established ? 'Established' : 'down'}`,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      show: (ns) => `neighbors of ${frr.name}:\n${fmtNeighbors(ns)}`,
    },
  );
  return list.find((n) => n.id === id);
}

/** Asserts a session stays down for `forMs` (a session that must never come up). */
export async function expectSessionStaysDown(frr: FrrInstance, id: string, forMs: number): Promise<void> {
  await expectStays(
    () => neighbors(frr),
    (ns) => ns.find((n) => n.id === id)?.state !== 'Established',
    { what: `session ${id} on ${frr.name} to stay down`, forMs, show: (ns) => `neighbors of ${frr.name}:\n${fmtNeighbors(ns)}` },
  );
}

export type SessionCounters = ReadonlyMap<string, { established: number; dropped: number }>;

/** Per neighbor: how often the session came up and went down, for counting resets across a change. */
export async function sessionCounters(frr: FrrInstance, vrf?: string): Promise<SessionCounters> {
  return new Map((await neighbors(frr, vrf)).map((n) => [n.id, { established: n.connectionsEstablished, dropped: n.connectionsDropped }]));
}

/** Fails when any session of `frr` was dropped (or re-established) since `before`. */
export async function expectNoSessionReset(frr: FrrInstance, before: SessionCounters, change: string, vrf?: string): Promise<void> {
  const after = await neighbors(frr, vrf);
  const resets = after.filter((n) => {
    const b = before.get(n.id);
    return b !== undefined && (n.connectionsDropped !== b.dropped || n.connectionsEstablished !== b.established || n.state !== 'Established');
  });
  if (resets.length > 0) {
    const was = resets.map((n) => `    ${n.id}: before dropped ${before.get(n.id)?.dropped}x, established ${before.get(n.id)?.established}x`);
    throw new Error(
      `"${change}" only touches advertisements but reset sessions on ${frr.name}:\n${fmtNeighbors(resets)}\nbefore the change:\n${was.join('\n')}`,
    );
  }
}

export function fmtBfd(list: readonly BfdPeerState[]): string {
  if (list.length === 0) return '    (no BFD peers)';
  return list
    .map(
      (p) =>
        `    ${p.peer}: ${p.status}, rx ${String(p.receiveInterval)} tx ${String(p.transmitInterval)} mult ${String(p.detectMultiplier)}` +
        ` (remote rx ${String(p.remoteReceiveInterval)} tx ${String(p.remoteTransmitInterval)} mult ${String(p.remoteDetectMultiplier)})`,
    )
    .join('\n');
}

/** Waits until `frr`'s BFD peers satisfy `done`; `expected` describes it for the failure message. */
export async function expectBfd(
  frr: FrrInstance,
  expected: string,
  done: (peers: readonly BfdPeerState[]) => boolean,
  timeoutMs?: number,
): Promise<BfdPeerState[]> {
  return pollUntil(() => bfdPeers(frr), done, {
    what: `BFD on ${frr.name}: ${expected}`,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    show: (peers) => `BFD peers of ${frr.name}:\n${fmtBfd(peers)}\nexpected: ${expected}`,
  });
}
