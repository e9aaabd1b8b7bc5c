/**
 * Reads FRR's live state through vtysh: every VRF's BGP neighbors, the BFD sessions, and (on
 * request) the prefixes each Established neighbor was really sent. Each command that fails is
 * recorded in `errors` and leaves its part empty, so one bad command never hides the rest.
 *
 * Cost: every vtysh process costs 25-60 ms of CPU to start (it loads every command of every
 * daemon), more than most answers; the sidecar polls this every few seconds. So every question
 * here goes to the one daemon that answers it, over its vty socket (`vty-socket.ts`), when the
 * context has the sockets; without them the neighbors and the BFD sessions are asked in one
 * vtysh call. The version is asked only when wanted, and the prefixes sent either per neighbor
 * (whole tables, for `status`) or per prefix (`explain` of one service: `show bgp PREFIX json`
 * names the neighbors it was advertised to).
 */
import type { FrrContext } from './context.js';
import { parseAdvertisedRoutes, type AdvertisedRoutes } from './parse-advertised.js';
import { parseBfdPeers, type BfdPeer } from './parse-bfd.js';
import { parseAllNeighbors, type AddressFamily, type BgpNeighbor } from './parse-neighbors.js';
import { parseFrrVersion } from './parse-version.js';
import { obj, UNKNOWN } from './parse-json.js';
import { show, showJson } from './vtysh.js';
import { readVersion } from './environment.js';
import { askDaemonJson, askDaemonJsons, orVtysh, VtySocketUnavailable, vtySocketDir } from './vty-socket.js';

export interface FrrState {
  /** When it was read (ms since the epoch). */
  readonly at: number;
  /** FRR's version, `unknown` when `show version` failed, `not read` when it was not asked. */
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
  /**
   * With `advertised`: read only whether these prefixes were advertised, and to which neighbors
   * (one vtysh call in all), instead of every neighbor's whole table. `advertised` then lists, per
   * Established neighbor and family, the ones of these prefixes it was sent.
   */
  readonly advertisedPrefixes?: ReadonlyMap<string, AddressFamily>;
  /**
   * With `advertisedPrefixes`: the VRFs to ask about them, known before FRR answers (`explain`: the
   * VRFs of the intent's neighbors). That query then runs beside the sessions query instead of
   * after it (one vtysh start less on the command's path, ~30 ms); a VRF with an Established
   * neighbor that is not among them is still asked, afterwards.
   */
  readonly advertisedPrefixVrfs?: readonly string[];
  /** Ask `show version` (default true); the status poll asks it only with the running config. */
  readonly version?: boolean;
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

  const early =
    opts.advertised && opts.advertisedPrefixes !== undefined && opts.advertisedPrefixVrfs !== undefined
      ? { vrfs: new Set(opts.advertisedPrefixVrfs), answer: queryPrefixes(frr, [...new Set(opts.advertisedPrefixVrfs)], opts.advertisedPrefixes) }
      : undefined;
  const version =
    opts.version === false
      ? { value: 'not read', ok: true }
      : await attempt(async () => parseFrrVersion(await readVersion(frr)), 'unknown');
  const sessions = await sessionDocuments(frr);
  const neighbors = await attempt(async () => parseAllNeighbors(await sessions.neighbors()), [] as BgpNeighbor[]);
  const bfdPeers = await attempt(async () => parseBfdPeers(await sessions.bfd()), [] as BfdPeer[]);
  const runningConfig = opts.runningConfig ? await attempt(() => show(frr, 'show running-config'), undefined) : undefined;

  const advertised: Record<string, AdvertisedRoutes> = {};
  if (opts.advertised && opts.advertisedPrefixes !== undefined) {
    Object.assign(advertised, await advertisedOfPrefixes(frr, neighbors.value, opts.advertisedPrefixes, errors, early));
  } else if (opts.advertised) {
    const jobs = neighbors.value.flatMap((n) =>
      n.established ? (Object.keys(n.families) as AddressFamily[]).map((f) => ({ n, f })) : [],
    );
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const { n, f } = jobs[next++]!;
        const cmd = advertisedCommand(n.vrf, n.id, f);
        const r = await attempt(async () => parseAdvertisedRoutes(await orVtysh(() => askDaemonJson(frr, 'bgpd', cmd), () => showJson(frr, cmd))), undefined);
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

const NEIGHBORS_COMMAND = 'show bgp vrf all neighbors json';
const BFD_COMMAND = 'show bfd peers json';

/** The sessions' two documents, each read when called (a failure is the caller's to record). */
interface SessionDocuments {
  neighbors(): Promise<unknown>;
  bfd(): Promise<unknown>;
}

/**
 * Over the sockets: bgpd and bfdd at once, each on its own (bfdd down leaves the sessions
 * readable). With vtysh: both in one process; when that fails (FRR down, bfdd missing), each on
 * its own, so one failure never hides the other.
 */
async function sessionDocuments(frr: FrrContext): Promise<SessionDocuments> {
  if (vtySocketDir(frr) !== undefined) {
    const [neighbors, bfd] = await Promise.allSettled([askDaemonJson(frr, 'bgpd', NEIGHBORS_COMMAND), askDaemonJson(frr, 'bfdd', BFD_COMMAND)]);
    const unavailable = [neighbors, bfd].some((r) => r.status === 'rejected' && r.reason instanceof VtySocketUnavailable);
    if (!unavailable) return { neighbors: () => settledValue(neighbors), bfd: () => settledValue(bfd) };
  }
  const both = await showJsonDocuments(frr, [NEIGHBORS_COMMAND, BFD_COMMAND]).catch(() => undefined);
  return {
    neighbors: async () => both?.[0] ?? (await showJson(frr, NEIGHBORS_COMMAND)),
    bfd: async () => both?.[1] ?? (await showJson(frr, BFD_COMMAND)),
  };
}

async function settledValue<T>(r: PromiseSettledResult<T>): Promise<T> {
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}

/** Several `show ... json` commands in one vtysh process; rejects unless each printed one JSON value. */
async function showJsonDocuments(frr: FrrContext, commands: readonly string[]): Promise<unknown[]> {
  const docs = splitJsonValues(await show(frr, commands, { keepPasswords: true }));
  if (docs.length !== commands.length) throw new Error(`expected ${commands.length} JSON documents from vtysh, got ${docs.length}`);
  return docs.map((d) => JSON.parse(d) as unknown);
}

/**
 * The top-level JSON values of text holding several printed one after another (vtysh prints each
 * command's answer in turn), as texts. Anything between values that is not white space ends the
 * split: the caller then sees fewer values than commands.
 */
export function splitJsonValues(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) return out;
    const open = text[i];
    if (open !== '{' && open !== '[') return out;
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < text.length; j++) {
      const c = text[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (--depth === 0) break;
      }
    }
    if (depth !== 0) return out;
    out.push(text.slice(i, j + 1));
    i = j + 1;
  }
}

