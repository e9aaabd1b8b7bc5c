/**
 * Every fixture renders to its golden bytes; the same inputs in any order render the same bytes.
 * `npm run fixtures:update` (UPDATE_GOLDEN=1) rewrites the expected files; review the diff like code.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { formatProblem } from '../../src/api/problems.js';
import { defaultRenderer, renderDirectory, renderObjects } from '../../src/pipeline.js';
import { readFolder } from '../../src/sources/read-folder.js';
import { loadCases } from '../support/fixtures.js';

const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const cases = loadCases();

describe('golden fixtures', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('renders to the expected bytes (or the expected errors)', async () => {
      const result = await renderDirectory(c.inputDir, { node: c.node, redactPasswords: true, ...c.options });
      const errors = result.problems.filter((p) => p.severity === 'error').map((p) => `${formatProblem(p)}\n`).join('');
      const warnings = result.problems.filter((p) => p.severity === 'warning').map((p) => `${formatProblem(p)}\n`).join('');
      if (UPDATE) {
        writeOrRemove(c.expectedConfigFile, result.config);
        writeOrRemove(c.expectedErrorFile, errors || undefined);
        writeOrRemove(c.expectedWarningsFile, warnings || undefined);
      }
      if (c.rejected) {
        expect(result.config).toBeUndefined();
        expect(existsSync(c.expectedConfigFile)).toBe(false);
        expect(errors).toBe(readFileSync(c.expectedErrorFile, 'utf8'));
      } else {
        expect(errors).toBe('');
        expect(result.config).toBe(readFileSync(c.expectedConfigFile, 'utf8'));
      }
      expect(warnings).toBe(existsSync(c.expectedWarningsFile) ? readFileSync(c.expectedWarningsFile, 'utf8') : '');
    });

    it('renders the same bytes with its objects shuffled', async () => {
      const { objects, problems } = await readFolder(c.inputDir);
      const render = await defaultRenderer();
      const opts = { node: c.node, redactPasswords: true, ...c.options };
      const reference = renderObjects(objects, opts, problems, render);
      const random = seeded(c.name);
      for (let round = 0; round < 5; round++) {
        const shuffled = shuffle(objects, random);
        const again = renderObjects(shuffled, opts, problems, render);
        expect(again.config).toBe(reference.config);
        expect(again.problems.map(formatProblem)).toEqual(reference.problems.map(formatProblem));
      }
    });

    it('never prints a password in a golden file', () => {
      const text = existsSync(c.expectedConfigFile) ? readFileSync(c.expectedConfigFile, 'utf8') : '';
      for (const line of text.split('\n').filter((l) => / password /.test(l))) {
        expect(line).toMatch(/ password <redacted>$/);
      }
    });
  });
});

function writeOrRemove(file: string, text: string | undefined): void {
  if (text === undefined) rmSync(file, { force: true });
  else writeFileSync(file, text);
}

/** Deterministic per case, so a failure reproduces. */
function seeded(name: string): () => number {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return () => {
    h = (Math.imul(h ^ (h >>> 15), 2246822507) + 0x6d2b79f5) >>> 0;
    return h / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
