import { resolveCommunity } from '../api/community-values.js';
import type { Community, CommunityAlias, CommunityRef } from '../api/model.js';
import type { FrrForms } from './frr-release.js';

/**
 * FRR prints these standard communities by name in its running config (measured on FRR 8.4.4 and
 * 10.3). Rendering them by number would make frr-reload.py see a changed line on every reload.
 * 0:0 depends on the release: see `communityZeroName` in frr-release.ts.
 */
const WELL_KNOWN: ReadonlyMap<number, string> = new Map([
  [0xffff0000, 'graceful-shutdown'],
  [0xffff0001, 'accept-own'],
  [0xffff0002, 'route-filter-translated-v4'],
  [0xffff0003, 'route-filter-v4'],
  [0xffff0004, 'route-filter-translated-v6'],
  [0xffff0005, 'route-filter-v6'],
  [0xffff0006, 'llgr-stale'],
  [0xffff0007, 'no-llgr'],
  [0xffff0008, 'accept-own-nexthop'],
  [0xffff029a, 'blackhole'],
  [0xffffff01, 'no-export'],
  [0xffffff02, 'no-advertise'],
  [0xffffff03, 'local-AS'],
  [0xffffff04, 'no-peer'],
]);

/** Entries resolved to values, aliases first (MetalLB's order). `api/` has already reported references to unknown aliases. */
export function resolveCommunities(refs: readonly CommunityRef[], aliases: readonly CommunityAlias[]): Community[] {
  const byName = new Map(aliases.map((a) => [a.name, a.value]));
  const out: Community[] = [];
  for (const ref of refs) {
    const value = resolveCommunity(ref, byName);
    if (value) out.push(value);
  }
  return out;
}

function standardValue(c: Extract<Community, { kind: 'standard' }>): number {
  return c.high * 0x10000 + c.low;
}

/** `set community` argument: numeric order (FRR sorts them), well-known values by name, no duplicates. */
export function standardCommunitiesText(communities: readonly Community[], forms: FrrForms): string | null {
  const values = [...new Set(communities.filter((c) => c.kind === 'standard').map(standardValue))].sort((a, b) => a - b);
  if (values.length === 0) return null;
  const name = (v: number): string | undefined => (v === 0 ? (forms.communityZeroName ?? undefined) : WELL_KNOWN.get(v));
  return values.map((v) => name(v) ?? `${Math.floor(v / 0x10000)}:${v % 0x10000}`).join(' ');
}

/** `set large-community` argument: FRR keeps the order it is given, so we fix one (numeric). */
export function largeCommunitiesText(communities: readonly Community[]): string | null {
  const large = communities.flatMap((c) => (c.kind === 'large' ? [[c.global, c.local1, c.local2] as const] : []));
  const sorted = large.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]).map((t) => t.join(':'));
  const unique = [...new Set(sorted)];
  return unique.length === 0 ? null : unique.join(' ');
}