function prefixCommand(vrf: string, family: AddressFamily, prefix: string): string {
  const v = vrf === 'default' ? '' : ` vrf ${vrf}`;
  return `show bgp${v} ${family} unicast ${prefix} json`;
}

/** Per `vrf|prefix`, the neighbors FRR advertised it to; or why that could not be read. */
type PrefixAnswer = { readonly sentTo: ReadonlyMap<string, ReadonlySet<string>> } | { readonly failure: string };

/** `show bgp [vrf V] FAMILY unicast P json` for every VRF x prefix, in one vtysh call. */
async function queryPrefixes(frr: FrrContext, vrfs: readonly string[], prefixes: ReadonlyMap<string, AddressFamily>): Promise<PrefixAnswer> {
  const queries = vrfs.flatMap((vrf) => [...prefixes].map(([prefix, family]) => ({ vrf, prefix, family })));
  const sentTo = new Map<string, Set<string>>();
  if (queries.length === 0) return { sentTo };
  try {
    const commands = queries.map((q) => prefixCommand(q.vrf, q.family, q.prefix));
    const docs = await orVtysh(() => askDaemonJsons(frr, 'bgpd', commands), () => showJsonDocuments(frr, commands));
    docs.forEach((doc, k) => {
      const q = queries[k]!;
      const to = obj(obj(doc)?.['advertisedTo']) ?? {};
      sentTo.set(`${q.vrf}|${q.prefix}`, new Set(Object.keys(to)));
    });
    return { sentTo };
  } catch (err) {
    return { failure: String((err as Error)?.message ?? err) };
  }
}

/**
 * Per prefix, the neighbors FRR advertised it to (`advertisedTo` of `show bgp PREFIX json`: the
 * neighbors holding it in their adj-RIB-out, which is what advertised-routes lists), turned into
 * the per-neighbor view of `gatherFrrState`. One vtysh call for every VRF x prefix (`early`: the
 * call already started for the VRFs known beforehand; any other VRF is asked now).
 */
async function advertisedOfPrefixes(
  frr: FrrContext,
  neighbors: readonly BgpNeighbor[],
  prefixes: ReadonlyMap<string, AddressFamily>,
  errors: string[],
  early?: { readonly vrfs: ReadonlySet<string>; readonly answer: Promise<PrefixAnswer> },
): Promise<Record<string, AdvertisedRoutes>> {
  const established = neighbors.filter((n) => n.established);
  const vrfs = [...new Set(established.map((n) => n.vrf))];
  const answers = await Promise.all([
    ...(early === undefined ? [] : [early.answer]),
    queryPrefixes(frr, vrfs.filter((v) => !early?.vrfs.has(v)), prefixes),
  ]);
  const sentTo = new Map<string, ReadonlySet<string>>();
  let failure: string | undefined;
  for (const a of answers) {
    if ('failure' in a) {
      failure ??= a.failure;
      errors.push(a.failure);
    } else {
      for (const [k, v] of a.sentTo) sentTo.set(k, v);
    }
  }
  const out: Record<string, AdvertisedRoutes> = {};
  for (const n of established) {
    for (const family of Object.keys(n.families) as AddressFamily[]) {
      out[advertisedKey(n.vrf, n.id, family)] =
        failure !== undefined
          ? { kind: 'unknown', message: `vtysh -c "${prefixCommand(n.vrf, family, '...')}" failed` }
          : {
              kind: 'routes',
              prefixes: [...prefixes].filter(([p, f]) => f === family && sentTo.get(`${n.vrf}|${p}`)?.has(n.id)).map(([p]) => p).sort(),
              total: UNKNOWN,
            };
    }
  }
  return out;
}
