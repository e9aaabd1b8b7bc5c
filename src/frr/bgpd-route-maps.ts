/**
 * The one thing the merged `show running-config` cannot show: route-maps bgpd itself lacks.
 *
 * Route-maps live in every daemon that loaded them (bgpd and zebra both take `route-map` lines),
 * and vtysh merges the daemons' configs into one text. When bgpd restarts empty, or a load into a
 * starting bgpd fails half-way, zebra still holds the route-maps: the merged view shows them, so
 * frr-reload.py (which diffs the merged view) never re-adds them, and bgpd's `network ... route-map
 * NAME` lines name a route-map bgpd does not have, so it announces nothing while every check of
 * the merged view passes (found by the soak). Only bgpd's own config (`vtysh -d bgpd`) tells.
 *
 * The renderer's only lib objects are route-maps (no prefix-lists, access-lists or
 * community-lists), so route-map blocks are all there is to compare.
 */
import { DEFAULT_VTYSH, DEFAULT_VTYSH_TIMEOUT_MS, vtyshPathspaceArgs, type FrrContext } from './context.js';
import { runChecked } from './run.js';
import { show } from './vtysh.js';

/** One route-map entry as FRR prints it: its header (`route-map X permit 10`) and its indented lines. */
export interface RouteMapEntry {
  readonly header: string;
  readonly lines: readonly string[];
}

const ROUTE_MAP_HEADER = /^route-map \S+ (permit|deny) \d+$/;

/** The route-map entries of a config text (rendered, or printed by FRR), in order of appearance. */
export function routeMapEntries(config: string): RouteMapEntry[] {
  const entries: { header: string; lines: string[] }[] = [];
  let current: { header: string; lines: string[] } | undefined;
  for (const raw of config.split('\n')) {
    const line = raw.trimEnd();
    if (ROUTE_MAP_HEADER.test(line)) {
      current = { header: line, lines: [] };
      entries.push(current);
    } else if (current !== undefined && /^\s+\S/.test(line)) {
      current.lines.push(line.trim());
    } else {
      current = undefined; // `exit`, `!`, or the next top-level line ends the entry
    }
  }
  return entries;
}

/** The entries of `wanted` that `running` lacks or holds with other lines (order of lines ignored). */
export function missingRouteMapEntries(wanted: readonly RouteMapEntry[], running: readonly RouteMapEntry[]): RouteMapEntry[] {
  const have = new Map(running.map((e) => [e.header, new Set(e.lines)]));
  return wanted.filter((e) => {
    const lines = have.get(e.header);
    return lines === undefined || e.lines.some((l) => !lines.has(l));
  });
}

/** The missing entries as `+ line` difference lines (the form `ConfigTarget.difference` reports). */
export function missingAsDifference(missing: readonly RouteMapEntry[]): string[] {
  return missing.flatMap((e) => [`+ ${e.header} (missing in bgpd)`, ...e.lines.map((l) => `+  ${l}`)]);
}

/** bgpd's own running config (`vtysh -d bgpd -c "show running-config"`), redacted. */
export function bgpdRunningConfig(frr: FrrContext): Promise<string> {
  return show(frr, 'show running-config', { daemon: 'bgpd' });
}

/** The route-map entries of `config` that bgpd's own config lacks. Rejects when vtysh fails. */
export async function bgpdMissingRouteMaps(frr: FrrContext, config: string): Promise<RouteMapEntry[]> {
  const wanted = routeMapEntries(config);
  if (wanted.length === 0) return [];
  return missingRouteMapEntries(wanted, routeMapEntries(await bgpdRunningConfig(frr)));
}

/**
 * Gives bgpd alone the entries it lacks, in one `vtysh -d bgpd` configure session. Only
 * additive lines of our own route-maps: zebra has them already, and nothing else in bgpd changes.
 * bgpd re-evaluates `network ... route-map` lines that name them on its route-map update timer.
 */
export async function loadRouteMapsIntoBgpd(frr: FrrContext, entries: readonly RouteMapEntry[]): Promise<void> {
  const lines = entries.flatMap((e) => [e.header, ...e.lines, 'exit']);
  await runChecked(
    frr.run,
    frr.vtysh ?? DEFAULT_VTYSH,
    [...vtyshPathspaceArgs(frr), '-d', 'bgpd', '-c', 'configure terminal', ...lines.flatMap((l) => ['-c', l])],
    { timeoutMs: frr.vtyshTimeoutMs ?? DEFAULT_VTYSH_TIMEOUT_MS },
  );
}
