/**
 * Issue 12, item 4: +1 service at the router, over many successive changes, for the three ways a
 * change reaches FRR, side by side in one run on the lab of `frr.ts` (a speaker and one router FRR
 * per peer on a LAN, in network namespaces):
 * - `fast`: frr-renderer's apply (`src/frr/frr-target.ts`) with its fast path: the changed network
 *   lines in one vtysh session, verified by targeted reads;
 * - `reload`: the same apply with the fast path off: frr-reload.py --reload, verified by --test;
 * - `metallb`: MetalLB's config shape (`metallb-shape.ts`) through frr-reload.py, as its reloader does.
 *
 * "At the router" is read from the routers' own logs (`debug bgp updates in`, millisecond
 * timestamps), not by polling them: on 2 cores a loop of vtysh calls to 8 routers steals the CPU
 * the speaker needs and adds its own period to every figure. Each figure is the time from the
 * start of the apply call to the log line of the last (and first) router.
 *
 * After every change: `frr-reload.py --test` of the rendered bytes must list nothing (the running
 * config equals the render), and the speaker's sessions are counted (connections dropped or
 * established) before and after the series. Not timed: the sidecar's debounce and the render
 * (its time for the same config is reported next to the figures).
 *
 * Standalone: `npx tsc -p tsconfig.bench.json && node dist-bench/bench/fast-apply.js [--quick] [--limit=SECONDS]
 * [--json=FILE]` (as root, FRR installed; `FRR_UNDER_TEST=trixie` for FRR 10.3 from its root);
 * `npm run bench` runs it too.
 */
import { chmod, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFrrTarget, type ApplyPath, type ConfigTarget } from '../src/frr/frr-target.js';
import type { FrrContext } from '../src/frr/context.js';
import { reloadOnce, testReload, isEmptyDelta } from '../src/frr/reload.js';
import { FrrCommandError } from '../src/frr/run.js';
import { realConfigFiles } from '../src/frr/write-file.js';
import { sessionCounters } from '../test/harness/expect-bgp.js';
import { installationUnderTest } from '../test/harness/installation.js';
import type { FrrInstance } from '../test/harness/frr-instance.js';
import { sleep } from '../test/harness/system.js';
import { Lab, settled, shapeConfig } from './frr.js';
import { initRenderer, median } from './render.js';
import { serviceV4 } from './synth.js';

export type ChangePath = 'fast' | 'reload' | 'metallb';

export interface FastApplySize {
  readonly services: number;
  readonly peers: number;
  /** Successive +1 changes per path (MetalLB's shape: `metallbChanges`, each takes seconds). */
  readonly changes: number;
  readonly metallbChanges: number;
}

export interface ChangeSample {
  readonly prefix: string;
  /** ms from the apply call to its return. */
  readonly applyMs: number | undefined;
  /** ms from the apply call to the first / last router logging the prefix. */
  readonly firstRouterMs: number | undefined;
  readonly allRoutersMs: number | undefined;
  /** How frr-renderer applied it (fast, reload); undefined for MetalLB's shape. */
  readonly path: ApplyPath | undefined;
  readonly fastPathDeclined?: string;
  /** `frr-reload.py --test` of the render afterwards listed nothing; undefined when not checked. */
  readonly runningEqualsRender: boolean | undefined;
  /** ms of the render of this config (not part of the figures). */
  readonly renderMs: number;
  readonly error?: string;
}

export interface PathSeries {
  readonly path: ChangePath;
  readonly services: number;
  readonly peers: number;
  /** The base apply (cold, into an empty speaker): ms until every router held every prefix, or why not. */
  readonly baseMs: number | undefined;
  readonly baseError?: string;
  readonly samples: readonly ChangeSample[];
  /** Sessions of the speaker dropped or re-established over the series. */
  readonly sessionResets: number;
}

export interface FastApplyResult {
  readonly sizes: readonly FastApplySize[];
  readonly series: readonly PathSeries[];
  readonly lines: readonly string[];
  readonly targets: readonly { readonly target: string; readonly measured: string; readonly met: boolean | undefined }[];
}

