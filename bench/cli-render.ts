/**
 * `frr-renderer render --dir` as a user runs it: a fresh process from spawn to exit, on the
 * synthetic cluster written to disk in each layout (`cluster-files.ts`), next to the same objects
 * rendered in memory in this process (decode excluded: the objects are already parsed), and next to
 * the process floor (`render` of the seed example: Node start, module load, templates).
 */
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { RawObject } from '../src/api/decode.js';
import { renderObjects } from '../src/pipeline.js';
import { clusterManifests, LAYOUTS, writeLayout, type Layout } from './cluster-files.js';
import { timeNodeProcess } from './proc.js';
import { initRenderer, median, REPO_ROOT } from './render.js';
import { NODE } from './synth.js';

export interface CliRenderResult {
  readonly services: number;
  readonly peers: number;
  readonly layout: Layout;
  readonly inputBytes: number;
  /** Spawn to exit, per run (ms). */
  readonly wallMs: readonly number[];
  readonly medianWallMs: number;
  readonly peakRssKb: number | undefined;
  /** The same objects rendered in this process (raw objects -> frr.conf), median ms. */
  readonly inMemoryMs: number;
}

declare const gc: (() => void) | undefined;

/** Full pipeline from objects already in memory, median of `runs`. */
function inMemory(objects: readonly RawObject[], runs: number, render: Awaited<ReturnType<typeof initRenderer>>): number {
  const times: number[] = [];
  renderObjects(objects, { node: NODE, hostname: hostname() }, [], render);
  for (let i = 0; i < runs; i++) {
    if (typeof gc === 'function') gc();
    const t = performance.now();
    const r = renderObjects(objects, { node: NODE, hostname: hostname() }, [], render);
    times.push(performance.now() - t);
    if (r.config === undefined) throw new Error('the synthetic cluster did not render in memory');
  }
  return median(times);
}

/** `render` of the seed example: what any CLI run costs before it reads a byte. */
export async function cliFloor(runs: number): Promise<number> {
  const wall: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await timeNodeProcess([join(REPO_ROOT, 'bin', 'frr-renderer.js'), 'render', '--dir', join(REPO_ROOT, 'examples', 'seed'), '--node', 'worker-0']);
    if (r.exitCode !== 0) throw new Error(`render of examples/seed exited ${r.exitCode}: ${r.stderr.slice(0, 300)}`);
    wall.push(r.wallMs);
  }
  return median(wall);
}

/** Every layout at one size: the files are written once per layout, timed `runs` times, removed. */
export async function timeCliRender(work: string, services: number, peers: number, runs: number, log: (s: string) => void): Promise<CliRenderResult[]> {
  const render = await initRenderer();
  const manifests = clusterManifests({ services, peers, vrfs: 1, v6Every: 10 });
  const inMemoryMs = inMemory(manifests.map((m) => ({ ...m, source: 'bench' }) as RawObject), 3, render);
  const out: CliRenderResult[] = [];
  for (const layout of LAYOUTS) {
    const dir = join(work, `cli-${services}-${layout}`);
    const inputBytes = await writeLayout(dir, layout, manifests);
    const wallMs: number[] = [];
    let peakRssKb: number | undefined;
    for (let i = 0; i < runs; i++) {
      const r = await timeNodeProcess([join(REPO_ROOT, 'bin', 'frr-renderer.js'), 'render', '--dir', dir, '--node', NODE], { timeoutMs: 180_000 });
      if (r.exitCode !== 0) throw new Error(`render --dir (${layout}, ${services}) exited ${r.exitCode}: ${r.stderr.slice(0, 500)}`);
      wallMs.push(r.wallMs);
      peakRssKb = Math.max(peakRssKb ?? 0, r.peakRssKb ?? 0) || undefined;
    }
    await rm(dir, { recursive: true, force: true });
    const res: CliRenderResult = { services, peers, layout, inputBytes, wallMs, medianWallMs: median(wallMs), peakRssKb, inMemoryMs };
    log(`CLI render ${services} x ${peers} (${layout}, ${(inputBytes / 2 ** 20).toFixed(1)} MiB): ${wallMs.map((w) => w.toFixed(0)).join(', ')} ms; in memory ${inMemoryMs.toFixed(0)} ms`);
    out.push(res);
  }
  return out;
}
