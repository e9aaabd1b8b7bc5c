/**
 * Watching the lab's routers for what the sidecar sends, at a cost low enough not to slow what is
 * measured: every poll is one vtysh process per router, and on 2 cores a tight loop over 8 routers
 * steals CPU from the sidecar and the speaker's bgpd. So the first router is polled every
 * `intervalMs`, and the others only once the first one holds what is awaited.
 */
import type { FrrInstance } from '../test/harness/frr-instance.js';
import { sleep } from '../test/harness/system.js';
import { received } from './frr.js';

export interface RouterMilestones {
  /** ms after `t0`: the first router's session to the speaker is Established. */
  readonly sessionUpMs: number | undefined;
  /** The first router holds at least one prefix. */
  readonly firstPrefixMs: number | undefined;
  /** The first router holds all `prefixes`. */
  readonly firstRouterMs: number | undefined;
  /** Every router holds all `prefixes`. */
  readonly allRoutersMs: number | undefined;
}

/** Polls until every router holds `prefixes` prefixes (or `limitMs` after t0). Times are ms after `t0`. */
export async function watchFill(routers: readonly FrrInstance[], prefixes: number, t0: number, limitMs: number, intervalMs = 50): Promise<RouterMilestones> {
  let sessionUpMs: number | undefined;
  let firstPrefixMs: number | undefined;
  let firstRouterMs: number | undefined;
  let allRoutersMs: number | undefined;
  const pending = new Set(routers.slice(1));
  while (performance.now() - t0 < limitMs) {
    if (firstRouterMs === undefined) {
      const c = await received(routers[0]!).catch(() => undefined);
      const now = performance.now() - t0;
      if (c?.established && sessionUpMs === undefined) sessionUpMs = now;
      if (c !== undefined && c.prefixes > 0 && firstPrefixMs === undefined) firstPrefixMs = now;
      if (c !== undefined && c.prefixes >= prefixes) firstRouterMs = now;
    }
    if (firstRouterMs !== undefined) {
      for (const r of [...pending]) if (((await received(r).catch(() => undefined))?.prefixes ?? -1) >= prefixes) pending.delete(r);
      if (pending.size === 0) {
        allRoutersMs = performance.now() - t0;
        break;
      }
    }
    await sleep(intervalMs);
  }
  return { sessionUpMs, firstPrefixMs, firstRouterMs, allRoutersMs };
}

/** Polls until `holds(router)` is true on every router; ms after t0, or undefined after limitMs. */
export async function watchAll(routers: readonly FrrInstance[], holds: (r: FrrInstance) => Promise<boolean>, t0: number, limitMs: number, intervalMs = 50): Promise<{ firstRouterMs: number | undefined; allRoutersMs: number | undefined }> {
  let firstRouterMs: number | undefined;
  const pending = new Set(routers.slice(1));
  while (performance.now() - t0 < limitMs) {
    if (firstRouterMs === undefined && (await holds(routers[0]!).catch(() => false))) firstRouterMs = performance.now() - t0;
    if (firstRouterMs !== undefined) {
      for (const r of [...pending]) if (await holds(r).catch(() => false)) pending.delete(r);
      if (pending.size === 0) return { firstRouterMs, allRoutersMs: performance.now() - t0 };
    }
    await sleep(intervalMs);
  }
  return { firstRouterMs, allRoutersMs: undefined };
}

/** True when the router holds `prefix` (`show bgp ipv4 unicast PREFIX json`). */
export async function hasPrefix(router: FrrInstance, prefix: string): Promise<boolean> {
  const j = (await router.showJson(`show bgp ipv4 unicast ${prefix} json`)) as Record<string, unknown>;
  return Array.isArray(j['paths']) && j['paths'].length > 0;
}
