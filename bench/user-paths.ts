/**
 * Issue 12, items 2, 3 and 5: every path a user runs, end to end, each next to its reference
 * measured in the same run, with the targets as MET / MISSED.
 *
 * - `render` CLI (spawn to exit) at 10,000 and 50,000 services x 8 peers in each layout
 *   (`cli-render.ts`), against the same objects rendered in memory;
 * - the sidecar as a process (`sidecar.ts`) on real FRR: `--source dir:` and `--source k8s` (fake
 *   API server) at 10,000 services x 8 peers, against the same config applied from memory by the
 *   same apply path; status objects and API requests; `explain` / `status` latency; idle CPU with
 *   children at 1,000 and 10,000; and where the time from a pod's start to its first route goes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliFloor, timeCliRender, type CliRenderResult } from './cli-render.js';
import { Lab } from './frr.js';
import { median } from './render.js';
import { dirSource, firstRoute, fmt, idleOnly, inProcessReference, k8sSource, type DirResult, type FirstRouteResult, type IdleResult, type InProcessReference, type K8sResult } from './sidecar.js';
import { killAllSidecars } from './sidecar-process.js';

export interface UserPathsOptions {
  readonly quick: boolean;
  /** Undefined when real FRR can run here; else why not (the sidecar part is skipped). */
  readonly frrSkipped: string | undefined;
  readonly limitMs: number;
  readonly log: (s: string) => void;
}

