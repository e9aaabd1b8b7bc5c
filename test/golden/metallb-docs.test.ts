/**
 * Issue 13, "Done when": every MetalLB v1beta1/v1beta2 example object of MetalLB's own
 * documentation renders without errors (fixtures/metallb-docs/, README there).
 *
 * Each example folder is rendered for worker-0 and for every node its nodeSelectors name by
 * host name, with and without `--example-services` (so pools and advertisements become network
 * lines), and checked with `check`. Every MetalLB object of the BGP kinds must reach the snapshot:
 * an example that decodes to nothing would pass "no errors" for the wrong reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblem } from '../../src/api/problems.js';
import { buildSnapshot } from '../../src/api/snapshot.js';
import { checkDirectory, renderDirectory } from '../../src/pipeline.js';
import { readFolder } from '../../src/sources/read-folder.js';
import { FIXTURES_DIR } from '../support/fixtures.js';

const DOCS = join(FIXTURES_DIR, 'metallb-docs');
const examples = readdirSync(DOCS, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

/** BGP kinds the renderer reads; L2Advertisement (MetalLB's L2 mode) and FRRConfiguration are not its. */
const BGP_KINDS = ['BGPPeer', 'IPAddressPool', 'BGPAdvertisement', 'BFDProfile', 'Community'];

/** worker-0, plus every host name the example's selectors name (matchLabels or In values). */
function nodesOf(dir: string): string[] {
  const text = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  const names = new Set(['worker-0']);
  for (const m of text.matchAll(/kubernetes\.io\/hostname: (\S+)/g)) names.add(m[1]!);
  for (const m of text.matchAll(/key: kubernetes\.io\/hostname\s+operator: In\s+values: \[([^\]]+)\]/g)) for (const v of m[1]!.split(',')) names.add(v.trim());
  return [...names].map((n) => n.toLowerCase()).sort();
}

describe("MetalLB's documentation examples", () => {
  it('are all here: every page block and config sample with a MetalLB object', () => {
    expect(examples.length).toBe(58);
    for (const prefix of ['configuration-', 'advanced-bgp-', 'advanced-ipaddresspool-', 'migration-to-crds-', 'faq-', 'usage-example-', 'configsamples-']) {
      expect([prefix, examples.some((e) => e.startsWith(prefix))]).toEqual([prefix, true]);
    }
  });

  describe.each(examples.map((e) => [e] as const))('%s', (example) => {
    const dir = join(DOCS, example);

    it('every BGP object of the example is read (none dropped)', async () => {
      const { objects, problems } = await readFolder(dir);
      expect(problems.map(formatProblem)).toEqual([]);
      const { snapshot } = buildSnapshot(objects, { metallbNamespace: 'metallb-system' });
      const read = snapshot.peers.length + snapshot.pools.length + snapshot.advertisements.length + snapshot.bfdProfiles.length;
      const written = objects.filter((o) => BGP_KINDS.includes(o.kind) && o.kind !== 'Community').length;
      expect(read).toBe(written);
      const aliases = objects.filter((o) => o.kind === 'Community').flatMap((o) => ((o.spec as { communities?: unknown[] })?.communities ?? []));
      expect(snapshot.communityAliases).toHaveLength(aliases.length);
    });

    it.each(nodesOf(dir).flatMap((node) => [[node, false], [node, true]] as const))('renders for node %s (example services: %s) without errors', async (node, exampleServices) => {
      const result = await renderDirectory(dir, { node, exampleServices, redactPasswords: true });
      expect(result.problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
      expect(result.config).toContain('frr defaults traditional\n');
    });

    it('check finds no error', async () => {
      const result = await checkDirectory(dir, {});
      expect(result.problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
    });
  });
});