export function fastApplySizes(quick: boolean): FastApplySize[] {
  return quick
    ? [{ services: 1_000, peers: 2, changes: 10, metallbChanges: 1 }]
    : [
        { services: 5_000, peers: 8, changes: 100, metallbChanges: 3 },
        { services: 1_000, peers: 2, changes: 20, metallbChanges: 3 },
      ];
}

/** `2026/12/01 01:00:12.371` (FRR's log time, local, `log timestamp precision 3`) -> epoch ms. */
export function parseLogTime(line: string): number | undefined {
  const m = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})/.exec(line);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
}

/** The routers' update logs: where each one's log file is, and how far it was read. */
class RouterLogs {
  private constructor(private readonly files: readonly string[]) {}

  /** Points each router's log at a file of the lab's and turns on `debug bgp updates in` (after the base load: 5,000 lines each otherwise). */
  static async start(routers: readonly FrrInstance[], logDir: string, label: string): Promise<RouterLogs> {
    const files = routers.map((r, i) => join(logDir, `${label}-router${i}.log`));
    for (const [i, r] of routers.entries()) {
      await r.configure(['log timestamp precision 3', `log file ${files[i]!} debugging`]);
      await r.show('debug bgp updates in');
    }
    return new RouterLogs(files);
  }

  async stop(routers: readonly FrrInstance[]): Promise<void> {
    for (const [i, r] of routers.entries()) {
      await r.show('no debug bgp updates in').catch(() => undefined);
      await r.configure([`no log file ${this.files[i]!}`]).catch(() => undefined);
    }
  }

  async sizes(): Promise<number[]> {
    return Promise.all(this.files.map(async (f) => (await stat(f).catch(() => undefined))?.size ?? 0));
  }

  /**
   * Waits until every router logged receiving `prefix` after byte `from[i]` of its log; the
   * log times, or undefined for a router that did not within `limitMs`.
   */
  async received(prefix: string, from: readonly number[], limitMs: number): Promise<(number | undefined)[]> {
    const pattern = new RegExp(` rcvd ${prefix.replace(/[./]/g, (c) => `\\${c}`)}(?:\\s|$)`);
    const found: (number | undefined)[] = this.files.map(() => undefined);
    const deadline = performance.now() + limitMs;
    for (;;) {
      for (const [i, file] of this.files.entries()) {
        if (found[i] !== undefined) continue;
        const text = await readFrom(file, from[i] ?? 0);
        const line = text.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) found[i] = parseLogTime(line);
      }
      if (found.every((t) => t !== undefined) || performance.now() > deadline) return found;
      await sleep(20);
    }
  }
}

