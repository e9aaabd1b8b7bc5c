/**
 * The golden cases the FRR tests check: every `fixtures/<case>/` with an `expected.frr.conf`,
 * rendered in clear text (passwords kept, hostname = this machine's) as the sidecar would.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { formatProblem } from '../../src/api/problems.js';
import { renderDirectory } from '../../src/pipeline.js';
import { installationUnderTest } from '../harness/installation.js';

export interface GoldenCase {
  readonly name: string;
  readonly dir: string;
  /** `node` of case.yaml, default `worker-0`. */
  readonly node: string;
  /** `options` of case.yaml, passed to `renderDirectory` as they are (e.g. `exampleServices`). */
  readonly options: Readonly<Record<string, unknown>>;
}

const DEFAULT_NODE = 'worker-0';

/** Sorted by name, read at collection time (Jest needs the list before any test runs). */
export function findGoldenCases(fixturesDir: string): GoldenCase[] {
  if (!existsSync(fixturesDir)) return [];
  return readdirSync(fixturesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(fixturesDir, entry.name, 'expected.frr.conf')))
    .map((entry) => readCase(join(fixturesDir, entry.name), entry.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function readCase(dir: string, name: string): GoldenCase {
  const file = join(dir, 'case.yaml');
  const raw: unknown = existsSync(file) ? parse(readFileSync(file, 'utf8')) : {};
  const doc = (raw ?? {}) as { node?: unknown; options?: unknown };
  if (typeof doc !== 'object') throw new Error(`${file}: expected a mapping`);
  if (doc.node !== undefined && typeof doc.node !== 'string') throw new Error(`${file}: node must be a string`);
  if (doc.options !== undefined && (typeof doc.options !== 'object' || doc.options === null)) {
    throw new Error(`${file}: options must be a mapping`);
  }
  return {
    name,
    dir,
    node: doc.node ?? DEFAULT_NODE,
    options: (doc.options ?? {}) as Record<string, unknown>,
  };
}

/**
 * The clear-text config the sidecar would apply on `case.node` to the FRR under test (rendered for
 * its release); throws with the problems when rendering fails.
 */
export async function renderCleartext(goldenCase: GoldenCase): Promise<string> {
  const result = await renderDirectory(join(goldenCase.dir, 'input'), {
    ...goldenCase.options,
    node: goldenCase.node,
    hostname: hostname(),
    redactPasswords: false,
    frrRelease: installationUnderTest().release,
  });
  if (result.config === undefined) {
    const errors = result.problems.map(formatProblem).join('\n  ');
    throw new Error(`fixtures/${goldenCase.name} did not render:\n  ${errors}`);
  }
  return result.config;
}
