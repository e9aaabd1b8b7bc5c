/**
 * BGP community values: standard `A:B` (two decimal uint16) and large `large:A:B:C` (three decimal
 * uint32), and the alias names that refer to a Community object's entries.
 */
import type { Community, CommunityRef } from './model.js';
import { q } from './problems.js';
import type { Result } from './ip.js';

const VALID_FORMS = 'use "A:B" with two numbers 0-65535 (e.g. "65535:65282"), "large:A:B:C" with three numbers 0-4294967295, or the name of a Community alias';

function decimal(s: string, max: number): number | undefined {
  if (!/^[0-9]{1,10}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= max ? n : undefined;
}

/** Parses a community value (no aliases). */
export function parseCommunityValue(s: string, forms = VALID_FORMS.replace(', or the name of a Community alias', '')): Result<Community> {
  const bad: Result<Community> = { ok: false, error: `${q(s)} is not a valid community: ${forms}` };
  const parts = s.split(':');
  if (parts.length === 2) {
    const high = decimal(parts[0]!, 0xffff);
    const low = decimal(parts[1]!, 0xffff);
    if (high === undefined || low === undefined) return bad;
    return { ok: true, value: { kind: 'standard', high, low } };
  }
  if (parts.length === 4 && parts[0] === 'large') {
    const [global, local1, local2] = parts.slice(1).map((p) => decimal(p, 0xffffffff));
    if (global === undefined || local1 === undefined || local2 === undefined) return bad;
    return { ok: true, value: { kind: 'large', global, local1, local2 } };
  }
  return bad;
}

/** Parses an advertisement's community entry: a value, or (no `:` at all) an alias name. */
export function parseCommunityRef(s: string): Result<CommunityRef> {
  if (!s.includes(':')) {
    if (s === '' || /\s/.test(s)) return { ok: false, error: `${q(s)} is not a valid community: ${VALID_FORMS}` };
    return { ok: true, value: { kind: 'alias', name: s } };
  }
  const v = parseCommunityValue(s, VALID_FORMS);
  return v.ok ? { ok: true, value: { kind: 'value', value: v.value, text: s } } : v;
}

/** How FRR writes a community: `A:B`, or `A:B:C` for large ones. */
export function formatCommunity(c: Community): string {
  return c.kind === 'standard' ? `${c.high}:${c.low}` : `${c.global}:${c.local1}:${c.local2}`;
}

/** A key that is equal for equal values (`large:` marks large ones so they never equal a standard one). */
export function communityKey(c: Community): string {
  return c.kind === 'standard' ? formatCommunity(c) : `large:${formatCommunity(c)}`;
}
