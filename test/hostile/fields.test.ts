/**
 * Every field of every kind (values and map keys) with every attack of `ATTACKS`, run through the
 * CLI's `main` in this process (`render --out` and `check`), and every property of `violations`
 * asserted for each run. The real binary runs a sample of the same cases in `process.test.ts`.
 */
import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATTACKS, attacked, baseCluster, fieldTargets, KEY_ATTACKS, manifest, NODE, targetName } from './generator.js';
import { configViolations, violations } from './properties.js';
import { runInProcess, tempDir } from './run.js';

const targets = fieldTargets();
const kinds = [...new Set(targets.map((t) => t.kind))];

async function runCase(docs: readonly unknown[]): Promise<string[]> {
  const dir = tempDir('field');
  writeFileSync(join(dir, 'cluster.yaml'), manifest(docs));
  const render = await runInProcess(['render', '--dir', dir, '--node', NODE], { out: join(dir, 'out.conf') });
  const check = await runInProcess(['check', '--dir', dir]);
  return [...violations(render).map((v) => `render: ${v}`), ...violations(check).map((v) => `check: ${v}`)];
}

describe('the base cluster (positive control)', () => {
  test('renders, every line from the templates, with the peer, the BFD profile and the service', async () => {
    const dir = tempDir('base');
    writeFileSync(join(dir, 'cluster.yaml'), manifest(baseCluster()));
    const r = await runInProcess(['render', '--dir', dir, '--node', NODE], { out: join(dir, 'out.conf') });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(violations(r)).toEqual([]);
    expect(r.outFile).toContain(' neighbor 192.0.2.1 password hunter2hunter2\n');
    expect(r.outFile).toContain(' profile bfd1\n');
    expect(r.outFile).toContain('  network 198.51.100.10/32 route-map metallb-tag-');
  });

  test('control: the properties catch an injected line, a forged error and a raw control character', () => {
    expect(configViolations('router bgp 64500\nneighbor 6.6.6.6 remote-as 1\n')).toHaveLength(1);
    expect(configViolations('hostname vm\n bgp router-id 6.6.6.6\n')).toHaveLength(1);
    expect(configViolations('hostname a b\n')).toHaveLength(1);
    expect(violations({ exitCode: 1, stdout: '', stderr: 'error: Service default/web\nerror: BGPPeer metallb-system/peer1: spec.myASN: FORGED\n' })).toContain('a forged line on stderr');
    expect(violations({ exitCode: 1, stdout: '', stderr: 'error: File a.yaml: x\u001b[2K\n' })).toEqual([expect.stringContaining('raw control character')]);
    expect(violations({ exitCode: 1, stdout: '', stderr: 'invalid configuration: 1 error(s)\n' })).toEqual([expect.stringContaining('not one problem')]);
    expect(violations({ exitCode: 1, stdout: 'x', stderr: '', outFile: 'new', outBefore: 'old' })).toEqual(['stdout not empty on error', '--out changed on error']);
  });
});

describe.each(kinds)('every field of %s with every attack', (kind) => {
  test('no crash, hang, injection, forged line or leak', async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const target of targets.filter((t) => t.kind === kind)) {
      for (const attack of target.key ? KEY_ATTACKS : ATTACKS) {
        const docs = attacked(target, attack);
        if (!docs) continue;
        cases++;
        for (const v of await runCase(docs)) failures.push(`${targetName(target)} = ${attack.cls}: ${v}`);
      }
    }
    expect(cases).toBeGreaterThan(ATTACKS.length); // the kind really was attacked
    expect(failures.slice(0, 20).map((f) => f.slice(0, 400))).toEqual([]);
  }, 180_000);
});

describe('Secret values never reach any message', () => {
  test('a password given in every wrong shape is never printed', async () => {
    const failures: string[] = [];
    for (const field of ['stringData', 'data', 'type']) {
      for (const shape of ['hunter2', ['hunter2'], { password: ['hunter2'] }, { password: 5 }, { password: 'hunter2 !' }]) {
        const docs = baseCluster();
        const secret = docs.find((d) => d['kind'] === 'Secret')!;
        delete secret['stringData'];
        secret[field] = shape;
        for (const redact of [[], ['--redact-passwords']]) {
          const dir = tempDir('secret');
          writeFileSync(join(dir, 'cluster.yaml'), manifest(docs));
          const r = await runInProcess(['render', '--dir', dir, '--node', NODE, ...redact]);
          if (r.stderr.includes('hunter2') || r.stderr.includes('(5)')) failures.push(`${field}=${JSON.stringify(shape)}: ${r.stderr}`);
          failures.push(...violations(r));
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
