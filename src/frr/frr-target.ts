/**
 * Makes FRR run a rendered config, safely: dry run first, atomic write, frr-reload.py, then
 * verification that nothing is left to change. A config FRR refuses never replaces frr.conf, and a
 * reload that fails is rolled back to the last config that worked; the ApplyError says which stage
 * failed and what FRR runs afterwards (`apply-error.ts`), the rollback's own failure included.
 *
 * Two shortcuts skip frr-reload.py when they can prove the result the same way: an FRR that runs
 * no `router bgp` is loaded with `vtysh -f` (`coldLoad`), and a change of network lines only,
 * from a config FRR was verified to run, is sent as one vtysh session and verified with targeted
 * reads (`fast-apply.ts`). Either falls back to frr-reload.py whenever it cannot prove the result.
 *
 * Every check above reads the merged view of all daemons; after every load, bgpd's own config is
 * also checked for the rendered route-maps, which zebra's copy can hide (`bgpd-route-maps.ts`).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { FrrContext } from './context.js';
import type { NodeForwarding } from '../intent/model.js';
import { readEnvironment, readForwarding, type FrrEnvironment } from './environment.js';
import { applyConfig, deltaLines, isEmptyDelta, testReload, type ApplyFiles } from './reload.js';
import { formatRejectedLine, type RejectedLine } from './rejected-lines.js';
import { checkSyntax, loadFile, show } from './vtysh.js';
import { daemonsNotListening, eachDaemonsConfig, orVtysh, vtySocketIdentities, VtySocketUnavailable } from './vty-socket.js';
import { computeFastDelta, splitNetworks, type FastDelta } from './fast-delta.js';
import { applyFastDelta } from './fast-apply.js';
import type { ConfigFiles } from './write-file.js';
import { ApplyError, asApplyError, writeStage } from './apply-error.js';
import { bgpdMissingRouteMaps, loadRouteMapsIntoBgpd, missingAsDifference, type RouteMapEntry } from './bgpd-route-maps.js';
import { ignoringExtraDebugs, operatorDebugs, withoutDebugLines } from './operator-debugs.js';

/**
 * How a config reached FRR: `fast` (the network lines that changed, in one vtysh session, verified
 * by targeted reads), `cold` (`vtysh -f` into an FRR that ran nothing of ours), `reload`
 * (frr-reload.py), `file` (only written: no FRR to apply to).
 */
export type ApplyPath = 'fast' | 'cold' | 'reload' | 'file';

/** A `router bgp` block, as FRR prints it at the start of a line. */
const ROUTER_BGP = /^router bgp /m;

/** BFD in a rendered config: the `bfd` block of profiles, or a neighbor's `bfd` line. */
const USES_BFD = /^bfd$|^ neighbor \S+ bfd\b/m;

/**
 * The daemons a rendered config cannot be applied without: zebra and bgpd always, bfdd when it
 * has BFD. Others (staticd, mgmtd, watchfrr) are left out: one of them down does not stop an apply.
 */
function daemonsNeededBy(config: string): string[] {
  return USES_BFD.test(config) ? ['bfdd', 'bgpd', 'zebra'] : ['bgpd', 'zebra'];
}

export interface ApplyOutcome {
  /** frr-reload.py runs it took (0 when nothing was reloaded). */
  readonly passes: number;
  /** What happened, for the log: `applied to FRR`, `written to out/frr.conf (no FRR reachable)`. */
  readonly description: string;
  readonly path: ApplyPath;
  /** Why the fast path was not taken, or was left for frr-reload.py (undefined when it applied, or for a file). */
  readonly fastPathDeclined?: string;
}