async function readFrom(file: string, offset: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return '';
  try {
    const { size } = await handle.stat();
    if (size <= offset) return '';
    const buf = Buffer.alloc(size - offset);
    await handle.read(buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    await handle.close();
  }
}

function range(from: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

/** Applies `config` the path's way; resolves with what frr-renderer says about it (nothing for MetalLB's shape). */
type Apply = (config: string, previous: string | undefined) => Promise<{ path?: ApplyPath; fastPathDeclined?: string }>;

function applier(path: ChangePath, ctx: FrrContext, dir: string): { apply: Apply; renderedFile: string } {
  if (path === 'metallb') {
    const file = join(dir, 'metallb.conf');
    return {
      renderedFile: file,
      apply: async (config) => {
        await writeFile(file, config, { mode: 0o600 });
        const run = await reloadOnce(ctx, file);
        if (run.error) throw run.error;
        return {};
      },
    };
  }
  // The sidecar's own apply, on a file of the lab's (under a pathspace FRR writes its own frr.conf).
  const configPath = join(dir, `${path}-frr.conf`);
  const target: ConfigTarget = createFrrTarget({ frr: ctx, configPath, files: realConfigFiles, fastPath: path === 'fast' });
  return {
    renderedFile: `${configPath}.candidate`,
    apply: async (config, previous) => {
      const outcome = await target.apply(config, previous);
      return { path: outcome.path, ...(outcome.fastPathDeclined === undefined ? {} : { fastPathDeclined: outcome.fastPathDeclined }) };
    },
  };
}

async function resets(lab: Lab, before: Awaited<ReturnType<typeof sessionCounters>>): Promise<number> {
  const after = await sessionCounters(lab.speaker);
  let n = 0;
  for (const [id, b] of before) {
    const a = after.get(id);
    if (a === undefined) n++;
    else n += a.dropped - b.dropped + (a.established - b.established);
  }
  return n;
}

/** One path at one size: a cold base apply, then `changes` successive +1 services. */
async function series(lab: Lab, logDir: string, path: ChangePath, size: FastApplySize, limitMs: number, log: (s: string) => void): Promise<PathSeries> {
  const { services, peers } = size;
  const shape = path === 'metallb' ? 'metallb' : 'frr-renderer';
  const changes = path === 'metallb' ? size.metallbChanges : size.changes;
  const routers = lab.routers.slice(0, peers);
  await lab.resetSpeaker();
  // The speaker's own programs (a root's wrappers for FRR 10.3: FRR_UNDER_TEST=trixie), with the bench's limit.
  const ctx: FrrContext = { ...lab.speaker.frr, reloadTimeoutMs: limitMs };
  const { apply, renderedFile } = applier(path, ctx, lab.dir);
  let current = range(0, services);
  let config = shapeConfig(shape, current, peers);
  const t0 = performance.now();
  // The context's own limit (limitMs) ends an apply that takes longer.
  const base = await apply(config, undefined).then(
    () => undefined,
    (err: unknown) => (err instanceof FrrCommandError && err.exitCode === undefined ? `timed out (> ${limitMs / 1000} s)` : String((err as Error).message).split('\n')[0]),
  );
  if (base !== undefined || !(await settled(lab, services, peers, Math.max(30_000, limitMs - (performance.now() - t0))))) {
    const why = base ?? 'routes did not all arrive';
    log(`${path} base ${services} x ${peers}: ${why}`);
    return { path, services, peers, baseMs: undefined, baseError: why, samples: [], sessionResets: 0 };
  }
  const baseMs = performance.now() - t0;
  log(`${path} base ${services} x ${peers}: ${(baseMs / 1000).toFixed(2)} s`);
  const logs = await RouterLogs.start(routers, logDir, `${path}-${services}x${peers}`);
  const before = await sessionCounters(lab.speaker);
  const samples: ChangeSample[] = [];
  try {
    for (let i = 0; i < changes; i++) {
      const added = services + i;
      const prefix = `${serviceV4(added)}/32`;
      const r0 = performance.now();
      const next = shapeConfig(shape, [...current, added], peers);
      const renderMs = performance.now() - r0;
      const offsets = await logs.sizes();
      const wall0 = Date.now();
      const start = performance.now();
      let said: Awaited<ReturnType<Apply>> | undefined;
      let error: string | undefined;
      try {
        said = await apply(next, config);
      } catch (err) {
        error = String((err as Error).message).split('\n')[0];
      }
      const applyMs = error === undefined ? performance.now() - start : undefined;
      const times = await logs.received(prefix, offsets, limitMs);
      const seen = times.filter((t): t is number => t !== undefined).map((t) => t - wall0);
      const all = seen.length === routers.length ? Math.max(...seen) : undefined;
      // The render as FRR must run it now; MetalLB's shape is not checked (its --test alone takes seconds).
      const equal = path === 'metallb' ? undefined : isEmptyDelta(await testReload(ctx, renderedFile));
      samples.push({
        prefix,
        applyMs,
        firstRouterMs: seen.length > 0 ? Math.min(...seen) : undefined,
        allRoutersMs: all,
        path: said?.path,
        ...(said?.fastPathDeclined === undefined ? {} : { fastPathDeclined: said.fastPathDeclined }),
        runningEqualsRender: equal,
        renderMs,
        ...(error === undefined ? {} : { error }),
      });
      if (error !== undefined || all === undefined) {
        log(`${path} +1 #${i + 1}: ${error ?? 'not at every router'}; series stopped`);
        break;
      }
      current = [...current, added];
      config = next;
      if ((i + 1) % 10 === 0 || changes <= 10) log(`${path} +1 #${i + 1} at ${services} x ${peers}: ${all.toFixed(0)} ms at every router (apply ${applyMs?.toFixed(0)} ms, ${said?.path ?? 'frr-reload.py'})`);
    }
  } finally {
    await logs.stop(routers);
  }
  return { path, services, peers, baseMs, samples, sessionResets: await resets(lab, before) };
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

function ms(v: number | undefined): string {
  if (v === undefined) return '-';
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`;
}

const LABEL: Record<ChangePath, string> = {
  fast: 'frr-renderer, fast path (vtysh session)',
  reload: 'frr-renderer, frr-reload.py path',
  metallb: "MetalLB's shape, frr-reload.py",
};

/** The table and the targets of a run. */
export function report(all: readonly PathSeries[], limitMs: number): Pick<FastApplyResult, 'lines' | 'targets'> {
  const lines: string[] = [
    '+1 service, successive changes (from the apply call to the prefix in the log of the first / every router; not counting the debounce and the render, whose median is given):',
    '',
    '| size | path | changes | median at every router | p90 | worst | first router (median) | apply call (median) | vs fast path | session resets | running config = render | render (median) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of all) {
    const size = `${s.services.toLocaleString('en-US')} x ${s.peers}`;
    const ok = s.samples.filter((x) => x.allRoutersMs !== undefined);
    if (ok.length === 0) {
      lines.push(`| ${size} | ${LABEL[s.path]} | 0 | not measured: base apply ${s.baseError ?? 'failed'} | | | | | | | | |`);
      continue;
    }
    const at = ok.map((x) => x.allRoutersMs!);
    const fast = all.find((f) => f.path === 'fast' && f.services === s.services && f.peers === s.peers);
    const fastMedian = fast && fast.samples.length > 0 ? median(fast.samples.filter((x) => x.allRoutersMs !== undefined).map((x) => x.allRoutersMs!)) : undefined;
    const checked = s.samples.filter((x) => x.runningEqualsRender !== undefined);
    const equal = checked.length === 0 ? 'not checked' : `${checked.filter((x) => x.runningEqualsRender).length}/${checked.length}`;
    const paths = s.path === 'metallb' ? '' : ` (${[...new Set(s.samples.map((x) => x.path))].map((p) => `${s.samples.filter((x) => x.path === p).length} ${p}`).join(', ')})`;
    lines.push(
      `| ${size} | ${LABEL[s.path]}${paths} | ${s.samples.length} | ${ms(median(at))} | ${ms(quantile(at, 0.9))} | ${ms(Math.max(...at))} | ${ms(median(ok.map((x) => x.firstRouterMs!)))} | ${ms(median(ok.map((x) => x.applyMs ?? 0)))} | ${fastMedian === undefined || s.path === 'fast' ? '-' : `${(median(at) / fastMedian).toFixed(1)}x`} | ${s.sessionResets} | ${equal} | ${ms(median(s.samples.map((x) => x.renderMs)))} |`,
    );
  }
  lines.push('');
  const declined = all.flatMap((s) => s.samples.filter((x) => s.path === 'fast' && x.path !== 'fast').map((x) => `${x.prefix}: ${x.fastPathDeclined ?? x.error ?? '?'}`));
  if (declined.length > 0) lines.push(`Fast path not taken: ${declined.slice(0, 5).join('; ')}${declined.length > 5 ? ` (and ${declined.length - 5} more)` : ''}`, '');

  const targets: FastApplyResult['targets'][number][] = [];
  const main = all.find((s) => s.path === 'fast' && s.services === 5_000 && s.peers === 8);
  if (main !== undefined) {
    const at = main.samples.map((x) => x.allRoutersMs);
    const done = at.every((v) => v !== undefined) && at.length > 0;
    const values = at.filter((v): v is number => v !== undefined);
    const fastOnly = main.samples.every((x) => x.path === 'fast');
    targets.push({
      target: `+1 service at 5,000 x 8 peers at every router (fast path): median <= 300 ms, worst <= 1 s over ${main.samples.length} successive changes`,
      measured: done ? `median ${ms(median(values))}, worst ${ms(Math.max(...values))}${fastOnly ? '' : ' (not every change took the fast path)'}` : `not every change arrived (limit ${limitMs / 1000} s)`,
      met: done ? median(values) <= 300 && Math.max(...values) <= 1000 && fastOnly : false,
    });
    const ours = all.filter((s) => s.path !== 'metallb');
    const resets = ours.reduce((n, s) => n + s.sessionResets, 0);
    const checks = ours.flatMap((s) => s.samples.map((x) => x.runningEqualsRender));
    targets.push({
      target: 'fast and frr-reload.py paths: 0 session resets, running config equal to the render after every change',
      measured: `${resets} resets; frr-reload.py --test empty after ${checks.filter((c) => c === true).length} of ${checks.length} changes`,
      met: resets === 0 && checks.length > 0 && checks.every((c) => c === true),
    });
  }
  return { lines, targets };
}

/** Runs every size and path in one lab; the routers are reused, the speaker reset between series. */
export async function runFastApplyBench(opts: { readonly quick: boolean; readonly limitMs: number; readonly log: (s: string) => void }): Promise<FastApplyResult> {
  await initRenderer();
  const sizes = fastApplySizes(opts.quick);
  const routerCount = Math.max(...sizes.map((s) => s.peers));
  opts.log(`fast apply: starting FRR: 1 speaker + ${routerCount} routers`);
  const lab = await Lab.create(routerCount, opts.log);
  // The routers' daemons run as frr: their log folder is one they can write (the lab's is root's, 0700).
  const logDir = await mkdtemp(join(tmpdir(), 'frr-renderer-bench-logs-'));
  await chmod(logDir, 0o777);
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    opts.log(`${sig}: removing ${lab.names.join(', ')}`);
    void lab.destroy().finally(() => rm(logDir, { recursive: true, force: true })).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const all: PathSeries[] = [];
  try {
    for (const size of sizes) {
      for (const path of ['fast', 'reload', 'metallb'] as const) all.push(await series(lab, logDir, path, size, opts.limitMs, opts.log));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!interrupted) {
      opts.log(`removing ${lab.names.join(', ')}`);
      await lab.destroy();
    }
    await rm(logDir, { recursive: true, force: true });
  }
  return { sizes, series: all, ...report(all, opts.limitMs) };
}

// Standalone: prints the table and targets, and the raw samples as JSON on request (--json=FILE).
if (process.argv[1]?.endsWith('/fast-apply.js')) {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const limitArg = args.find((a) => a.startsWith('--limit='));
  const jsonArg = args.find((a) => a.startsWith('--json='));
  const limitMs = (limitArg ? Number(limitArg.slice('--limit='.length)) : quick ? 30 : 120) * 1000;
  const log = (s: string): void => void process.stderr.write(`[bench] ${s}\n`);
  const os = await import('node:os');
  const load0 = os.loadavg();
  const result = await runFastApplyBench({ quick, limitMs, log });
  const load1 = os.loadavg();
  const cpu = os.cpus();
  process.stdout.write(
    [
      `Machine: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores, Node ${process.version}, FRR ${installationUnderTest().packageVersion}; load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${load1.map((x) => x.toFixed(2)).join(' ')}`,
      '',
      ...result.lines,
      'Targets:',
      '',
      ...result.targets.map((t) => `- ${t.met === undefined ? '?' : t.met ? 'MET   ' : 'MISSED'} ${t.target}: ${t.measured}`),
      '',
    ].join('\n'),
  );
  if (jsonArg) await writeFile(jsonArg.slice('--json='.length), JSON.stringify({ loadAverage: { start: load0, end: load1 }, ...result }, null, 2) + '\n');
}
