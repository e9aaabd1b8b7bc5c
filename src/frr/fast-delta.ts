/**
 * The fast path's decision, pure: is the change from the config FRR is known to run to the new
 * render one the fast path understands, and which vtysh commands make it.
 *
 * Both texts are our own renders (README "Config shape"), so the delta can be read off the text
 * exactly. The fast path understands one kind of change only: `network P route-map R` lines
 * added, removed or moved to another existing tag, inside `address-family ipv4|ipv6 unicast` of a
 * `router bgp` block present in both configs. Everything else, that is, every byte outside those
 * lines (a new tag's route-maps, a peer, a community, the release's forms, the forwarding lines,
 * comments), must be identical; otherwise the change goes to frr-reload.py.
 */

/** Where a `network` line sits: its `router bgp ...` line and its ` address-family ...` line. */
export interface NetworkContext {
  /** `router bgp 64500` or `router bgp 64500 vrf red`. */
  readonly router: string;
  /** `ipv4` or `ipv6` (only unicast families hold our network lines). */
  readonly family: 'ipv4' | 'ipv6';
  /** The VRF of `router`, or undefined for the default VRF. */
  readonly vrf: string | undefined;
}

/** A config cut in two: everything but the network lines, and the network lines by context. */
export interface SplitConfig {
  /** The text with every recognised network line removed (all other bytes kept, in order). */
  readonly skeleton: string;
  /** Context key (`contextKey`) -> prefix -> route-map. */
  readonly networks: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly contexts: ReadonlyMap<string, NetworkContext>;
  /** A prefix written twice in one context: never in our renders, so the fast path declines. */
  readonly duplicate: string | undefined;
}

const ROUTER = /^router bgp \d+(?: vrf (\S+))?$/;
const ADDRESS_FAMILY = /^ address-family (ipv4|ipv6) unicast$/;
const NETWORK = /^ {2}network (\S+) route-map (\S+)$/;

export function contextKey(c: NetworkContext): string {
  return `${c.router}\n${c.family}`;
}

/** The context in words, for reasons: `router bgp 64500 / ipv4 unicast`. */
export function describeContext(c: NetworkContext): string {
  return `${c.router} / ${c.family} unicast`;
}

/**
 * Splits a config (a render, or FRR's `show running-config`, which prints these lines the same
 * way) into its skeleton and its network lines. A line counts as a network line only in exactly
 * the form the templates print, inside the blocks they print it in; any other line is skeleton.
 */
export function splitNetworks(text: string): SplitConfig {
  const skeleton: string[] = [];
  const networks = new Map<string, Map<string, string>>();
  const contexts = new Map<string, NetworkContext>();
  let duplicate: string | undefined;
  let router: { readonly line: string; readonly vrf: string | undefined } | undefined;
  let context: NetworkContext | undefined;
  for (const line of text.split('\n')) {
    const n = context === undefined ? null : NETWORK.exec(line);
    if (n !== null && context !== undefined) {
      const key = contextKey(context);
      contexts.set(key, context);
      let set = networks.get(key);
      if (set === undefined) networks.set(key, (set = new Map()));
      if (set.has(n[1]!)) duplicate ??= `${describeContext(context)}: ${n[1]!}`;
      set.set(n[1]!, n[2]!);
      continue;
    }
    skeleton.push(line);
    const r = ROUTER.exec(line);
    if (r !== null) {
      router = { line, vrf: r[1] };
      context = undefined;
      continue;
    }
    const af = router === undefined ? null : ADDRESS_FAMILY.exec(line);
    if (af !== null && router !== undefined) {
      context = { router: router.line, family: af[1] as 'ipv4' | 'ipv6', vrf: router.vrf };
    } else if (line === ' exit-address-family') {
      context = undefined;
    } else if (line !== '' && !line.startsWith(' ')) {
      // Any top-level line (`exit`, `!`, another section) ends the router block.
      router = undefined;
      context = undefined;
    }
  }
  return { skeleton: skeleton.join('\n'), networks, contexts, duplicate };
}

/** `route-map NAME permit SEQ` blocks whose only entry sets a tag: NAME -> the tag. */
export function tagRouteMaps(skeleton: string): ReadonlyMap<string, number> {
  const entries = new Map<string, number>();
  const tags = new Map<string, number | undefined>();
  let current: string | undefined;
  for (const line of skeleton.split('\n')) {
    const head = /^route-map (\S+) (?:permit|deny) \d+$/.exec(line);
    if (head !== null) {
      current = head[1]!;
      entries.set(current, (entries.get(current) ?? 0) + 1);
      if (!tags.has(current)) tags.set(current, undefined);
      continue;
    }
    if (current === undefined) continue;
    const tag = /^ set tag (\d+)$/.exec(line);
    if (tag !== null) tags.set(current, Number(tag[1]));
    else if (!line.startsWith(' ')) current = undefined;
  }
  const out = new Map<string, number>();
  for (const [name, tag] of tags) if (tag !== undefined && entries.get(name) === 1) out.set(name, tag);
  return out;
}

