/**
 * Every config rendered from MetalLB's documentation examples (fixtures/metallb-docs/) passes the
 * parser of every supported FRR release (`vtysh -C`, the FRR under test). No daemon is started:
 * the examples use their own addresses (172.30.0.3, 192.168.10.0/24, a public 42.176.25.64/30),
 * which live tests may only use inside namespaces they made, so they are never loaded into a
 * running FRR here; test/golden/metallb-docs.test.ts covers the rendering itself.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSyntax } from '../../src/frr/vtysh.js';
import { spawnRunner } from '../../src/frr/run.js';
import { renderDirectory } from '../../src/pipeline.js';
import { describeWithFrr, installationUnderTest } from '../harness/index.js';
import { FIXTURES_DIR } from '../support/fixtures.js';

const DOCS = join(FIXTURES_DIR, 'metallb-docs');

describeWithFrr("MetalLB's documentation examples through FRR's parser", () => {
  it('every example, with and without example services, is accepted by vtysh -C', async () => {
    const installation = installationUnderTest();
    const frr = { run: spawnRunner, vtysh: installation.vtysh };
    const dir = await mkdtemp(join(tmpdir(), 'frr-renderer-docs-'));
    try {
      const examples = (await readdir(DOCS, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
      expect(examples.length).toBeGreaterThanOrEqual(50);
      const refused: string[] = [];
      for (const example of examples) {
        for (const exampleServices of [false, true]) {
          const result = await renderDirectory(join(DOCS, example), { node: 'worker-0', exampleServices, frrRelease: installation.release });
          expect([example, result.config === undefined]).toEqual([example, false]);
          const file = join(dir, `${example}-${exampleServices}.conf`);
          await writeFile(file, result.config!, { mode: 0o600 });
          const check = await checkSyntax(frr, file);
          if (!check.valid) refused.push(`${example} (example services: ${exampleServices}): ${check.errors.join(' | ')}`);
        }
      }
      expect(refused).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('control: vtysh -C refuses a broken line, so the check above can fail', async () => {
    const installation = installationUnderTest();
    const dir = await mkdtemp(join(tmpdir(), 'frr-renderer-docs-'));
    try {
      const file = join(dir, 'broken.conf');
      await writeFile(file, 'router bgp 64500\n neighbor 192.0.2.1 remote-ass 64501\nexit\n', { mode: 0o600 });
      expect((await checkSyntax({ run: spawnRunner, vtysh: installation.vtysh }, file)).valid).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
