/**
 * FRR's check of MetalLB's bgpextras lines (`vtysh -C`), with a fake command runner standing in
 * for vtysh: the lines go to a private file FRR reads, the file is gone afterwards, one check per
 * distinct text, and a check that cannot run means "not usable" (never "valid").
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createExtrasChecker } from '../../../src/frr/check-extras.js';
import type { FrrContext } from '../../../src/frr/context.js';
import type { CommandResult } from '../../../src/frr/run.js';

function fakeVtysh(answer: (text: string) => CommandResult) {
  const calls: { args: readonly string[]; text: string; mode: number }[] = [];
  const frr: FrrContext = {
    vtysh: 'vtysh',
    run: async (_file, args) => {
      const file = args[args.indexOf('-f') + 1]!;
      calls.push({ args, text: readFileSync(file, 'utf8'), mode: statSync(file).mode & 0o777 });
      return answer(readFileSync(file, 'utf8'));
    },
  };
  return { frr, calls };
}

const ok: CommandResult = { exitCode: 0, stdout: '', stderr: '' };

describe('createExtrasChecker', () => {
  it('has vtysh -C read the lines from a private file, removed afterwards; one check per text', async () => {
    const { frr, calls } = fakeVtysh(() => ok);
    const check = createExtrasChecker(frr);
    expect(await check('ip prefix-list x seq 5 permit 203.0.113.0/24\n')).toEqual({ text: 'ip prefix-list x seq 5 permit 203.0.113.0/24\n', valid: true, errors: [] });
    expect(await check('ip prefix-list x seq 5 permit 203.0.113.0/24\n')).toMatchObject({ valid: true });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args.slice(0, 2)).toEqual(['-C', '-f']);
    expect(calls[0]!.mode).toBe(0o600);
    expect(existsSync(dirname(calls[0]!.args[2]!))).toBe(false);
    await check('ip prefix-list y seq 5 permit 203.0.113.0/24\n');
    expect(calls).toHaveLength(2);
  });

  it("FRR's complaints come back, passwords redacted", async () => {
    const { frr } = fakeVtysh(() => ({ exitCode: 2, stdout: '', stderr: 'line 1: % Unknown command: neighbor 192.0.2.1 password s3cret oops\n' }));
    const verdict = await createExtrasChecker(frr)('neighbor 192.0.2.1 password s3cret oops\n');
    expect(verdict.valid).toBe(false);
    expect(verdict.errors).toEqual(['line 1: % Unknown command: neighbor 192.0.2.1 password <redacted> oops']);
  });

  it('a check that cannot run (no vtysh) is not a pass', async () => {
    const frr: FrrContext = { run: async () => Promise.reject(new Error('spawn vtysh ENOENT')) };
    const verdict = await createExtrasChecker(frr)('ip prefix-list x seq 5 permit 203.0.113.0/24\n');
    expect(verdict).toMatchObject({ valid: false, errors: [expect.stringContaining('FRR could not check them: spawn vtysh ENOENT')] });
  });
});
