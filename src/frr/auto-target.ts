import type { FrrContext } from './context.js';
import type { ConfigTarget } from './frr-target.js';
import { readVersion } from './environment.js';

/**
 * `--apply auto`: applies to FRR when its vtysh answers, otherwise only writes the file and says
 * so. Asked again on every call, so an FRR that comes up later is picked up.
 */
export function createAutoTarget(frr: FrrContext, live: ConfigTarget, fileOnly: ConfigTarget): ConfigTarget {
  const pick = async (): Promise<ConfigTarget> => ((await reachable(frr)) ? live : fileOnly);
  return {
    apply: async (config, lastGood) => (await pick()).apply(config, lastGood),
    difference: async (config) => (await pick()).difference(config),
    fingerprint: async () => (await pick()).fingerprint(),
    environment: async () => (await pick()).environment(),
    forwarding: async () => (await pick()).forwarding(),
    persist: async (config) => (await pick()).persist(config),
    daemonsDown: async (config) => (await pick()).daemonsDown(config),
  };
}

/** FRR answers `show version` (zebra's socket, or vtysh where there is none): asked on every call. */
export async function reachable(frr: FrrContext): Promise<boolean> {
  try {
    await readVersion({ ...frr, vtyshTimeoutMs: 5_000 });
    return true;
  } catch {
    return false;
  }
}
