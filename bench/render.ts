/** In-process render timings, and rendering of the synthetic clusters for the FRR runs. */
import { DEFAULT_FRR_RELEASE, formsFor } from '../src/intent/frr-release.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSnapshot } from '../src/api/snapshot.js';
import { buildIntent } from '../src/intent/build-intent.js';
import { DEFAULT_METALLB_NAMESPACE, renderObjects } from '../src/pipeline.js';
import { createRenderer, type Renderer } from '../src/render/renderer.js';
import { loadTemplates } from '../src/render/templates.js';
import { NODE, synthObjects, type SynthOptions } from './synth.js';

/** The repository root, from `dist-bench/bench/` (compiled) as from `bench/`. */
export const REPO_ROOT = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${'/'}dist-bench${'/'}`) || here.endsWith('/dist-bench/bench') ? join(here, '..', '..') : join(here, '..');
})();

let renderer: Renderer | undefined;

export async function initRenderer(): Promise<Renderer> {
  renderer ??= createRenderer(await loadTemplates(join(REPO_ROOT, 'templates')));
  return renderer;
}

/** frr.conf of a synthetic cluster (the services listed), through the whole pipeline. */
export function renderSynthetic(opts: Omit<SynthOptions, 'services'> & { serviceIndexes: readonly number[]; hostname?: string }): string {
  if (!renderer) throw new Error('initRenderer() first');
  const objects = synthObjects({ ...opts, services: opts.serviceIndexes.length }, opts.serviceIndexes);
  const result = renderObjects(objects, { node: NODE, ...(opts.hostname !== undefined ? { hostname: opts.hostname } : {}) }, [], renderer);
  if (result.config === undefined) {
    throw new Error(`synthetic cluster did not render: ${result.problems.filter((p) => p.severity === 'error').map((p) => p.message).slice(0, 3).join('; ')}`);
  }
  return result.config;
}

export interface RenderCase {
  readonly services: number;
  readonly peers: number;
  readonly vrfs: number;
}

export interface RenderTiming extends RenderCase {
  /** snapshot -> frr.conf (intent + templates), median ms. */
  readonly medianMs: number;
  readonly minMs: number;
  /** raw objects -> frr.conf (decode + validate + intent + templates), median ms. */
  readonly fullMedianMs: number;
  readonly runs: number;
  readonly configBytes: number;
  readonly configLines: number;
}

declare const gc: (() => void) | undefined;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Times one case: `runs` timed runs after one warm-up, for both the core and the full pipeline. */
export async function timeRender(c: RenderCase, runs: number): Promise<RenderTiming> {
  const render = await initRenderer();
  const objects = synthObjects({ ...c, v6Every: 10 });
  const snapshot = buildSnapshot([...objects], { metallbNamespace: DEFAULT_METALLB_NAMESPACE }).snapshot;
  const intentOpts = { node: NODE, redactPasswords: false, hostname: null, assumeEndpointsReady: true, frr: formsFor(DEFAULT_FRR_RELEASE) };
  const core = (): string => {
    const intent = buildIntent(snapshot, intentOpts).intent;
    if (!intent) throw new Error('synthetic cluster has errors');
    return render(intent);
  };
  let config = core();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (typeof gc === 'function') gc();
    const t = performance.now();
    config = core();
    times.push(performance.now() - t);
  }
  const full: number[] = [];
  renderObjects(objects, { node: NODE }, [], render);
  for (let i = 0; i < runs; i++) {
    if (typeof gc === 'function') gc();
    const t = performance.now();
    renderObjects(objects, { node: NODE }, [], render);
    full.push(performance.now() - t);
  }
  return {
    ...c,
    medianMs: median(times),
    minMs: Math.min(...times),
    fullMedianMs: median(full),
    runs,
    configBytes: config.length,
    configLines: config.split('\n').length - 1,
  };
}