/** Where a rendered config goes: a live FRR, or only a file when there is none. */
export interface ConfigTarget {
  /** Makes the target run `config`. Rejects with ApplyError (its stage, and what FRR runs after it). */
  apply(config: string, lastGood: string | undefined): Promise<ApplyOutcome>;
  /**
   * What the target would have to change to run `config`, as `- line` / `+ line` with passwords
   * redacted; empty when it runs `config` already (adopting a running FRR without reloading it).
   * Said in the log when a restarted sidecar cannot adopt, so a reload at start is never a mystery.
   */
  difference(config: string): Promise<readonly string[]>;
  /**
   * Makes the file FRR reads at start hold `config`, without touching FRR (after adopting: FRR runs
   * it already, but the file may still hold what was rendered before, e.g. before the node's
   * forwarding changed). Rejects with ApplyError `write`.
   */
  persist(config: string): Promise<void>;
  /**
   * A hash of what the target runs now; it changes when FRR restarts empty or someone edits its
   * config by hand. Undefined when the target cannot drift (a plain file).
   */
  fingerprint(): Promise<string | undefined>;
  /** The FRR release and the node's forwarding, from FRR; undefined when there is no FRR to ask. Rejects when FRR is down. */
  environment(): Promise<FrrEnvironment | undefined>;
  /** The node's forwarding alone (cheap; asked before every apply); undefined when there is no FRR to ask. */
  forwarding(): Promise<NodeForwarding | undefined>;
  /**
   * The daemons `config` needs (`daemonsNeededBy`) that nobody answers for now: killed and being
   * restarted by watchfrr, or FRR not started yet. A connection to each one's vty socket, so cheap
   * enough to ask every few hundred milliseconds while an apply waits for its retry. Undefined when
   * that cannot be told without starting vtysh (no vty sockets here) or there is no FRR (a file).
   */
  daemonsDown(config: string): Promise<readonly string[] | undefined>;
}

export interface ApplierOptions {
  readonly frr: FrrContext;
  /** The frr.conf FRR reads at start (`/etc/frr/frr.conf`, or `/etc/frr/<pathspace>/frr.conf`). */
  readonly configPath: string;
  readonly files: ConfigFiles;
  /** Apply changes of network lines directly with vtysh (`fast-apply.ts`); default true. */
  readonly fastPath?: boolean;
}

/**
 * How frr-reload.py is pointed at the config without FRR writing over the bytes we verify.
 *
 * `frr-reload.py --reload FILE` ends with `vtysh write` (FRR writes its running config over its own
 * frr.conf, the old file moved to frr.conf.sav) unless FILE is `<confdir>/frr.conf`. Under a
 * pathspace FRR's file is `/etc/frr/<pathspace>/frr.conf` while `--confdir` cannot name it (vtysh
 * appends the pathspace to it again), so the write cannot be avoided there.
 * - In place (FRR's default instance, FILE named frr.conf, as in the pod): reload FILE with
 *   `--confdir` its folder; no write happens.
 * - Otherwise: reload the candidate file, let FRR write its own file, then write the rendered
 *   bytes over it once FRR runs them, so FRR restarts from our config.
 * Either way the verification reads the candidate file, which only we write.
 */
function reloadPlan(frr: FrrContext, configPath: string, candidatePath: string): { readonly inPlace: boolean; readonly files: ApplyFiles } {
  const inPlace = frr.pathspace === undefined && basename(configPath) === 'frr.conf';
  return inPlace
    ? { inPlace, files: { reload: configPath, verify: candidatePath, confdir: dirname(configPath) } }
    : { inPlace, files: { reload: candidatePath, verify: candidatePath } };
}

/**
 * The path for an FRR whose bgpd runs no `router bgp` (pod start, or bgpd restarted empty): load
 * the whole file with `vtysh -f`, then verify with `frr-reload.py --test` exactly as after a
 * reload. Lines a daemon refused fail the apply at once (`rejected`); anything else left, or any
 * other error, falls back to the full reload. Undefined means "not taken".
 *
 * Why `vtysh -f` and not frr-reload.py: it is additive with no diff to compute (at 5,000 services
 * frr-reload.py spends seconds in Python), and above all it gives every daemon every line it
 * takes. A bgpd that restarted empty while zebra kept the route-maps is invisible to a diff:
 * `show running-config` merges the daemons, shows the route-maps (zebra's), and frr-reload.py
 * re-adds only `router bgp`, whose `network ... route-map` lines then name route-maps bgpd lacks,
 * so bgpd announces nothing while every check of the merged view passes (found by the soak).
 * Lines the file repeats are no-ops; what FRR runs beyond the file is left for the full reload.
 */
