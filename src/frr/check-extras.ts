/**
 * FRR's verdict on MetalLB's bgpextras lines (`vtysh -C`, FRR's own parser, no daemon needed)
 * before the sidecar uses them. The lines are written to a private temporary file (they may hold a
 * password), checked, and the file removed. One check per distinct text: the verdict is kept.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BgpExtrasCheck } from '../api/bgp-extras.js';
import type { FrrContext } from './context.js';
import { redactPasswords } from './redact.js';
import { checkSyntax } from './vtysh.js';

export type ExtrasChecker = (text: string) => Promise<BgpExtrasCheck>;

export function createExtrasChecker(frr: FrrContext, dir: string = tmpdir()): ExtrasChecker {
  let last: BgpExtrasCheck | undefined;
  return async (text) => {
    if (last?.text === text) return last;
    last = await check(frr, dir, text);
    return last;
  };
}

async function check(frr: FrrContext, dir: string, text: string): Promise<BgpExtrasCheck> {
  let folder: string | undefined;
  try {
    folder = await mkdtemp(join(dir, 'frr-renderer-extras-'));
    const file = join(folder, 'bgpextras.conf');
    await writeFile(file, text, { mode: 0o600, flag: 'wx' });
    const result = await checkSyntax(frr, file);
    return { text, valid: result.valid, errors: result.errors.map((e) => e.replace(file, 'bgpextras')) };
  } catch (err) {
    // No vtysh to ask (or it failed): unchecked lines are not used.
    return { text, valid: false, errors: [`FRR could not check them: ${redactPasswords(String((err as Error)?.message ?? err))}`] };
  } finally {
    if (folder !== undefined) await rm(folder, { recursive: true, force: true }).catch(() => undefined);
  }
}
