/**
 * Every fixture renders to its golden bytes, for every tested FRR release; the same inputs in any
 * order render the same bytes.
 * `npm run fixtures:update` (UPDATE_GOLDEN=1) rewrites the expected files and then fails, naming
 * each file it changed: review the diff like code and run the tests again. A run in update mode
 * can never pass while it changes something.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { formatProblem } from '../../src/api/problems.js';
import { compareReleases, DEFAULT_FRR_RELEASE, formatRelease, TESTED_RELEASES } from '../../src/intent/frr-release.js';
import { loadRenderer, renderDirectory, renderObjects } from '../../src/pipeline.js';
import { readFolder } from '../../src/sources/read-folder.js';
import { expectedConfigFileFor, FIXTURES_DIR, loadCases } from '../support/fixtures.js';

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
        failIfUpdated([
          writeOrRemove(c.expectedConfigFile, result.config),
          writeOrRemove(c.expectedErrorFile, errors || undefined),
          writeOrRemove(c.expectedWarningsFile, warnings || undefined),
        ]);
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
      const render = await loadRenderer();
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
      for (const release of TESTED_RELEASES) {
        const file = expectedConfigFileFor(c, release);
        const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
        expect(text).not.toMatch(/ password (?!<redacted>$)/m);
      }
    });

    for (const release of TESTED_RELEASES.filter((r) => compareReleases(r, DEFAULT_FRR_RELEASE) !== 0)) {
      const name = formatRelease(release);
      it(`renders for FRR ${name} to expected.frr-${name}.conf, or to expected.frr.conf when no line differs`, async () => {
        const result = await renderDirectory(c.inputDir, { node: c.node, redactPasswords: true, ...c.options, frrRelease: release });
        const own = expectedConfigFileFor(c, release);
        const reference = existsSync(c.expectedConfigFile) ? readFileSync(c.expectedConfigFile, 'utf8') : undefined;
        if (UPDATE) failIfUpdated([writeOrRemove(own, result.config === reference ? undefined : result.config)]);
        if (existsSync(own)) {
          expect(readFileSync(own, 'utf8')).not.toBe(reference); // a copy of the default's is noise
          expect(result.config).toBe(readFileSync(own, 'utf8'));
        } else {
          expect(result.config).toBe(reference);
        }
      });
    }
  });

  it('has a golden case with a (redacted) password line, so the check above is exercised', () => {
    const withPassword = cases.filter((c) => existsSync(c.expectedConfigFile) && / password <redacted>$/m.test(readFileSync(c.expectedConfigFile, 'utf8')));
    expect(withPassword.map((c) => c.name)).not.toEqual([]);
  });
});

/** Writes (or removes, for undefined) a golden file; returns its path when that changed it. */
function writeOrRemove(file: string, text: string | undefined): string | undefined {
  const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (before === text) return undefined;
  if (text === undefined) rmSync(file, { force: true });
  else writeFileSync(file, text);
  return file;
}

/** Update mode: a test that changed a golden file fails, naming it, so update mode never passes silently. */
function failIfUpdated(changed: readonly (string | undefined)[]): void {
  const files = changed.filter((f): f is string => f !== undefined).map((f) => relative(FIXTURES_DIR, f));
  if (files.length > 0) throw new Error(`updated ${files.map((f) => `fixtures/${f}`).join(', ')}: review the diff, then run the tests again`);
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
