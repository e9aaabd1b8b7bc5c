/**
 * `npm run bench [-- --quick] [-- --no-frr] [-- --no-render] [-- --no-fast-apply] [-- --no-user-paths] [-- --user-paths-only] [-- --limit=SECONDS]`
 *
 * The user paths (bench/user-paths.ts: the CLI from spawn to exit, the sidecar as a process from
 * its real sources to the routes at real routers, idle CPU, first route) come first, each next to
 * its in-memory reference of the same run; `--user-paths-only` runs just those (about 8 minutes).
 *
 * Prints tables and writes bench/results.json: render times in process, memory with 10,000
 * services, and (as root with FRR installed) apply times on real FRR for frr-renderer's config
 * shape and for a MetalLB-shape reference generator, side by side.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { coldApply, frrVersion, Lab, oneServiceChanges, settled, type ChangeResult, type ColdResult, type Shape } from './frr.js';
import { initRenderer, median, REPO_ROOT, timeRender, type RenderTiming } from './render.js';
import { runFastApplyBench } from './fast-apply.js';
import { runUserPaths } from './user-paths.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const userPathsOnly = args.has('--user-paths-only');
if (userPathsOnly) for (const a of ['--no-render', '--no-fast-apply', '--no-memory', '--no-frr-shapes']) args.add(a);
const frrQuick = args.has('--keep-frr') ? false : quick;
const limitArg = [...args].find((a) => a.startsWith('--limit='));
let limitMs = (limitArg ? Number(limitArg.slice('--limit='.length)) : quick ? 30 : 120) * 1000;
const log = (s: string): void => void process.stderr.write(`[bench] ${s}\n`);
await initRenderer();

// ---------------------------------------------------------------- machine
const cpus = os.cpus();
const machine = {
  cpu: cpus[0]?.model.trim() ?? 'unknown',
  cores: cpus.length,
  memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  frr: await frrVersion(),
  kernel: os.release(),
  loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  loadAverageAtEnd: [] as number[],
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
};
const machineLine = `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, FRR ${machine.frr}, Linux ${machine.kernel}`;
log(machineLine);

// ---------------------------------------------------------------- user paths (issue 12)
const userPaths = args.has('--no-user-paths') ? undefined : await runUserPaths({ quick, frrSkipped: args.has('--no-frr') ? '--no-frr' : frrHostSkip(), limitMs, log });

// ---------------------------------------------------------------- render
// --keep-render: carry render and memory figures over from the previous results.json (reprint only).
const previousResults = args.has('--keep-render') || args.has('--keep-frr')
  ? (JSON.parse(await readFile(join(REPO_ROOT, 'bench', 'results.json'), 'utf8')) as {
      machine: { date: string };
      render: RenderTiming[];
      memory: { runs: RssResult[] };
      frr: { limitMs?: number; from?: string; shapes?: Partial<Record<Shape, ShapeFrr>>; skipped?: string };
    })
  : undefined;
const keepRender = args.has('--keep-render') && previousResults !== undefined;
const renderResults: RenderTiming[] = keepRender ? previousResults!.render : [];
if (!args.has('--no-render') && !keepRender) {
  const sizes = quick ? [100, 1_000, 10_000] : [100, 1_000, 10_000, 50_000];
  const peerCounts = quick ? [1, 4] : [1, 4, 16];
  const vrfCounts = quick ? [1] : [1, 3];
  const cases = [...sizes.flatMap((s) => peerCounts.flatMap((p) => vrfCounts.map((v) => ({ services: s, peers: p, vrfs: v })))), { services: 10_000, peers: 8, vrfs: 2 }];
  for (const c of cases) {
    const runs = quick ? 3 : c.services >= 50_000 ? 5 : c.services >= 10_000 ? 9 : 15;
    const r = await timeRender(c, runs);
    log(`render ${c.services} x ${c.peers} peers x ${c.vrfs} VRFs: ${r.medianMs.toFixed(1)} ms (full pipeline ${r.fullMedianMs.toFixed(1)} ms)`);
    renderResults.push(r);
  }
}

// ---------------------------------------------------------------- memory
interface RssResult {
  services: number;
  peers: number;
  vrfs: number;
  rssKb: number;
  peakRssKb: number;
  baselineRssKb: number;
  heapUsedKb: number;
}
const rssRuns: RssResult[] = keepRender ? previousResults!.memory.runs : [];
for (let i = 0; i < (keepRender || args.has('--no-memory') ? 0 : quick ? 1 : 3); i++) {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', join(REPO_ROOT, 'dist-bench', 'bench', 'rss-child.js'), '10000', '8', '2']);
  rssRuns.push(JSON.parse(stdout) as RssResult);
}
const rss = {
  services: 10_000,
  peers: 8,
  vrfs: 2,
  rssMiB: median(rssRuns.map((r) => r.rssKb / 1024)),
  peakRssMiB: median(rssRuns.map((r) => r.peakRssKb / 1024)),
  emptyProcessRssMiB: median(rssRuns.map((r) => r.baselineRssKb / 1024)),
  heapUsedMiB: median(rssRuns.map((r) => r.heapUsedKb / 1024)),
};
if (rssRuns.length > 0) log(`memory with 10,000 services: RSS ${rss.rssMiB.toFixed(0)} MiB after GC, peak ${rss.peakRssMiB.toFixed(0)} MiB`);

// ---------------------------------------------------------------- FRR
interface ShapeFrr {
  cold: ColdResult[];
  changes: { services: number; peers: number; base: ColdResult; results: ChangeResult[] }[];
}
const frr: Partial<Record<Shape, ShapeFrr>> = {};
let frrSkipped: string | undefined;

function frrPreconditions(): string | undefined {
  if (args.has('--no-frr')) return '--no-frr';
  if (args.has('--no-frr-shapes')) return '--user-paths-only';
  return frrHostSkip();
}

/** Why real FRR cannot run on this host, or undefined. */
function frrHostSkip(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root (FRR runs in network namespaces)';
  try {
    accessSync('/usr/lib/frr/frrinit.sh', constants.X_OK);
    accessSync('/usr/lib/frr/frr-reload.py', constants.X_OK);
  } catch {
    return 'FRR is not installed (apt-get install -y frr frr-pythontools iproute2)';
  }
  return undefined;
}

