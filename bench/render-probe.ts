import { join } from 'node:path';
import { renderObjects } from '../src/pipeline.js';
import { createRenderer } from '../src/render/renderer.js';
import { loadTemplates } from '../src/render/templates.js';
import { NODE, synthObjects } from './synth.js';

const render = createRenderer(await loadTemplates(join(process.cwd(), 'templates')));
const [s, p, v] = process.argv.slice(2).map(Number);
const objs = synthObjects({ services: s!, peers: p!, vrfs: v! });
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const r = renderObjects(objs, { node: NODE }, [], render);
  const ms = performance.now() - t;
  console.log(ms.toFixed(1), 'ms', r.config?.length, r.problems.filter((x) => x.severity === 'error').slice(0, 3).map((x) => x.message));
}