async function coldLoad(frr: FrrContext, files: ApplyFiles, config: string, running: string | undefined, reads: ReadsBeside<unknown>): Promise<ApplyOutcome | undefined> {
  if (running === undefined || ROUTER_BGP.test(running)) return undefined;
  let rejected: readonly RejectedLine[];
  try {
    rejected = await loadFile(frr, files.reload);
    if (rejected.length === 0) {
      // The reads that follow every load run beside frr-reload.py --test (~0.6 s at 10,000
      // services) instead of after it; they only read, so a failed verification costs nothing.
      reads.start();
      if (!isEmptyDelta(ignoringExtraDebugs(await testReload(frr, files.verify), config))) {
        await reads.drop();
        return undefined;
      }
    }
  } catch {
    await reads.drop();
    return undefined;
  }
  if (rejected.length > 0) throw rejectedError(rejected, 'vtysh -f');
  return { passes: 0, path: 'cold', description: `loaded into an FRR without router bgp${frr.pathspace ? ` (pathspace ${frr.pathspace})` : ''} with vtysh -f (verified)` };
}

/**
 * The reads that follow a load, started beside the load's last `frr-reload.py --test` (they only
 * read). Only the last started counts: FRR changed again since an earlier one. Started reads are
 * always observed: a rejection while nobody awaits them (a daemon killed under them) would end
 * the process as an unhandled rejection.
 */
interface ReadsBeside<R> {
  /** Starts the reads anew (what FRR runs now). */
  start(): void;
  /** Drops the last started reads (stale, or the load failed) once they are over, whatever their outcome. */
  drop(): Promise<void>;
  /** The last started reads, or reads started now when none was. */
  result(): Promise<R>;
}

function readsBeside<R>(read: () => Promise<R>): ReadsBeside<R> {
  let last: Promise<R> | undefined;
  return {
    start() {
      last = read();
      last.catch(() => undefined);
    },
    async drop() {
      const stale = last;
      last = undefined;
      await stale?.catch(() => undefined);
    },
    result: () => last ?? read(),
  };
}

function rejectedError(rejected: readonly RejectedLine[], by: string): ApplyError {
  const lines = rejected.map(formatRejectedLine);
  const more = rejected.length > 1 ? ` (and ${rejected.length - 1} more)` : '';
  return new ApplyError('rejected', `FRR refused ${rejected.length} line(s) of the rendered config during ${by}: ${lines[0]}${more}`, lines);
}

/** A config FRR was verified to run, and FRR's running config without network lines at that time. */
interface Verified {
  readonly config: string;
  readonly skeleton: string;
}

