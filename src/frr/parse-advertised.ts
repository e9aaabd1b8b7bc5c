/**
 * `show bgp [vrf X] ipv4|ipv6 unicast neighbors PEER advertised-routes json`: the prefixes FRR
 * really sent to one neighbor, after its outbound route-map.
 *
 * FRR 8.4.4 prints `{"advertisedRoutes": {PREFIX: {...}}, "totalPrefixCounter": N}`, an empty
 * `advertisedRoutes` while the session is down, and `{"warning": "..."}` for an unknown neighbor
 * or a family the neighbor does not have (`fixtures/vtysh/8.4.4/adv-*.json`).
 */
import { UNKNOWN, type Unknown, num, obj, str } from './parse-json.js';

export type AdvertisedRoutes =
  | { readonly kind: 'routes'; readonly prefixes: readonly string[]; readonly total: number | Unknown }
  /** FRR answered with a warning instead of a table (no such neighbor, family not configured). */
  | { readonly kind: 'warning'; readonly message: string }
  | { readonly kind: 'unknown'; readonly message: string };

export function parseAdvertisedRoutes(raw: unknown): AdvertisedRoutes {
  const o = obj(raw);
  if (o === undefined) return { kind: 'unknown', message: 'not a JSON object' };
  const routes = obj(o.advertisedRoutes);
  if (routes !== undefined) {
    const prefixes = Object.entries(routes)
      .map(([key, v]) => {
        const r = obj(v);
        const network = str(r?.network);
        if (network !== undefined) return network;
        if (key.includes('/')) return key;
        const addr = str(r?.addrPrefix);
        const len = num(r?.prefixLen);
        return addr !== undefined && len !== undefined ? `${addr}/${len}` : key;
      })
      .sort();
    return { kind: 'routes', prefixes, total: num(o.totalPrefixCounter) ?? UNKNOWN };
  }
  const warning = str(o.warning) ?? str(o.error);
  if (warning !== undefined) return { kind: 'warning', message: warning };
  // Newer FRR prints `{}` for an empty table.
  if (Object.keys(o).length === 0) return { kind: 'routes', prefixes: [], total: 0 };
  return { kind: 'unknown', message: `unexpected fields: ${Object.keys(o).slice(0, 5).join(', ')}` };
}