/** One network line to add (or move to another tag) or remove, and what FRR must then show. */
export interface NetworkChange {
  readonly context: NetworkContext;
  readonly prefix: string;
  /** The route-map of the new line; undefined for a removal. */
  readonly routeMap: string | undefined;
  /** The tag that route-map sets (the route must carry it); undefined for a removal. */
  readonly tag: number | undefined;
}

export type FastDelta =
  | {
      readonly understood: true;
      /** Removals first (they free nothing the additions need, but FRR then never holds both). */
      readonly changes: readonly NetworkChange[];
      /** The new render, split: what the verification compares FRR's running config with. */
      readonly next: SplitConfig;
    }
  | { readonly understood: false; readonly reason: string };

/** More changed lines than this go to frr-reload.py: the fast path is for small, known deltas. */
export const MAX_FAST_CHANGES = 100;

/**
 * The delta from `running` (the config FRR is known to run) to `next`, when it is one the fast
 * path understands; otherwise why not. Passwords may be in both texts; reasons never quote a
 * line outside the network lines' context (they may hold one), only line numbers.
 */
export function computeFastDelta(running: string, next: string, maxChanges = MAX_FAST_CHANGES): FastDelta {
  if (running === next) return { understood: false, reason: 'nothing changed (a re-apply is done in full)' };
  const before = splitNetworks(running);
  const after = splitNetworks(next);
  if (before.skeleton !== after.skeleton) {
    const line = firstDifferenceLine(before.skeleton, after.skeleton);
    return { understood: false, reason: `the change is more than network lines (first difference at line ${line} of the config without them)` };
  }
  const duplicate = before.duplicate ?? after.duplicate;
  if (duplicate !== undefined) return { understood: false, reason: `a prefix is written twice (${duplicate})` };
  const tags = tagRouteMaps(after.skeleton);
  const removals: NetworkChange[] = [];
  const additions: NetworkChange[] = [];
  for (const key of new Set([...before.networks.keys(), ...after.networks.keys()])) {
    const context = after.contexts.get(key) ?? before.contexts.get(key)!;
    const was = before.networks.get(key) ?? new Map<string, string>();
    const now = after.networks.get(key) ?? new Map<string, string>();
    for (const prefix of was.keys()) {
      if (!now.has(prefix)) removals.push({ context, prefix, routeMap: undefined, tag: undefined });
    }
    for (const [prefix, routeMap] of now) {
      if (was.get(prefix) === routeMap) continue;
      const tag = tags.get(routeMap);
      if (tag === undefined) return { understood: false, reason: `route-map ${routeMap} of network ${prefix} is not a tag route-map of the config` };
      // A prefix moving to another tag is one line: FRR replaces the route-map of the network in place.
      additions.push({ context, prefix, routeMap, tag });
    }
  }
  const count = removals.length + additions.length;
  if (count > maxChanges) return { understood: false, reason: `${count} network lines change (more than ${maxChanges})` };
  return { understood: true, changes: [...removals, ...additions], next: after };
}

/** The 1-based number of the first line where two texts differ. */
export function firstDifferenceLine(a: string, b: string): number {
  const al = a.split('\n');
  const bl = b.split('\n');
  let i = 0;
  while (i < al.length && i < bl.length && al[i] === bl[i]) i++;
  return i + 1;
}

/**
 * The vtysh commands of one `configure` session that make the changes: each context entered once,
 * left explicitly (vtysh keeps its node across `-c` arguments, and does not climb back by itself).
 */
export function sessionCommands(changes: readonly NetworkChange[]): string[] {
  const byContext = new Map<string, NetworkChange[]>();
  for (const c of changes) {
    const key = contextKey(c.context);
    const list = byContext.get(key);
    if (list === undefined) byContext.set(key, [c]);
    else list.push(c);
  }
  const out = ['configure terminal'];
  for (const list of byContext.values()) {
    const { router, family } = list[0]!.context;
    out.push(router, `address-family ${family} unicast`);
    for (const c of list) out.push(c.routeMap === undefined ? `no network ${c.prefix}` : `network ${c.prefix} route-map ${c.routeMap}`);
    out.push('exit-address-family', 'exit');
  }
  out.push('end');
  return out;
}
