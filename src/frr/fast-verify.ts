/**
 * The fast path's verification, pure: after the `configure` session, does FRR run the new render?
 *
 * Two reads answer it, both taken after the session:
 * - `show running-config`: outside the network lines it must be byte for byte what FRR showed
 *   when the previous config was last verified in full (frr-reload.py --test), and its network
 *   lines, per context, must be exactly the render's. Together: FRR runs the previous config with
 *   exactly this change, that is, the new render. Anything else in between (a hand edit, a restart,
 *   a line FRR took differently) shows up here.
 * - `show bgp [vrf V] ipv4|ipv6 unicast P json` for each touched prefix: an added one is in BGP's
 *   table as a route of ours (`sourced`) carrying its tag; a removed one has no route of ours left
 *   (FRR marks a withdrawn path `removed` until its work queue runs, so that counts as gone).
 */
import { describeContext, firstDifferenceLine, splitNetworks, type NetworkChange, type SplitConfig } from './fast-delta.js';
import { withoutDebugLines } from './operator-debugs.js';

const SHOWN = 3;

/** Why FRR's running config is not the expected one, or undefined when it is. Never quotes a skeleton line (passwords). */
export function checkRunningConfig(expectedSkeleton: string, next: SplitConfig, running: string): string | undefined {
  // Debug switches are the operator's business (operator-debugs.ts); the skeleton is taken without them too.
  const now = splitNetworks(withoutDebugLines(running));
  if (now.skeleton !== expectedSkeleton) {
    return `FRR's running config differs from the one last verified outside the network lines (first difference at line ${firstDifferenceLine(expectedSkeleton, now.skeleton)})`;
  }
  if (now.duplicate !== undefined) return `FRR shows a prefix twice (${now.duplicate})`;
  const problems: string[] = [];
  for (const key of new Set([...next.networks.keys(), ...now.networks.keys()])) {
    const want = next.networks.get(key) ?? new Map<string, string>();
    const have = now.networks.get(key) ?? new Map<string, string>();
    const context = next.contexts.get(key) ?? now.contexts.get(key)!;
    const missing = [...want].filter(([p, rm]) => have.get(p) !== rm).map(([p, rm]) => `network ${p} route-map ${rm}`);
    const unexpected = [...have].filter(([p, rm]) => want.get(p) !== rm).map(([p, rm]) => `network ${p} route-map ${rm}`);
    if (missing.length > 0) problems.push(`${describeContext(context)}: missing ${list(missing)}`);
    if (unexpected.length > 0) problems.push(`${describeContext(context)}: unexpected ${list(unexpected)}`);
  }
  return problems.length === 0 ? undefined : `FRR's network lines differ from the render: ${problems.join('; ')}`;
}

function list(lines: readonly string[]): string {
  return lines.length <= SHOWN ? lines.join(', ') : `${lines.slice(0, SHOWN).join(', ')} (and ${lines.length - SHOWN} more)`;
}

/** The show command that reads one touched prefix from BGP's table. */
export function routeCommand(c: NetworkChange): string {
  return `show bgp${c.context.vrf === undefined ? '' : ` vrf ${c.context.vrf}`} ${c.context.family} unicast ${c.prefix} json`;
}

/** Why the prefix is not in BGP's table as the change wants it, or undefined when it is. */
export function checkRoute(c: NetworkChange, shown: unknown): string | undefined {
  const paths = isRecord(shown) && Array.isArray(shown['paths']) ? (shown['paths'] as unknown[]) : [];
  const ours = paths.filter((p): p is Record<string, unknown> => isRecord(p) && p['sourced'] === true && p['removed'] !== true);
  const where = `${c.prefix} (${describeContext(c.context)})`;
  if (c.tag === undefined) return ours.length === 0 ? undefined : `${where} is still announced after its network line was removed`;
  if (ours.length === 0) return `${where} is not in BGP's table as a route of ours`;
  if (!ours.some((p) => p['tag'] === c.tag)) return `${where} does not carry tag ${c.tag} (tags: ${ours.map((p) => String(p['tag'] ?? 'none')).join(', ')})`;
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The JSON values vtysh printed one after the other (one per `-c show ... json`), in order.
 * Text between them (10.x prints an empty line first) is skipped; a value that does not parse
 * throws, so a missing or broken answer never passes for a good one.
 */
export function splitJsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"' && depth > 0) inString = true;
    else if (ch === '{' || ch === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (depth < 0) throw new Error(`unbalanced JSON at offset ${i}`);
      if (depth === 0) values.push(JSON.parse(text.slice(start, i + 1)) as unknown);
    }
  }
  if (depth !== 0) throw new Error('JSON cut short');
  return values;
}