// --keep-frr: rerun render and memory only, and carry the FRR figures of the previous
// results.json over (their date is kept and printed), e.g. after optimising the renderer.
let frrFrom: string | undefined;
if (args.has('--keep-frr')) {
  const previous = previousResults!;
  if (previous.frr.shapes === undefined) throw new Error('--keep-frr: the previous bench/results.json has no FRR figures');
  Object.assign(frr, previous.frr.shapes);
  frrFrom = previous.frr.from ?? previous.machine.date;
  if (previous.frr.limitMs !== undefined) limitMs = previous.frr.limitMs;
  log(`FRR figures kept from the run of ${frrFrom}`);
}
frrSkipped = frrFrom !== undefined ? undefined : frrPreconditions();
if (frrSkipped === undefined && frrFrom === undefined) {
  const coldSize = quick ? { services: 1_000, peers: 2 } : { services: 5_000, peers: 8 };
  const changeCombos = quick ? [{ services: 1_000, peers: 2 }] : [
    { services: 1_000, peers: 2 },
    { services: 1_000, peers: 8 },
    { services: 5_000, peers: 2 },
    { services: 5_000, peers: 8 },
  ];
  const routerCount = Math.max(coldSize.peers, ...changeCombos.map((c) => c.peers));
  log(`starting FRR: 1 speaker + ${routerCount} routers`);
  const lab = await Lab.create(routerCount, log);
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: removing ${lab.names.join(', ')}`);
    void lab.destroy().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const shape of ['frr-renderer', 'metallb'] as const) {
      const mine: ShapeFrr = { cold: [], changes: [] };
      frr[shape] = mine;
      const coldRuns = shape === 'metallb' || quick ? 1 : 3;
      for (let i = 0; i < coldRuns; i++) {
        const r = await coldApply(lab, shape, coldSize.services, coldSize.peers, limitMs);
        log(`${shape} cold ${coldSize.services} x ${coldSize.peers}: ${fmtTiming(r.allRoutersMs, r.timedOut)} (reload ${fmtTiming(r.reloadMs, r.timedOut)}, first session up ${fmtTiming(r.sessionUpMs, r.timedOut)})${r.error ? ` error: ${r.error}` : ''}`);
        mine.cold.push(r);
        if (r.timedOut || r.error) break;
      }
      for (const combo of changeCombos) {
        const base = await coldApply(lab, shape, combo.services, combo.peers, limitMs);
        log(`${shape} base ${combo.services} x ${combo.peers}: ${fmtTiming(base.allRoutersMs, base.timedOut)}`);
        if (base.timedOut || base.error || !(await settled(lab, combo.services, combo.peers, 30_000))) {
          mine.changes.push({ ...combo, base, results: [] });
          continue;
        }
        const results = await oneServiceChanges(lab, shape, combo.services, combo.peers, quick ? 1 : shape === 'metallb' ? 2 : 3, limitMs);
        for (const r of results) {
          log(`${shape} ${r.kind} 1 at ${combo.services} x ${combo.peers}: ${fmtTiming(r.timing.allRoutersMs, r.timing.timedOut)}, ${r.deltaLines} lines, ${r.sessionResets} session resets`);
        }
        mine.changes.push({ ...combo, base, results });
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!interrupted) {
      log(`removing ${lab.names.join(', ')}`);
      await lab.destroy();
    }
  }
}
// Issue 12, item 4: +1 service over successive changes, fast path vs frr-reload.py vs MetalLB's shape (bench/fast-apply.ts).
const fastApply = frrSkipped === undefined && frrFrom === undefined && !args.has('--no-fast-apply') ? await runFastApplyBench({ quick, limitMs, log }) : undefined;
machine.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);

// ---------------------------------------------------------------- report
function fmtTiming(ms: number | undefined, timedOut: boolean): string {
  if (ms === undefined) return timedOut ? `timeout (> ${limitMs / 1000} s)` : 'failed';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

/** Median of the runs that finished; undefined if any timed out or failed. */
function med(values: readonly (number | undefined)[]): number | undefined {
  if (values.length === 0 || values.some((v) => v === undefined)) return undefined;
  return median(values as number[]);
}

function ratio(theirs: number | undefined, ours: number | undefined, theirsTimedOut: boolean): string {
  if (ours === undefined) return '-';
  if (theirs === undefined) return theirsTimedOut ? `> ${(limitMs / ours).toFixed(0)}x` : '-';
  return `${(theirs / ours).toFixed(1)}x`;
}

const out: string[] = [];
out.push(`Machine: ${machineLine}; load average at start ${machine.loadAverageAtStart.join(' ')}, at end ${machine.loadAverageAtEnd.join(' ')} (${machine.mode} run)`, '');

if (renderResults.length > 0) {
  out.push('Render in process (median; "core" = snapshot -> frr.conf, "full" = raw objects -> decode, validate, intent, frr.conf):', '');
  out.push('| services | peers/VRF | VRFs | core ms | full ms | frr.conf lines |', '|---:|---:|---:|---:|---:|---:|');
  for (const r of renderResults) {
    out.push(`| ${r.services.toLocaleString('en-US')} | ${r.peers} | ${r.vrfs} | ${r.medianMs.toFixed(1)} | ${r.fullMedianMs.toFixed(1)} | ${r.configLines.toLocaleString('en-US')} |`);
  }
  out.push('');
}
if (userPaths) out.push(...userPaths.lines);
if (rssRuns.length > 0) out.push(
  `Memory, 10,000 services x 8 peers x 2 VRFs held (objects, snapshot, intent, frr.conf), child process: RSS ${rss.rssMiB.toFixed(0)} MiB after GC, peak ${rss.peakRssMiB.toFixed(0)} MiB (empty process ${rss.emptyProcessRssMiB.toFixed(0)} MiB, JS heap in use ${rss.heapUsedMiB.toFixed(0)} MiB)`,
  '',
);

interface Row {
  what: string;
  ours: number | undefined;
  oursTimedOut: boolean;
  theirs: number | undefined;
  theirsTimedOut: boolean;
  oursLines?: number | undefined;
  theirsLines?: number | undefined;
  resets?: number;
  /** Why the MetalLB shape has no figure for a change: its base apply timed out or never settled. */
  theirsSkipped?: string | undefined;
}
const rows: Row[] = [];
if (frrSkipped === undefined) {
  const o = frr['frr-renderer']!;
  const m = frr.metallb!;
  const c0 = o.cold[0]!;
  rows.push({
    what: `cold apply ${c0.services.toLocaleString('en-US')} services x ${c0.peers} peers, all routes at every router`,
    ours: med(o.cold.map((c) => c.allRoutersMs)),
    oursTimedOut: o.cold.some((c) => c.timedOut),
    theirs: med(m.cold.map((c) => c.allRoutersMs)),
    theirsTimedOut: m.cold.some((c) => c.timedOut),
  });
  for (const [i, oc] of o.changes.entries()) {
    const mc = m.changes[i]!;
    rows.push({
      what: `cold apply ${oc.services.toLocaleString('en-US')} x ${oc.peers} peers (base of the next two rows)`,
      ours: oc.base.allRoutersMs,
      oursTimedOut: oc.base.timedOut,
      theirs: mc.base.allRoutersMs,
      theirsTimedOut: mc.base.allRoutersMs === undefined,
      theirsSkipped:
        mc.base.allRoutersMs !== undefined && mc.base.reloadMs === undefined
          ? `${fmtTiming(mc.base.allRoutersMs, false)} (routes; frr-reload.py still running at ${limitMs / 1000} s)`
          : undefined,
    });
    for (const kind of ['add', 'remove'] as const) {
      const or = oc.results.filter((r) => r.kind === kind);
      const mr = mc.results.filter((r) => r.kind === kind);
      rows.push({
        what: `${kind === 'add' ? '+1' : '-1'} service at ${oc.services.toLocaleString('en-US')} x ${oc.peers} peers, ${kind === 'add' ? 'at' : 'gone from'} every router`,
        ours: med(or.map((r) => r.timing.allRoutersMs)),
        oursTimedOut: or.length === 0 || or.some((r) => r.timing.timedOut),
        theirs: mr.length === 0 ? undefined : med(mr.map((r) => r.timing.allRoutersMs)),
        theirsTimedOut: mr.length === 0 ? false : mr.some((r) => r.timing.timedOut),
        oursLines: or.length ? median(or.map((r) => r.deltaLines)) : undefined,
        theirsLines: mr.length ? median(mr.map((r) => r.deltaLines)) : undefined,
        resets: [...or, ...mr].reduce((n, r) => n + r.sessionResets, 0),
        theirsSkipped:
          mr.length > 0
            ? undefined
            : mc.base.allRoutersMs === undefined
              ? `not measured: base apply of ${mc.services.toLocaleString('en-US')} timed out (> ${limitMs / 1000} s)`
              : mc.base.reloadMs === undefined
                ? `not measured: base routes all in after ${fmtTiming(mc.base.allRoutersMs, false)}, but frr-reload.py did not finish within ${limitMs / 1000} s`
                : `not measured: base apply took ${fmtTiming(mc.base.allRoutersMs, false)} and did not settle within 30 s`,
      });
    }
  }
  out.push(
    `Real FRR ${machine.frr} (median; eBGP speaker -> one router FRR per peer on one LAN; MetalLB shape limited to ${limitMs / 1000} s${frrFrom !== undefined ? `; figures from the run of ${frrFrom}` : ''}):`,
    '',
  );
  out.push('| measurement | frr-renderer | MetalLB shape | ratio | reload --test lines (ours / MetalLB) | session resets |', '|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const theirsNote = r.theirsSkipped ?? fmtTiming(r.theirs, r.theirsTimedOut);
    out.push(
      `| ${r.what} | ${fmtTiming(r.ours, r.oursTimedOut)} | ${theirsNote} | ${ratio(r.theirs, r.ours, r.theirsTimedOut)} | ${r.oursLines ?? '-'} / ${r.theirsLines ?? '-'} | ${r.resets ?? '-'} |`,
    );
  }
  out.push('');
} else {
  out.push(`Real FRR: skipped (${frrSkipped})`, '');
}

if (fastApply) out.push(...fastApply.lines);

// ---------------------------------------------------------------- targets
interface Target {
  target: string;
  measured: string;
  met: boolean | undefined;
}
const targets: Target[] = [];
const renderTarget = renderResults.find((r) => r.services === 10_000 && r.peers === 8 && r.vrfs === 2);
if (renderTarget) targets.push({ target: 'render 10,000 x 8 peers x 2 VRFs <= 100 ms', measured: `${renderTarget.medianMs.toFixed(1)} ms (full pipeline ${renderTarget.fullMedianMs.toFixed(1)} ms)`, met: renderTarget.medianMs <= 100 });
const big = renderResults.filter((r) => r.services === 50_000);
if (big.length) {
  const worst = big.reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
  targets.push({ target: 'render 50,000 services <= 1 s', measured: `worst ${worst.medianMs.toFixed(0)} ms (${worst.peers} peers x ${worst.vrfs} VRFs; full pipeline ${worst.fullMedianMs.toFixed(0)} ms)`, met: worst.medianMs <= 1000 });
}
if (frrSkipped === undefined && !frrQuick) {
  const cold = rows[0]!;
  targets.push({ target: 'cold apply 5,000 x 8 peers <= 10 s, all received', measured: fmtTiming(cold.ours, cold.oursTimedOut), met: cold.ours !== undefined && cold.ours <= 10_000 });
  const adds = rows.filter((r) => r.what.startsWith('+1 service at 5,000'));
  const worstAdd = adds.reduce<Row | undefined>((a, b) => (a === undefined || (b.ours ?? Infinity) > (a.ours ?? Infinity) ? b : a), undefined);
  if (worstAdd) {
    targets.push({
      target: '+1 service at 5,000: at the router <= 2 s, <= 3 changed lines',
      measured: `${adds.map((a) => `${a.what.replace(/, at every router/, '')}: ${fmtTiming(a.ours, a.oursTimedOut)}, ${a.oursLines} lines`).join('; ')}`,
      met: adds.every((a) => a.ours !== undefined && a.ours <= 2_000 && (a.oursLines ?? 99) <= 3),
    });
  }
  const oursResets = Object.values(frr['frr-renderer']!.changes).flatMap((c) => c.results).reduce((n, r) => n + r.sessionResets, 0);
  targets.push({ target: 'no session reset for advertisement-only changes', measured: `${oursResets} resets (connectionsDropped/Established) over all frr-renderer +1/-1 changes`, met: oursResets === 0 });
}
if (fastApply) targets.push(...fastApply.targets);
if (userPaths) targets.push(...userPaths.targets);
if (rssRuns.length > 0) targets.push({ target: 'sidecar RSS <= 150 MiB with 10,000 services (peak)', measured: `${rss.rssMiB.toFixed(0)} MiB after GC, peak ${rss.peakRssMiB.toFixed(0)} MiB (${(rss.peakRssMiB * 1.048576).toFixed(0)} MB)`, met: rss.peakRssMiB <= 150 });
out.push('Targets:', '');
for (const t of targets) out.push(`- ${t.met === undefined ? '?' : t.met ? 'MET   ' : 'MISSED'} ${t.target}: ${t.measured}`);
out.push('');
process.stdout.write(out.join('\n'));

// --user-paths-only leaves the full run's results.json as it is.
await writeFile(
  join(REPO_ROOT, 'bench', userPathsOnly ? 'results-user-paths.json' : 'results.json'),
  JSON.stringify(
    {
      machine,
      addresses: { peers: '192.0.2.0/24 (documentation)', servicesV4: '198.18.0.0/15 (RFC 2544 benchmarking; announced only)', servicesV6: '2001:db8:5e::/48 (render only)' },
      render: renderResults,
      memory: { ...rss, runs: rssRuns },
      frr: frrSkipped === undefined ? { limitMs, ...(frrFrom !== undefined ? { from: frrFrom } : {}), shapes: frr, table: rows } : { skipped: frrSkipped },
      ...(fastApply ? { fastApply: { sizes: fastApply.sizes, series: fastApply.series } } : {}),
      ...(userPaths ? { userPaths: userPaths.raw } : {}),
      targets,
    },
    (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v),
    2,
  ) + '\n',
);
log(`wrote bench/${userPathsOnly ? 'results-user-paths.json' : 'results.json'}`);
