import { buildSnapshot } from '../src/api/snapshot.js';
import { buildIntent } from '../src/intent/build-intent.js';
import { NODE, synthObjects } from './synth.js';
const [s, p, v] = process.argv.slice(2).map(Number);
const snap = buildSnapshot(synthObjects({ services: s!, peers: p!, vrfs: v! }), { metallbNamespace: 'metallb-system' }).snapshot;
const ts: number[] = [];
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  buildIntent(snap, { node: NODE, redactPasswords: false, hostname: null, assumeEndpointsReady: true });
  ts.push(performance.now() - t);
}
console.log(ts.map((x) => x.toFixed(0)).join(' '));
