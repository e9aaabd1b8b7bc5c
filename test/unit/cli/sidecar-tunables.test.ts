/**
 * Issue 14, item 6: every tunable of the sidecar is in one table, has a flag and is in --help;
 * `run --once` that cannot apply says so (not "invalid configuration").
 */
import { jest } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotAppliedError } from '../../../src/cli/errors.js';
import type { CliIo } from '../../../src/cli/io.js';
import type { RunArgs } from '../../../src/cli/run-command.js';
import { TUNABLES, tunables } from '../../../src/cli/sidecar-tunables.js';

const captured: { run?: RunArgs } = {};
const realRun = await import('../../../src/cli/run-command.js');
let capture = true;
jest.unstable_mockModule('../../../src/cli/run-command.js', () => ({
  ...realRun,
  runCommand: async (args: RunArgs, io: CliIo) => {
    captured.run = args;
    if (!capture) await realRun.runCommand(args, io);
  },
}));
const { main, USAGE } = await import('../../../src/cli/main.js');

function io(): CliIo & { err: string } {
  const o = { err: '', stdout: () => undefined, stderr: (t: string) => void (o.err += t), writeFile: async () => undefined, env: { NODE_NAME: 'worker-0' } };
  return o;
}

describe('the sidecar tunables', () => {
  it('--help names every tunable with its default', () => {
    for (const t of TUNABLES) expect(USAGE).toMatch(new RegExp(`--${t.flag} MS +.*\\(default ${t.default}\\)`));
  });

  it('run gets the table defaults, and a flag for each tunable changes only that one', async () => {
    capture = true;
    expect(await main(['run', '--source', 'dir:/x'], io())).toBe(0);
    expect(captured.run!.tunables).toEqual(tunables());
    for (const t of TUNABLES) {
      expect(await main(['run', '--source', 'dir:/x', `--${t.flag}`, '4242'], io())).toBe(0);
      expect(captured.run!.tunables).toEqual({ ...tunables(), [t.key]: 4242 });
    }
    expect(await main(['run', '--source', 'dir:/x', '--retry-max', '1e3'], io())).toBe(2);
  });

  it('run --once that cannot apply exits 1 saying it was not applied (the configuration is valid)', async () => {
    capture = true;
    const dir = mkdtempSync(join(tmpdir(), 'frr-renderer-once-'));
    writeFileSync(join(dir, 'peer.yaml'), 'apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: { name: p1, namespace: metallb-system }\nspec: { myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.1 }\n');
    const out = io();
    const code = await main(
      ['run', '--source', `dir:${dir}`, '--once', '--hostname', 'worker-0', '--frr-config', join(dir, 'frr.conf'), '--vtysh', join(dir, 'no-vtysh'), '--frr-reload', join(dir, 'no-frr-reload.py'), '--log-level', 'none'],
      out,
    );
    expect(code).toBe(0);
    // The same arguments, run for real: a failed apply is its own error, not an invalid configuration.
    const error = await realRun.runCommand(captured.run!, io()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAppliedError);
    expect((error as Error).message).toMatch(/^not applied: /);
    capture = false;
    const code2 = await main(
      ['run', '--source', `dir:${dir}`, '--once', '--hostname', 'worker-0', '--frr-config', join(dir, 'frr.conf'), '--vtysh', join(dir, 'no-vtysh'), '--frr-reload', join(dir, 'no-frr-reload.py'), '--log-level', 'none'],
      out,
    );
    expect(code2).toBe(1);
    expect(out.err).toMatch(/^error: not applied: /m);
  }, 20_000);
});

describe('--heap: V8 heap heuristics of the sidecar (ops/heap-mode.ts)', () => {
  it('is balanced by default, small or fast on request, and anything else is a usage error naming the flag', async () => {
    capture = true;
    expect(await main(['run', '--source', 'dir:/x'], io())).toBe(0);
    expect(captured.run!.heap).toBe('balanced');
    expect(await main(['run', '--source', 'dir:/x', '--heap', 'fast'], io())).toBe(0);
    expect(captured.run!.heap).toBe('fast');
    expect(await main(['run', '--source', 'dir:/x', '--heap', 'small'], io())).toBe(0);
    expect(captured.run!.heap).toBe('small');
    const out = io();
    expect(await main(['run', '--source', 'dir:/x', '--heap', 'tiny'], out)).toBe(2);
    expect(out.err).toMatch(/--heap/);
    expect(USAGE).toMatch(/--heap small\|balanced\|fast/);
  });

  it("run sets each mode's V8 flags through the process edge: --optimize-for-size, --heap-growing-percent=50, nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'frr-renderer-heap-'));
    writeFileSync(join(dir, 'peer.yaml'), 'apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: { name: p1, namespace: metallb-system }\nspec: { myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.1 }\n');
    const args = ['run', '--source', `dir:${dir}`, '--once', '--apply', 'never', '--hostname', 'worker-0', '--frr-config', join(dir, 'frr.conf'), '--log-level', 'none'];
    for (const [mode, flags] of [['small', ['--optimize-for-size']], ['balanced', ['--heap-growing-percent=50']], ['fast', []]] as const) {
      const set: string[] = [];
      capture = false;
      const code = await main([...args, '--heap', mode], { ...io(), setV8Flags: (f: string) => void set.push(f) });
      expect(code).toBe(0);
      expect(set).toEqual(flags);
    }
  }, 20_000);
});