export interface Target {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

export interface UserPathsResult {
  readonly lines: string[];
  readonly targets: Target[];
  readonly raw: Record<string, unknown>;
}

const PEERS = 8;
const BIG = 10_000;

interface Row {
  readonly what: string;
  readonly measured: number | undefined;
  readonly reference: number | undefined;
  readonly referenceName: string;
  /** Target in ms (or %, MiB: then `unit`), checked as measured <= target. */
  readonly target?: number;
  readonly unit?: 'ms' | '%' | 'MiB' | 'per min';
}

function show(v: number | undefined, unit: Row['unit'] = 'ms'): string {
  if (v === undefined) return 'not reached';
  if (unit === 'ms') return fmt(v);
  if (unit === '%') return `${v.toFixed(2)} %`;
  if (unit === 'MiB') return `${v.toFixed(0)} MiB`;
  return `${v.toFixed(1)}/min`;
}

const medOf = (xs: readonly (number | undefined)[]): number | undefined => {
  const ok = xs.filter((x): x is number => x !== undefined);
  return ok.length === 0 || ok.length < xs.length ? undefined : median(ok);
};

export async function runUserPaths(o: UserPathsOptions): Promise<UserPathsResult> {
  const work = await mkdtemp(join(tmpdir(), 'frrt-bench-user-'));
  const rows: Row[] = [];
  const lines: string[] = [];
  const raw: Record<string, unknown> = {};
  try {
    // ------------------------------------------------------------ CLI render
    const floorMs = await cliFloor(3);
    raw['cliFloorMs'] = floorMs;
    o.log(`CLI floor (render examples/seed): ${floorMs.toFixed(0)} ms`);
    const cli: CliRenderResult[] = [];
    for (const services of [BIG, 50_000]) cli.push(...(await timeCliRender(work, services, PEERS, o.quick || services > BIG ? 1 : 3, o.log)));
    raw['cliRender'] = cli;
    rows.push({ what: 'CLI `render` of the seed example (process floor)', measured: floorMs, reference: undefined, referenceName: '-' });
    for (const r of cli) {
      rows.push({
        what: `CLI \`render --dir\` ${r.services.toLocaleString('en-US')} x ${r.peers} peers, ${layoutName(r.layout)} (${(r.inputBytes / 2 ** 20).toFixed(0)} MiB), spawn to exit`,
        measured: r.medianWallMs,
        reference: r.inMemoryMs,
        referenceName: 'same objects rendered in memory',
        target: r.services === BIG ? 1_500 : 6_000,
      });
    }

    // ------------------------------------------------------------ sidecar on real FRR
    if (o.frrSkipped === undefined) {
      o.log(`starting FRR for the sidecar runs: 1 speaker + ${PEERS} routers`);
      const lab = await Lab.create(PEERS, o.log);
      const onSignal = (): void => {
        killAllSidecars();
        void lab.destroy().finally(() => process.exit(130));
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const so = { lab, work, log: o.log, idleWindowMs: o.quick ? 20_000 : 60_000, repeats: o.quick ? 1 : 3, limitMs: Math.max(o.limitMs, 90_000) };
        const ref: InProcessReference = await inProcessReference(so, BIG, PEERS);
        o.log(`reference: render ${fmt(ref.renderMs)}, apply ${fmt(ref.applyMs)}, all routes ${fmt(ref.allRoutersMs)}, +1 at every router ${fmt(ref.addOne?.allRoutersMs)}`);
        const dir: DirResult = await dirSource(so, BIG, PEERS);
        const k8s: K8sResult = await k8sSource(so, BIG, PEERS);
        const idleSmall: IdleResult = await idleOnly(so, 1_000, PEERS);
        const first: FirstRouteResult = await firstRoute(so, 1_000, PEERS);
        raw['sidecar'] = { reference: ref, dir, k8s: { ...k8s, explain: k8s.explain.map((r) => r.wallMs), statusCommand: k8s.statusCommand.map((r) => r.wallMs) }, idleSmall, first };

        const refApply = ref.renderMs + ref.applyMs;
        const n = BIG.toLocaleString('en-US');
        rows.push(
          { what: `\`run --source dir:\` ${n} x ${PEERS}, one file per object: start to first apply`, measured: dir.start.appliedMs, reference: refApply, referenceName: 'render + apply from memory', target: 5_000 },
          { what: `  ... start to every route at every router`, measured: dir.start.allRoutersMs, reference: ref.allRoutersMs, referenceName: 'render + apply from memory, to every router' },
          { what: `  ... one edited file to applied`, measured: medOf(dir.edits.map((e) => e.appliedMs)), reference: ref.addOne?.appliedMs, referenceName: '+1 service applied from memory' },
          { what: `  ... one edited file to the new route at every router`, measured: medOf(dir.edits.map((e) => e.allRoutersMs)), reference: ref.addOne?.allRoutersMs, referenceName: '+1 service from memory, at every router' },
          { what: `  ... peak RSS`, measured: dir.peakRssKb / 1024, reference: undefined, referenceName: '-', unit: 'MiB' },
          { what: `\`run --source k8s\` ${n} Services + ${n} EndpointSlices: start to first apply (initial list included)`, measured: k8s.start.appliedMs, reference: refApply, referenceName: 'render + apply from memory', target: 5_000 },
          { what: `  ... start to initial list done ("source synced")`, measured: k8s.start.syncedMs, reference: undefined, referenceName: '-' },
          { what: `  ... start to every route at every router`, measured: k8s.start.allRoutersMs, reference: ref.allRoutersMs, referenceName: 'render + apply from memory, to every router' },
          { what: `  ... one Service added to applied`, measured: medOf(k8s.adds.map((e) => e.appliedMs)), reference: ref.addOne?.appliedMs, referenceName: '+1 service applied from memory' },
          { what: `  ... one Service added to its route at every router`, measured: medOf(k8s.adds.map((e) => e.allRoutersMs)), reference: ref.addOne?.allRoutersMs, referenceName: '+1 service from memory, at every router' },
          { what: `  ... 410 Gone on every watch, relist, one Service added: to applied`, measured: k8s.relist.appliedMs, reference: ref.addOne?.appliedMs, referenceName: '+1 service applied from memory' },
          { what: `  ... peak RSS (status on)`, measured: k8s.peakRssKb / 1024, reference: undefined, referenceName: '-', unit: 'MiB', target: 200 },
          { what: `status: from the first apply to every ServiceBGPStatus and BGPSessionState written`, measured: k8s.status.publishedMs, reference: undefined, referenceName: '-' },
          { what: `status: one Service added to its ServiceBGPStatus written`, measured: k8s.status.changeToStatusMs, reference: undefined, referenceName: '-' },
          { what: `status: API requests per minute, idle`, measured: k8s.status.idle.requestsPerMinute?.total, reference: undefined, referenceName: '-', unit: 'per min' },
          { what: `status: API requests per minute in the ${so.idleWindowMs / 1000} s after one change`, measured: k8s.status.afterChangePerMinute.total, reference: undefined, referenceName: '-', unit: 'per min' },
          { what: `\`explain\` of one service at ${n}, spawn to exit`, measured: median(k8s.explain.map((r) => r.wallMs)), reference: floorMs, referenceName: 'CLI process floor', target: 300 },
          { what: `\`status\` at ${n}, spawn to exit`, measured: median(k8s.statusCommand.map((r) => r.wallMs)), reference: floorMs, referenceName: 'CLI process floor' },
          { what: `idle CPU at 1,000 x ${PEERS}, sidecar with its children (of which children ${idleSmall.childrenCpuPercent.toFixed(2)} %)`, measured: idleSmall.sidecarCpuPercent, reference: idleSmall.frrCpuPercent, referenceName: "speaker's FRR daemons, same window", unit: '%', target: 1 },
          { what: `idle CPU at ${n} x ${PEERS}, sidecar with its children (of which children ${k8s.status.idle.childrenCpuPercent.toFixed(2)} %)`, measured: k8s.status.idle.sidecarCpuPercent, reference: k8s.status.idle.frrCpuPercent, referenceName: "speaker's FRR daemons, same window", unit: '%', target: 2 },
        );
        lines.push(...statusLines(k8s, so.idleWindowMs), ...firstRouteLines(first));
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        killAllSidecars();
        o.log(`removing ${lab.names.join(', ')}`);
        await lab.destroy();
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const table = [
    `User paths end to end (median; ${o.quick ? 'quick run: 1 run per CLI case, 20 s idle windows' : '3 runs per 10,000 CLI case, 1 per 50,000, 60 s idle windows'}; ratio = measured / reference of the same run):`,
    '',
    '| measurement | measured | reference (same run) | ratio | target |',
    '|---|---:|---:|---:|---|',
    ...rows.map((r) => {
      const ratio = r.measured !== undefined && r.reference !== undefined && r.reference > 0 ? `${(r.measured / r.reference).toFixed(1)}x` : '-';
      const ref = r.reference === undefined ? '-' : `${show(r.reference, r.unit)} (${r.referenceName})`;
      const target = r.target === undefined ? '' : `${r.measured !== undefined && r.measured <= r.target ? 'MET' : 'MISSED'} (<= ${show(r.target, r.unit)})`;
      return `| ${r.what} | ${show(r.measured, r.unit)} | ${ref} | ${ratio} | ${target} |`;
    }),
    '',
  ];
  if (o.frrSkipped !== undefined) table.push(`Sidecar on real FRR: skipped (${o.frrSkipped})`, '');
  const targets: Target[] = rows
    .filter((r) => r.target !== undefined)
    .map((r) => ({ target: `${r.what.replace(/^ {2}\.\.\. /, 'k8s: ')} <= ${show(r.target, r.unit)}`, measured: show(r.measured, r.unit), met: r.measured !== undefined && r.measured <= r.target! }));
  return { lines: [...table, ...lines], targets, raw };
}

function layoutName(l: CliRenderResult['layout']): string {
  return l === 'multi' ? 'one multi-document file' : l === 'files' ? 'one file per object' : 'one `kind: List`';
}

function statusLines(k: K8sResult, windowMs: number): string[] {
  const rq = (c: { total: number; watches: number; reads: number; writes: number } | undefined): string =>
    c === undefined ? '-' : `${c.total} (watches ${c.watches}, reads ${c.reads}, writes ${c.writes})`;
  return [
    `Status publishing at 10,000 services: objects written ${Object.entries(k.status.objects).map(([kind, n]) => `${kind} ${n}`).join(', ')}; first publish ${k.status.firstPublish.writes} writes; requests per minute idle ${rq(k.status.idle.requestsPerMinute)}, in the ${windowMs / 1000} s after one change ${rq(k.status.afterChangePerMinute)}.`,
    '',
  ];
}

function firstRouteLines(f: FirstRouteResult): string[] {
  const out = [
    `Where the time from a pod's start to its first route goes (1,000 services x ${PEERS} peers; FRR and the sidecar started at the same moment, status off; first route at the first router ${fmt(f.firstPrefixMs)}, every route at every router ${fmt(f.allRoutersMs)}):`,
    '',
    '| from | to | whose | what |',
    '|---:|---:|---|---|',
    ...f.phases.map((p) => `| ${fmt(p.fromMs)} | ${fmt(p.toMs)} | ${p.whose} | ${p.what} |`),
    '',
  ];
  return out;
}
