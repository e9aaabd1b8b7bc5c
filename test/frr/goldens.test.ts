/**
 * Layer 3 of DESIGN.md: every golden config passes `vtysh -C`, loads into a live FRR, and
 * round-trips with an empty `frr-reload.py --test`. Controls prove both checks can fail.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRelease, formsFor } from '../../src/intent/frr-release.js';
import { cleanupStale, describeWithFrr, installationUnderTest, type FrrInstance } from '../harness/index.js';
import { findGoldenCases, renderCleartext } from './golden-cases.js';
import { deltaAfterLoading, destroyAll, syntaxCheck, writeConfig } from './round-trip.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = resolve(HERE, '../../fixtures');
/** Hand-written samples in the canonical form of a tested release (the nearest below the one under test). */
const SAMPLES = sampleDir();
const FRR_TIMEOUT_MS = 60_000;
const NOTHING_TO_CHANGE = { toDelete: [], toAdd: [] };

const goldenCases = findGoldenCases(FIXTURES);
const SAMPLE_FILES = SAMPLES === undefined ? [] : readdirSync(SAMPLES).filter((name) => name.endsWith('.frr.conf')).sort();

/** Undefined when no FRR of the release under test is installed (describeWithFrr then reports why). */
function sampleDir(): string | undefined {
  try {
    return join(HERE, 'samples', formatRelease(formsFor(installationUnderTest().release).basis));
  } catch {
    return undefined;
  }
}

/** Hand-written samples carry `hostname HOSTNAME`; FRR shows the machine's name instead. */
async function readSample(name: string): Promise<string> {
  return (await readFile(join(SAMPLES!, name), 'utf8')).replace(/^hostname HOSTNAME$/m, `hostname ${hostname()}`);
}

describeWithFrr('golden configs on real FRR (in network namespaces)', () => {
  const instances = new Set<FrrInstance>();
  let workDir = '';

  beforeAll(async () => {
    const removed = await cleanupStale();
    if (removed.length > 0) console.warn(`removed leftovers of earlier runs: ${removed.join(', ')}`);
    workDir = await mkdtemp(join(tmpdir(), 'frrt-goldens-'));
  }, FRR_TIMEOUT_MS);

  afterAll(async () => {
    await destroyAll(instances);
    if (workDir !== '') await rm(workDir, { recursive: true, force: true });
  }, FRR_TIMEOUT_MS);

  describe('controls: the checks can fail', () => {
    it('vtysh -C rejects a file containing "wrong line"', async () => {
      const file = await writeConfig(workDir, 'wrong-line.conf', 'router bgp 64512\nwrong line\n');
      const result = await syntaxCheck(file);
      expect(result.valid).toBe(false);
      expect(result.errors.join('\n')).toContain('wrong line');
    });

    it('frr-reload.py --test reports lines FRR prints in another form', async () => {
      // FRR shows `65535:65282` as `no-advertise` and hides the default `port 179`.
      const canonical = await readSample('metallb-dual-stack.frr.conf');
      const config = canonical
        .replace('set community no-advertise additive', 'set community 65535:65282 additive')
        .replace(' neighbor 192.0.2.1 remote-as 64513\n', ' neighbor 192.0.2.1 remote-as 64513\n  neighbor 192.0.2.1 port 179\n');
      const file = await writeConfig(workDir, 'non-canonical.conf', config);
      const delta = await deltaAfterLoading(file, instances);
      expect(delta.toDelete).toContain(' no set community no-advertise additive');
      expect(delta.toAdd).toEqual(
        expect.arrayContaining([' set community 65535:65282 additive', ' neighbor 192.0.2.1 port 179']),
      );
    }, FRR_TIMEOUT_MS);
  });

  describe('hand-written samples in FRR canonical form', () => {
    it.each(SAMPLE_FILES)(
      '%s passes vtysh -C and round-trips through a live FRR',
      async (sample) => {
        const file = await writeConfig(workDir, sample, await readSample(sample));
        expect(await syntaxCheck(file)).toEqual({ valid: true, errors: [] });
        expect(await deltaAfterLoading(file, instances)).toEqual(NOTHING_TO_CHANGE);
      },
      FRR_TIMEOUT_MS,
    );
  });

  describe('golden fixtures', () => {
    it('fixtures/ holds golden cases to check', () => {
      expect(goldenCases.map((c) => c.name)).not.toEqual([]);
    });

    for (const goldenCase of goldenCases) {
      describe(goldenCase.name, () => {
        let file = '';

        beforeAll(async () => {
          file = await writeConfig(workDir, `${goldenCase.name}.frr.conf`, await renderCleartext(goldenCase));
        });

        it('passes vtysh -C (clear-text render)', async () => {
          expect(await syntaxCheck(file)).toEqual({ valid: true, errors: [] });
        });

        it('loads into a live FRR with nothing left for frr-reload.py to change', async () => {
          expect(await deltaAfterLoading(file, instances)).toEqual(NOTHING_TO_CHANGE);
        }, FRR_TIMEOUT_MS);
      });
    }
  });
});
