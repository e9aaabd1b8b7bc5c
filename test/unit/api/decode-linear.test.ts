/**
 * Decoding must stay linear in the number of documents (issue 12: line numbers recounted from the
 * start of the text for every document made 10,000 Services take 86 s). The test compares the time
 * for N and 4N documents in one run, so it holds on a slow or busy machine: linear gives a ratio
 * near 4, quadratic near 16. The control runs the same measurement on a decoder made quadratic on
 * purpose, proving the threshold tells the two apart.
 */
import { describe, expect, test } from '@jest/globals';
import { decodeDocuments } from '../../../src/api/decode.js';

const THRESHOLD = 8;

function services(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\n  namespace: default\nspec:\n  type: LoadBalancer\nstatus:\n  loadBalancer:\n    ingress:\n    - ip: 10.0.${(i >> 8) & 255}.${i & 255}\n`,
    );
  }
  return out.join('');
}

/** Best of `runs` timings: the minimum is the least disturbed by other jobs on the machine. */
function bestMs(run: () => void, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

function growthRatio(decode: (text: string) => unknown, n: number): number {
  const small = services(n);
  const large = services(4 * n);
  decode(small); // warm up the JIT so the first timing is not the compile
  return bestMs(() => decode(large), 3) / bestMs(() => decode(small), 3);
}

/** What decode did before the fix: each document's line number counted from the start of the text. */
function quadraticDecode(text: string): unknown {
  const result = decodeDocuments(text, 'q.yaml');
  let offset = 0;
  for (;;) {
    offset = text.indexOf('\n---\n', offset + 1);
    if (offset < 0) break;
    let line = 1;
    for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  }
  return result;
}

describe('decode cost grows linearly with the number of documents', () => {
  test(`4x the documents takes less than ${THRESHOLD}x the time`, () => {
    const ratio = growthRatio((t) => decodeDocuments(t, 'l.yaml'), 2_000);
    process.stdout.write(`linear decode ratio ${ratio.toFixed(2)}\n`);
    expect(ratio).toBeLessThan(THRESHOLD);
  });

  test('control: a quadratic decoder is caught by the same threshold', () => {
    const ratio = growthRatio(quadraticDecode, 1_000);
    process.stdout.write(`quadratic control ratio ${ratio.toFixed(2)}\n`);
    expect(ratio).toBeGreaterThan(THRESHOLD);
  });
});
