import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { renderObjects } from '../src/pipeline.js';
import { createRenderer } from '../src/render/renderer.js';
import { loadTemplates } from '../src/render/templates.js';
import { NODE, synthObjects } from './synth.js';
const render = createRenderer(await loadTemplates(join(process.argv[2]!, 'templates')));
const cases = [
  { services: 100, peers: 1, vrfs: 1 }, { services: 1000, peers: 4, vrfs: 3, v6Every: 3 }, { services: 3000, peers: 16, vrfs: 3, v6Every: 7 },
  { services: 500, peers: 3, vrfs: 2, mix: 'plain' as const }, { services: 0, peers: 2, vrfs: 1 },
];
cases.forEach((c, i) => {
  const r = renderObjects(synthObjects(c), { node: NODE }, [], render);
  writeFileSync(join(process.argv[3]!, `case${i}.conf`), (r.config ?? 'NONE') + JSON.stringify(r.problems) + JSON.stringify(r.intent, (_k, v) => (typeof v === "bigint" ? String(v) : v)));
});
