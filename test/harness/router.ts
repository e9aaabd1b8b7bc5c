/**
 * The other end of the sessions: "router" FRR instances that peer with the speaker(s) and whose
 * received routes the scenarios assert on. Their config is written by the test, not rendered,
 * and is tuned for fast convergence:
 * - `timers bgp 3 9` and `neighbor X timers connect 1`: the router retries a refused connection
 *   every second, so a session comes up about a second after the speaker's config is applied
 *   (FRR's default connect-retry is 120 s);
 * - `neighbor X advertisement-interval 0`.
 */
import type { Family } from './bgp-state.js';

export interface RouterNeighbor {
  /** The speaker's address, or with `interface` the router's interface (unnumbered peering). */
  readonly address?: string;
  readonly interface?: string;
  /** A number, or `external` / `internal`. */
  readonly remoteAs: number | 'external' | 'internal';
  /** Address families activated for this neighbor; default: the family of `address` (both for an interface). */
  readonly families?: readonly Family[];
  readonly password?: string;
  /** `ebgp-multihop N` (the router side of a speaker behind a routed hop). */
  readonly ebgpMultihop?: number;
  /** `neighbor X bfd` (active, default intervals), e.g. towards a passive-mode speaker profile. */
  readonly bfd?: boolean;
  /** Passive: only accept the speaker's connections. */
  readonly passive?: boolean;
}

export interface RouterSpec {
  readonly asn: number;
  readonly routerId: string;
  readonly neighbors: readonly RouterNeighbor[];
  /** `timers bgp K H`; default `[3, 9]`. `null` keeps FRR's defaults (for hold-time negotiation checks). */
  readonly timers?: readonly [number, number] | null;
}

function neighborKey(n: RouterNeighbor): string {
  const key = n.interface ?? n.address;
  if (key === undefined) throw new Error('a router neighbor needs an address or an interface');
  return key;
}

function familiesOf(n: RouterNeighbor): readonly Family[] {
  if (n.families) return n.families;
  if (n.interface !== undefined) return ['ipv4', 'ipv6'];
  return n.address?.includes(':') ? ['ipv6'] : ['ipv4'];
}

/** The router's frr.conf. */
export function routerConfig(spec: RouterSpec): string {
  const lines = [
    'frr defaults traditional',
    `router bgp ${spec.asn}`,
    ` bgp router-id ${spec.routerId}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ' no bgp network import-check',
  ];
  const timers = spec.timers === undefined ? [3, 9] : spec.timers;
  if (timers !== null) lines.push(` timers bgp ${timers[0]} ${timers[1]}`);
  for (const n of spec.neighbors) {
    const key = neighborKey(n);
    lines.push(n.interface !== undefined ? ` neighbor ${key} interface remote-as ${n.remoteAs}` : ` neighbor ${key} remote-as ${n.remoteAs}`);
    lines.push(` neighbor ${key} timers connect 1`);
    lines.push(` neighbor ${key} advertisement-interval 0`);
    if (n.password !== undefined) lines.push(` neighbor ${key} password ${n.password}`);
    if (n.ebgpMultihop !== undefined) lines.push(` neighbor ${key} ebgp-multihop ${n.ebgpMultihop}`);
    if (n.bfd === true) lines.push(` neighbor ${key} bfd`);
    if (n.passive === true) lines.push(` neighbor ${key} passive`);
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    const members = spec.neighbors.filter((n) => familiesOf(n).includes(family));
    if (members.length === 0) continue;
    lines.push(` address-family ${family} unicast`);
    for (const n of members) lines.push(`  neighbor ${neighborKey(n)} activate`);
    lines.push(' exit-address-family');
  }
  lines.push('exit', '');
  return lines.join('\n');
}
