/**
 * The real-FRR measurements: a speaker FRR and up to 8 router FRRs (one per peer) on one LAN
 * (a bridge in its own namespace), all in namespaces this process creates (`frrt-<pid>-...`).
 *
 * Addresses: speaker 192.0.2.1/24, router i 192.0.2.(10+i)/24 (documentation range, live
 * traffic); service prefixes are /32s from 198.18.0.0/15 (RFC 2544 benchmarking range), only
 * announced over BGP, never routed to or contacted.
 *
 * Sessions: eBGP 64500 -> 64501, speaker timers keepalive 1 s / hold 3 s / connect 1 s, router
 * `timers bgp 3 9`, `timers connect 1`, `advertisement-interval 0`, and graceful restart off on
 * the routers, so a restarted speaker's old routes are dropped at once instead of kept as stale
 * (which would fake "all received").
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrrContext } from '../src/frr/context.js';
import { createFrrTarget } from '../src/frr/frr-target.js';
import { realConfigFiles } from '../src/frr/write-file.js';
import { reloadOnce, testReload, type ConfigDelta } from '../src/frr/reload.js';
import { spawnRunner, FrrCommandError } from '../src/frr/run.js';
import { cleanupStale } from '../test/harness/cleanup.js';
import { FrrInstance } from '../test/harness/frr-instance.js';
import { ownedName } from '../test/harness/names.js';
import { createNamespace, deleteNamespace } from '../test/harness/namespaces.js';
import { killPathspace, startPathspace, writePathspaceFiles } from '../test/harness/pathspace.js';
import { routerConfig } from '../test/harness/router.js';
import { createLan } from '../test/harness/topology.js';
import { sleep } from '../test/harness/system.js';
import { sessionCounters } from '../test/harness/expect-bgp.js';
import { metallbShapeConfig } from './metallb-shape.js';
import { renderSynthetic } from './render.js';
import { MY_ASN, PEER_ASN, serviceV4 } from './synth.js';

export type Shape = 'frr-renderer' | 'metallb';

const SPEAKER_ADDRESS = '192.0.2.1';
export const routerAddress = (i: number): string => `192.0.2.${10 + i}`;

/** The config a shape gives `services` services (indexes listed) towards `peers` routers. */
export function shapeConfig(shape: Shape, serviceIndexes: readonly number[], peers: number): string {
  if (shape === 'metallb') {
    return metallbShapeConfig({
      myAsn: MY_ASN,
      peers: Array.from({ length: peers }, (_, i) => ({ address: routerAddress(i), asn: PEER_ASN, keepalive: 1, hold: 3, connect: 1 })),
      prefixes: serviceIndexes.map((i) => `${serviceV4(i)}/32`),
      hostname: hostname(),
    });
  }
  return renderSynthetic({
    serviceIndexes,
    peers,
    vrfs: 1,
    mix: 'plain',
    peerAddress: (_v, p) => routerAddress(p),
    timers: { keepalive: '1s', hold: '3s' },
    connectTime: '1s',
    // As the sidecar does: FRR shows the system host name, so the file carries it too.
    hostname: hostname(),
  });
}

export class Lab {
  private constructor(
    readonly speaker: FrrInstance,
    readonly routers: FrrInstance[],
    private readonly switchNs: string,
    readonly dir: string,
  ) {}

