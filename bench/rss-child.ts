/**
 * Child process for the memory figure: holds what the sidecar holds with N services loaded (the
 * raw objects as a watch cache would, the snapshot, the intent and the rendered config), then
 * reports its resident set size. Run by run.ts as `node --expose-gc rss-child.js N PEERS VRFS`, with
 * the NODE_OPTIONS of `npm run bench` (the image's: `--max-semi-space-size=4`).
 */
import { DEFAULT_FRR_RELEASE, formsFor } from '../src/intent/frr-release.js';
import { readFileSync } from 'node:fs';
import { buildSnapshot } from '../src/api/snapshot.js';
import { buildIntent } from '../src/intent/build-intent.js';
import { DEFAULT_METALLB_NAMESPACE } from '../src/pipeline.js';
import { initRenderer } from './render.js';
import { NODE, synthObjects } from './synth.js';

declare const gc: (() => void) | undefined;

function statusKb(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m?.[1] ?? 0);
}

const [services = 10_000, peers = 8, vrfs = 2] = process.argv.slice(2).map(Number);
const baseline = statusKb('VmRSS');
const render = await initRenderer();
const held: unknown[] = [];
for (let round = 0; round < 3; round++) {
  // Three reconciles, as after a few changes; each round's results replace the previous ones.
  const objects = synthObjects({ services, peers, vrfs, v6Every: 10 });
  const snapshot = buildSnapshot([...objects], { metallbNamespace: DEFAULT_METALLB_NAMESPACE }).snapshot;
  const intent = buildIntent(snapshot, { node: NODE, redactPasswords: false, hostname: null, assumeEndpointsReady: true, frr: formsFor(DEFAULT_FRR_RELEASE) });
  const config = render(intent.intent!);
  held.length = 0;
  held.push(objects, snapshot, intent, config);
}
if (typeof gc === 'function') gc();
const heap = process.memoryUsage();
process.stdout.write(
  JSON.stringify({
    services,
    peers,
    vrfs,
    baselineRssKb: baseline,
    rssKb: statusKb('VmRSS'),
    peakRssKb: statusKb('VmHWM'),
    heapUsedKb: Math.round(heap.heapUsed / 1024),
    configBytes: (held[3] as string).length,
  }) + '\n',
);
