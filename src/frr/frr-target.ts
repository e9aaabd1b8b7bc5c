/**
 * Makes FRR run a rendered config, safely: dry run first, atomic write, frr-reload.py, then
 * verification that nothing is left to change. A config FRR refuses never replaces frr.conf, and a
 * reload that fails is rolled back to the last config that worked.
 */
import { createHash } from 'node:crypto';
import type { FrrContext } from './context.js';
import { applyConfig } from './reload.js';
import { isEmptyDelta, testReload } from './reload.js';
import { checkSyntax, loadFile, show } from './vtysh.js';
import type { ConfigFiles } from './write-file.js';

export type ApplyStage = 'syntax' | 'write' | 'reload' | 'verify';

/** Why an apply failed, at which step; messages are password-redacted. */
export class ApplyError extends Error {
  override readonly name = 'ApplyError';
  constructor(
    readonly stage: ApplyStage,
    message: string,
    /** Lines FRR still differs on (verify), or vtysh's complaints (syntax). */
    readonly details: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ApplyOutcome {
  /** frr-reload.py runs it took (0 when nothing was reloaded). */
  readonly passes: number;
  /** What happened, for the log: `applied to FRR`, `written to out/frr.conf (no FRR reachable)`. */
  readonly description: string;
}

/** Where a rendered config goes: a live FRR, or only a file when there is none. */
export interface ConfigTarget {
  /** Makes the target run `config`. Rejects with ApplyError; frr.conf then holds the last good config. */
  apply(config: string, lastGood: string | undefined): Promise<ApplyOutcome>;
  /** True when the target already runs `config`: used to adopt a running FRR without reloading it. */
  runs(config: string): Promise<boolean>;
  /**
   * A hash of what the target runs now; it changes when FRR restarts empty or someone edits its
   * config by hand. Undefined when the target cannot drift (a plain file).
   */
  fingerprint(): Promise<string | undefined>;
}

export interface ApplierOptions {
  readonly frr: FrrContext;
  /** The frr.conf FRR reads (`/etc/frr/frr.conf`, or `/etc/frr/<pathspace>/frr.conf`). */
  readonly configPath: string;
  readonly files: ConfigFiles;
}

/** Lines that only our config puts in FRR: without any of them, FRR runs nothing of ours. */
const OUR_SECTIONS = /^(router bgp|route-map |bfd$|ip prefix-list |ipv6 prefix-list |bgp community-list |bgp large-community-list )/m;

/**
 * The fast path for an FRR that runs nothing yet (pod start, or bgpd restarted empty): load the
 * file with `vtysh -f` (additive, no diff to compute: at 5,000 services frr-reload.py spends seconds
 * in Python), then verify with `frr-reload.py --test` exactly as after a reload. Anything left, or
 * any error, falls back to the full reload; undefined means "not taken".
 */
async function coldLoad(frr: FrrContext, file: string): Promise<ApplyOutcome | undefined> {
  try {
    if (OUR_SECTIONS.test(await show(frr, 'show running-config'))) return undefined;
    await loadFile(frr, file);
    if (!isEmptyDelta(await testReload(frr, file))) return undefined;
  } catch {
    return undefined;
  }
  return { passes: 0, description: `loaded into an empty FRR${frr.pathspace ? ` (pathspace ${frr.pathspace})` : ''} with vtysh -f (verified)` };
}

export function createFrrTarget(opts: ApplierOptions): ConfigTarget {
  const { frr, configPath, files } = opts;
  const candidatePath = `${configPath}.candidate`;

  async function reloadTo(config: string): Promise<ApplyOutcome> {
    await files.write(configPath, config);
    const cold = await coldLoad(frr, configPath);
    if (cold) return cold;
    const result = await applyConfig(frr, configPath);
    if (!result.converged) {
      throw new ApplyError('verify', `FRR still differs from the rendered config after ${result.passes} reloads`, [
        ...result.remaining.toDelete.map((l) => `- ${l}`),
        ...result.remaining.toAdd.map((l) => `+ ${l}`),
      ]);
    }
    const where = `applied to FRR${frr.pathspace ? ` (pathspace ${frr.pathspace})` : ''} in ${result.passes} reload(s)`;
    const noted = result.reloadErrors.length === 0 ? '' : `; frr-reload.py exited non-zero but FRR runs the config (verified): ${result.reloadErrors[0]}`;
    return { passes: result.passes, description: `${where}${noted}` };
  }

  return {
    async apply(config, lastGood) {
      await files.write(candidatePath, config);
      const syntax = await checkSyntax(frr, candidatePath);
      if (!syntax.valid) {
        throw new ApplyError('syntax', `vtysh -C rejected the rendered config: ${syntax.errors[0] ?? 'no detail'}`, syntax.errors);
      }
      try {
        return await reloadTo(config);
      } catch (err) {
        if (lastGood !== undefined && lastGood !== config) {
          // Leave FRR as it was before this attempt rather than half-way through it.
          await reloadTo(lastGood).catch(() => undefined);
        }
        if (err instanceof ApplyError) throw err;
        throw new ApplyError('reload', (err as Error).message, [], { cause: err });
      }
    },

    async runs(config) {
      await files.write(candidatePath, config);
      return isEmptyDelta(await testReload(frr, candidatePath));
    },

    async fingerprint() {
      const running = await show(frr, 'show running-config');
      return createHash('sha256').update(running).digest('hex');
    },
  };
}
