import { join } from 'node:path';
import { buildSnapshot } from '../src/api/snapshot.js';
import { buildIntent } from '../src/intent/build-intent.js';
import { createRenderer } from '../src/render/renderer.js';
import { loadTemplates } from '../src/render/templates.js';
import { NODE, synthObjects } from './synth.js';

const render = createRenderer(await loadTemplates(join(process.cwd(), 'templates')));
const [s, p, v] = process.argv.slice(2).map(Number);
const objs = synthObjects({ services: s!, peers: p!, vrfs: v! });
for (let i = 0; i < 8; i++) {
  let t = performance.now();
  const snap = buildSnapshot([...objs], { metallbNamespace: 'metallb-system' }).snapshot;
  const t1 = performance.now() - t; t = performance.now();
  const intent = buildIntent(snap, { node: NODE, redactPasswords: false, hostname: null, assumeEndpointsReady: true });
  const t2 = performance.now() - t; t = performance.now();
  const conf = render(intent.intent!);
  const t3 = performance.now() - t;
  console.log(`snapshot ${t1.toFixed(0)} intent ${t2.toFixed(0)} render ${t3.toFixed(0)} len ${conf.length}`);
}