  static async create(routerCount: number, log: (s: string) => void): Promise<Lab> {
    const removed = await cleanupStale();
    if (removed.length > 0) log(`removed leftovers of killed runs: ${removed.join(', ')}`);
    const created: FrrInstance[] = [];
    let switchNs: string | undefined;
    const dir = await mkdtemp(join(tmpdir(), 'frrt-bench-'));
    try {
      const speaker = await FrrInstance.start('benchspeaker');
      created.push(speaker);
      const routers: FrrInstance[] = [];
      for (let i = 0; i < routerCount; i++) {
        const r = await FrrInstance.start('benchrouter');
        created.push(r);
        routers.push(r);
      }
      switchNs = ownedName('benchlan');
      await createNamespace(switchNs);
      await createLan(switchNs, [
        { namespace: speaker.namespace, addresses: [`${SPEAKER_ADDRESS}/24`] },
        ...routers.map((r, i) => ({ namespace: r.namespace, addresses: [`${routerAddress(i)}/24`] })),
      ]);
      for (const [i, r] of routers.entries()) {
        const conf = routerConfig({ asn: PEER_ASN, routerId: routerAddress(i), neighbors: [{ address: SPEAKER_ADDRESS, remoteAs: MY_ASN }] }).replace(
          ' no bgp network import-check\n',
          ' no bgp network import-check\n bgp graceful-restart-disable\n',
        );
        const file = join(dir, `router${i}.conf`);
        await writeFile(file, conf);
        await r.load(file);
      }
      return new Lab(speaker, routers, switchNs, dir);
    } catch (err) {
      for (const c of created) await c.destroy().catch(() => undefined);
      if (switchNs !== undefined) await deleteNamespace(switchNs).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Every name this lab made, for the report. */
  get names(): string[] {
    return [this.speaker.name, ...this.routers.map((r) => r.name), this.switchNs];
  }

  async destroy(): Promise<void> {
    for (const r of [this.speaker, ...this.routers]) await r.destroy().catch(() => undefined);
    await deleteNamespace(this.switchNs).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Restarts the speaker's daemons with an empty config (namespace and link stay), and waits until no router holds its routes. */
  async resetSpeaker(): Promise<void> {
    await killPathspace(this.speaker.name);
    await writePathspaceFiles(this.speaker.name, this.speaker.installation);
    await startPathspace(this.speaker.name, this.speaker.installation);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const counts = await Promise.all(this.routers.map((r) => received(r)));
      if (counts.every((c) => c.prefixes === 0)) {
        // The routers doubled their idle-hold (reconnect back-off) when the old speaker went away;
        // `clear bgp` resets it, so the next apply is not timed against the lab's back-off.
        for (const r of this.routers) await r.show(`clear bgp ipv4 unicast ${SPEAKER_ADDRESS}`).catch(() => undefined);
        return;
      }
      if (Date.now() > deadline) throw new Error(`routers still hold the old speaker's routes: ${JSON.stringify(counts)}`);
      await sleep(200);
    }
  }

  speakerContext(reloadTimeoutMs: number): FrrContext {
    return { run: spawnRunner, pathspace: this.speaker.name, reloadTimeoutMs };
  }
}

/** `show bgp ipv4 unicast summary json` on a router: state of its session to the speaker and prefixes received. */
export async function received(router: FrrInstance): Promise<{ established: boolean; prefixes: number }> {
  const j = (await router.showJson('show bgp ipv4 unicast summary json')) as Record<string, unknown>;
  const peers = (j.peers ?? (j.ipv4Unicast as Record<string, unknown> | undefined)?.peers ?? {}) as Record<string, Record<string, unknown>>;
  const p = peers[SPEAKER_ADDRESS];
  return { established: p?.state === 'Established', prefixes: typeof p?.pfxRcd === 'number' ? p.pfxRcd : 0 };
}

async function hasPrefix(router: FrrInstance, prefix: string): Promise<boolean> {
  const j = (await router.showJson(`show bgp ipv4 unicast ${prefix} json`)) as Record<string, unknown>;
  return Array.isArray(j.paths) && j.paths.length > 0;
}

export interface ApplyTiming {
  /** frr-reload.py --reload returned (ms), or undefined on timeout. */
  readonly reloadMs: number | undefined;
  /** The first router's session to the speaker is Established (ms; cold applies only). */
  readonly sessionUpMs?: number | undefined;
  /** The first router holds everything it should (ms). */
  readonly firstRouterMs: number | undefined;
  /** Every router holds everything (ms). */
  readonly allRoutersMs: number | undefined;
  readonly timedOut: boolean;
  readonly error?: string;
}

/** How a config reaches the speaker: frr-reload.py, or the sidecar's own apply path. */
type ApplyFn = (ctx: FrrContext, file: string) => Promise<void>;

const viaReload: ApplyFn = async (ctx, file) => {
  const run = await reloadOnce(ctx, file);
  if (run.error) throw run.error;
};

/**
 * The sidecar's path (`src/frr/frr-target.ts`): dry run, then into an empty FRR with `vtysh -f`,
 * verified with `frr-reload.py --test` (falling back to frr-reload.py if anything is left).
 */
const viaSidecar: ApplyFn = async (ctx, file) => {
  const target = createFrrTarget({ frr: ctx, configPath: file, files: realConfigFiles });
  await target.apply(await readFile(file, 'utf8'), undefined);
};

async function timedReload(ctx: FrrContext, file: string, t0: number, apply: ApplyFn = viaReload): Promise<{ ms?: number; timedOut: boolean; error?: string }> {
  try {
    await apply(ctx, file);
    return { ms: performance.now() - t0, timedOut: false };
  } catch (err) {
    const timedOut = err instanceof FrrCommandError && err.exitCode === undefined && /timed out/.test(err.message);
    return { timedOut, error: (err as Error).message.split('\n')[0] ?? '' };
  }
}

/** Applies FILE and waits until `done(router)` holds on each of the given routers, within limitMs. */
async function applyAndWait(
  lab: Lab,
  file: string,
  routers: readonly FrrInstance[],
  done: (r: FrrInstance) => Promise<boolean>,
  limitMs: number,
  watchSession = false,
  apply: ApplyFn = viaReload,
): Promise<ApplyTiming> {
  const t0 = performance.now();
  const reload = timedReload(lab.speakerContext(limitMs), file, t0, apply);
  let firstRouterMs: number | undefined;
  let allRoutersMs: number | undefined;
  const pending = new Set(routers);
  let reloadResult: Awaited<typeof reload> | undefined;
  void reload.then((r) => (reloadResult = r));
  let sessionUpMs: number | undefined;
  while (performance.now() - t0 < limitMs) {
    if (watchSession && sessionUpMs === undefined && routers[0] && (await received(routers[0]).catch(() => undefined))?.established) {
      sessionUpMs = performance.now() - t0;
    }
    for (const r of [...pending]) {
      if (await done(r).catch(() => false)) {
        pending.delete(r);
        if (r === routers[0]) firstRouterMs = performance.now() - t0;
      }
    }
    if (pending.size === 0) {
      allRoutersMs = performance.now() - t0;
      break;
    }
    if (reloadResult?.error !== undefined && !reloadResult.timedOut) break;
    await sleep(25);
  }
  const r = await reload;
  return {
    reloadMs: r.ms,
    ...(watchSession ? { sessionUpMs } : {}),
    firstRouterMs,
    allRoutersMs,
    timedOut: allRoutersMs === undefined && (r.timedOut || r.error === undefined),
    ...(r.error !== undefined ? { error: r.error } : {}),
  };
}

export interface ColdResult extends ApplyTiming {
  readonly services: number;
  readonly peers: number;
  readonly configLines: number;
}

/** Empty speaker -> config with `services` services and `peers` peers -> every router has them all. */
export async function coldApply(lab: Lab, shape: Shape, services: number, peers: number, limitMs: number): Promise<ColdResult> {
  await lab.resetSpeaker();
  const conf = shapeConfig(shape, range(services), peers);
  const file = join(lab.dir, `${shape}-cold.conf`);
  await writeFile(file, conf);
  const routers = lab.routers.slice(0, peers);
  // MetalLB's speaker always goes through frr-reload.py; the sidecar loads an empty FRR directly.
  const apply = shape === 'frr-renderer' ? viaSidecar : viaReload;
  const timing = await applyAndWait(lab, file, routers, async (r) => (await received(r)).prefixes >= services, limitMs, true, apply);
  return { ...timing, services, peers, configLines: conf.split('\n').length };
}

export interface ChangeResult {
  readonly kind: 'add' | 'remove';
  readonly timing: ApplyTiming;
  /** Commands `frr-reload.py --test` listed for the change (to delete + to add), without their context lines. */
  readonly deltaLines: number;
  /** Every line it printed, context lines (`router bgp N`, ` address-family ...`) included. */
  readonly deltaPrintedLines: number;
  readonly delta: ConfigDelta;
  /** Sessions of the speaker dropped or re-established by the change. */
  readonly sessionResets: number;
}

/**
 * With `services` services applied (by `coldApply` just before), adds one service, then removes
 * it again, `repeats` times (each time a different new service), timing each until the prefix
 * is at (gone from) every router.
 */
export async function oneServiceChanges(lab: Lab, shape: Shape, services: number, peers: number, repeats: number, limitMs: number): Promise<ChangeResult[]> {
  const base = range(services);
  const routers = lab.routers.slice(0, peers);
  const results: ChangeResult[] = [];
  for (let rep = 0; rep < repeats; rep++) {
    const extra = services + rep;
    const prefix = `${serviceV4(extra)}/32`;
    for (const kind of ['add', 'remove'] as const) {
      const conf = shapeConfig(shape, kind === 'add' ? [...base, extra] : base, peers);
      const file = join(lab.dir, `${shape}-${kind}.conf`);
      await writeFile(file, conf);
      const delta = await testReload(lab.speakerContext(limitMs), file);
      const before = await sessionCounters(lab.speaker);
      const timing = await applyAndWait(lab, file, routers, async (r) => (await hasPrefix(r, prefix)) === (kind === 'add'), limitMs);
      const after = await sessionCounters(lab.speaker);
      let sessionResets = 0;
      for (const [id, b] of before) {
        const a = after.get(id);
        if (a === undefined || a.dropped !== b.dropped || a.established !== b.established) sessionResets++;
      }
      results.push({ kind, timing, deltaLines: commands(delta.toAdd) + commands(delta.toDelete), deltaPrintedLines: delta.toAdd.length + delta.toDelete.length, delta, sessionResets });
      if (timing.timedOut || timing.error !== undefined) return results;
    }
  }
  return results;
}

/** Waits until every router used has an established session and all `services` prefixes. */
export async function settled(lab: Lab, services: number, peers: number, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const c = await Promise.all(lab.routers.slice(0, peers).map((r) => received(r).catch(() => ({ established: false, prefixes: -1 }))));
    if (c.every((x) => x.established && x.prefixes === services)) return true;
    await sleep(200);
  }
  return false;
}

export async function frrVersion(): Promise<string> {
  const r = await spawnRunner('/usr/lib/frr/bgpd', ['--version'], { timeoutMs: 10_000 }).catch(() => undefined);
  return /bgpd version\s+(\S+)/.exec(`${r?.stdout ?? ''}${r?.stderr ?? ''}`)?.[1] ?? 'not installed';
}

/** Commands in a `--test` section: lines that are not the context (a parent) of the next line. */
export function commands(lines: readonly string[]): number {
  const indent = (l: string): number => l.length - l.trimStart().length;
  return lines.filter((l, i) => i + 1 >= lines.length || indent(lines[i + 1]!) <= indent(l)).length;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