export function createFrrTarget(opts: ApplierOptions): ConfigTarget {
  const { frr, configPath, files } = opts;
  const candidatePath = `${configPath}.candidate`;
  const plan = reloadPlan(frr, configPath, candidatePath);
  const where = frr.pathspace ? ` (pathspace ${frr.pathspace})` : '';
  /**
   * What the fast path starts from. Set only after a verification (frr-reload.py --test, or the
   * fast path's own), cleared as soon as FRR is asked to change: a change that fails half-way
   * leaves nothing the fast path could trust.
   */
  let verified: Verified | undefined;

  /** Remembers that FRR runs `config` (just verified), with its running config as FRR shows it now. */
  async function remember(config: string, skeleton?: string): Promise<void> {
    skeleton ??= await runningSkeleton();
    verified = skeleton === undefined ? undefined : { config, skeleton }; // undefined: the next change goes through frr-reload.py
  }

  /** FRR's running config without its network lines (what the fast path edits), or undefined when it cannot be read. */
  async function runningSkeleton(): Promise<string | undefined> {
    try {
      return splitNetworks(withoutDebugLines(await show(frr, 'show running-config', { keepPasswords: true }))).skeleton;
    } catch {
      return undefined;
    }
  }

  /**
   * Writes `config` where FRR reads it and loads it. `touched` is set once FRR is asked to load
   * anything: a failure before that left FRR as it was.
   */
  async function reloadTo(config: string, lastGood: string | undefined, touched: { value: boolean }, runningBefore?: Promise<string | undefined>): Promise<ApplyOutcome> {
    await writeStage(files, candidatePath, config);
    if (plan.inPlace) await writeStage(files, configPath, config);
    // Read once before the load: whether bgpd runs anything (coldLoad), and the operator's debug switches.
    const running = await (runningBefore ?? readRunning());
    const debugs = running === undefined ? [] : operatorDebugs(running, config, lastGood);
    touched.value = true;
    verified = undefined;
    // Two reads of what FRR now runs, side by side (each is a vtysh start and a dump of the whole
    // config: ~150 ms at 10,000 services): the route-map entries bgpd itself lacks, and the
    // skeleton the fast path starts from (read again when bgpd had to be given route-maps).
    // Either load starts them beside its frr-reload.py --test, which only reads too.
    const reads = readsBeside(() => Promise.all([bgpdMissingRouteMaps(frr, config), runningSkeleton()]));
    let outcome: ApplyOutcome;
    try {
      outcome = (await coldLoad(frr, plan.files, config, running, reads)) ?? (await fullReload(config, reads.start));
    } catch (err) {
      await reads.drop();
      throw err;
    }
    const [missing, skeleton] = await reads.result();
    const repaired = await giveBgpdItsRouteMaps(config, missing);
    const notes = [
      ...(repaired === 0 ? [] : [`${repaired} route-map entr${repaired === 1 ? 'y' : 'ies'} bgpd lacked loaded into bgpd`]),
      ...(await restoreDebugs(debugs)),
    ];
    if (!plan.inPlace) await writeStage(files, configPath, config);
    await remember(config, repaired === 0 ? skeleton : undefined);
    return notes.length === 0 ? outcome : { ...outcome, description: `${outcome.description}; ${notes.join('; ')}` };
  }

  /**
   * Turns the debug switches an operator had set by hand back on (frr-reload.py turned them off:
   * they are not in the render). Enable-mode commands, one vtysh call. Resolves with what to say
   * in the apply's description: a failure here is noted, never an apply failure.
   */
  async function restoreDebugs(debugs: readonly string[]): Promise<string[]> {
    if (debugs.length === 0) return [];
    try {
      await show(frr, debugs);
      return [`${debugs.length} debug switch(es) set by hand kept on`];
    } catch (err) {
      return [`could not turn ${debugs.length} debug switch(es) set by hand back on (${asApplyError(err).message.split('\n')[0]})`];
    }
  }

  /**
   * After every load: the route-map entries bgpd itself lacks (`missing`, read after the load: the
   * merged view every other check reads shows zebra's copy; `bgpd-route-maps.ts`) are given to
   * bgpd alone, and checked again.
   * Resolves with how many were missing; rejects with the verify stage when bgpd still lacks some.
   */
  async function giveBgpdItsRouteMaps(config: string, missing: readonly RouteMapEntry[]): Promise<number> {
    if (missing.length === 0) return 0;
    await loadRouteMapsIntoBgpd(frr, missing);
    const still = await bgpdMissingRouteMaps(frr, config);
    if (still.length > 0) {
      throw new ApplyError('verify', `bgpd still lacks ${still.length} route-map entr${still.length === 1 ? 'y' : 'ies'} of the rendered config after loading them into it`, missingAsDifference(still));
    }
    return missing.length;
  }

  async function fullReload(config: string, onChanged: () => void): Promise<ApplyOutcome> {
    // A debug switch FRR will not turn off (an operator's; operator-debugs.ts) does not fail the apply.
    const result = await applyConfig(frr, plan.files, { relevant: (delta) => ignoringExtraDebugs(delta, config), onChanged });
    if (result.rejected.length > 0 && !result.converged) throw rejectedError(result.rejected, 'frr-reload.py --reload');
    if (!result.converged) {
      throw new ApplyError('verify', `FRR still differs from the rendered config after ${result.passes} reloads`, deltaLines(result.remaining));
    }
    const noted = result.reloadErrors.length === 0 ? '' : `; frr-reload.py exited non-zero but FRR runs the config (verified): ${result.reloadErrors[0]}`;
    return { passes: result.passes, path: 'reload', description: `applied to FRR${where} in ${result.passes} reload(s)${noted}` };
  }

  /** The fast path's delta from what FRR was verified to run, or why there is none. */
  function fastDelta(config: string): FastDelta {
    if (opts.fastPath === false) return { understood: false, reason: 'the fast path is off' };
    if (verified === undefined) return { understood: false, reason: 'no config verified to run in FRR to start from' };
    return computeFastDelta(verified.config, config);
  }

  /**
   * The fast path: files first (as the full path writes them before reloading), then the session
   * and its verification. Resolves with the outcome, or with why frr-reload.py has to do it.
   */
  async function fastApply(config: string, delta: Extract<FastDelta, { understood: true }>, from: Verified, touched: { value: boolean }): Promise<ApplyOutcome | string> {
    await writeStage(files, candidatePath, config);
    if (plan.inPlace) await writeStage(files, configPath, config);
    touched.value = true;
    verified = undefined;
    const result = await applyFastDelta(frr, delta, from.skeleton);
    if (!result.applied) return result.reason;
    if (!plan.inPlace) await writeStage(files, configPath, config);
    verified = { config, skeleton: from.skeleton };
    const added = delta.changes.filter((c) => c.routeMap !== undefined).length;
    const removed = delta.changes.length - added;
    return {
      passes: 0,
      path: 'fast',
      description: `applied to FRR${where} with one vtysh session (fast path: ${added} network line(s) set, ${removed} removed; running config and routes verified)`,
    };
  }

  /** `show running-config`, or undefined when FRR does not answer (never rejects). */
  function readRunning(): Promise<string | undefined> {
    return show(frr, 'show running-config').catch(() => undefined);
  }

  async function daemonsDown(config: string): Promise<string[] | undefined> {
    try {
      return await daemonsNotListening(frr, daemonsNeededBy(config));
    } catch (err) {
      if (err instanceof VtySocketUnavailable) return undefined;
      throw err;
    }
  }

  /** The vty socket of each daemon `config` needs, by incarnation; undefined when there are no sockets to look at. */
  function socketIdentities(config: string): Promise<Map<string, string> | undefined> {
    return vtySocketIdentities(frr, daemonsNeededBy(config)).catch(() => undefined);
  }

  /** The daemons whose socket changed hands since `before`: restarted (or gone) meanwhile. */
  async function restartedSince(config: string, before: Map<string, string> | undefined): Promise<string[]> {
    if (before === undefined) return [];
    const now = await socketIdentities(config);
    return now === undefined ? [] : [...before].filter(([d, id]) => now.get(d) !== id).map(([d]) => d);
  }

  /** `apply` once the daemons answered: the fast path, or the checked full load with its rollback. */
  async function applyAnswering(config: string, lastGood: string | undefined): Promise<ApplyOutcome> {
    const touched = { value: false };
    try {
      const delta = fastDelta(config);
      let declined: string;
      if (delta.understood) {
        const fast = await fastApply(config, delta, verified!, touched);
        if (typeof fast !== 'string') return fast;
        declined = fast;
      } else {
        declined = delta.reason;
      }
      await writeStage(files, candidatePath, config);
      // The running config the load starts from is read while vtysh -C checks the file: two
      // vtysh starts side by side instead of one after the other.
      const runningBefore = readRunning();
      const syntax = await checkSyntax(frr, candidatePath).catch((err: unknown) => {
        throw asApplyError(err);
      });
      if (!syntax.valid) {
        throw new ApplyError('syntax', `vtysh -C rejected the rendered config: ${syntax.errors[0] ?? 'no detail'}`, syntax.errors);
      }
      const outcome = await reloadTo(config, lastGood, touched, runningBefore);
      // Said only when the fast path tried and gave up: the usual reasons (a first apply, a new tag) are no news.
      return delta.understood ? { ...outcome, description: `${outcome.description}; fast path not taken: ${declined}`, fastPathDeclined: declined } : { ...outcome, fastPathDeclined: declined };
    } catch (err) {
      const failure = asApplyError(err);
      if (!touched.value) throw failure.after('untouched');
      if (lastGood === undefined || lastGood === config) throw failure.after('noRollback');
      // Leave FRR as it was before this attempt rather than half-way through it, and say whether that worked.
      try {
        await reloadTo(lastGood, config, { value: false });
      } catch (rollback) {
        throw failure.after('rollbackFailed', asApplyError(rollback).message);
      }
      throw failure.after('rolledBack');
    }
  }

  return {
    async apply(config, lastGood) {
      // A daemon being restarted would fail the reload after seconds of frr-reload.py (and its
      // rollback, failing too): say so at once, touching nothing. The reconciler retries as soon
      // as the daemon answers. What was verified to run may be gone with it: start over.
      const down = await daemonsDown(config).catch(() => undefined);
      if (down !== undefined && down.length > 0) {
        verified = undefined;
        throw new ApplyError(
          'reload',
          `FRR's ${down.join(' and ')} ${down.length === 1 ? 'does' : 'do'} not answer on ${down.length === 1 ? 'its vty socket' : 'their vty sockets'} (FRR not started, or watchfrr restarting ${down.length === 1 ? 'it' : 'them'}): nothing was applied; retried as soon as FRR answers`,
          [],
          { frrAway: down },
        );
      }
      // A daemon killed while the apply runs fails it (and its rollback) after seconds; watchfrr may
      // have it back before the failure is known, so a look at the sockets afterwards may not see
      // it away. Its socket's incarnation does: such a failure is FRR away (`frrAway`), retried as
      // soon as FRR answers, as is one after which a needed daemon still does not answer.
      const before = await socketIdentities(config);
      try {
        return await applyAnswering(config, lastGood);
      } catch (err) {
        const failure = asApplyError(err);
        const [restarted, down] = await Promise.all([restartedSince(config, before), daemonsDown(config).catch(() => undefined)]);
        const away = [...new Set([...restarted, ...(down ?? [])])].sort();
        throw away.length > 0 ? failure.away(away) : failure;
      }
    },

    async difference(config) {
      // FRR that runs no BGP at all (just started, or restarted empty: a pod's start) runs none of
      // a config that has some: every line of it is to add. `show running-config` (tens of ms) says
      // so without frr-reload.py --test (a Python start and a diff: 300-400 ms on the way to the
      // first route). When the show fails, the full test decides (and fails as it always did).
      if (ROUTER_BGP.test(config)) {
        const running = await show(frr, 'show running-config').catch(() => undefined);
        if (running !== undefined && !ROUTER_BGP.test(running)) {
          if (verified?.config === config) verified = undefined;
          return deltaLines({ toDelete: [], toAdd: config.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '' && l.trim() !== '!') });
        }
      }
      await writeStage(files, candidatePath, config);
      const delta = ignoringExtraDebugs(await testReload(frr, candidatePath), config);
      // The merged view matches: bgpd may still lack route-maps zebra holds (bgpd-route-maps.ts).
      const missing = isEmptyDelta(delta) ? await bgpdMissingRouteMaps(frr, config) : [];
      const same = isEmptyDelta(delta) && missing.length === 0;
      // FRR runs it (adoption, or the drift timer's full check after a fast apply): the fast path
      // may start from it. It does not: nothing the fast path knew can be trusted any more.
      if (same && verified?.config !== config) await remember(config);
      if (!same && verified?.config === config) verified = undefined;
      return [...deltaLines(delta), ...missingAsDifference(missing)];
    },

    async persist(config) {
      if ((await readFile(configPath, 'utf8').catch(() => undefined)) !== config) await writeStage(files, configPath, config);
    },

    async fingerprint() {
      // Debug switches set by hand are not drift (operator-debugs.ts). Passwords are kept: a
      // password changed by hand is drift too, and the hash never leaves the process.
      const running = await orVtysh(() => eachDaemonsConfig(frr), () => show(frr, 'show running-config', { keepPasswords: true }));
      return createHash('sha256').update(withoutDebugLines(running)).digest('hex');
    },

    environment() {
      return readEnvironment(frr);
    },

    forwarding() {
      return readForwarding(frr);
    },

    daemonsDown,
  };
}
