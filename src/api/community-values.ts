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

/**
 * Parses an advertisement's community entry: a value, or the name of an alias. Any text can name
 * an alias (MetalLB looks aliases up before parsing, so even `a:b` or `1:99999` may be one);
 * whether it does is known only with the Community objects (`validate-cross.ts`).
 */
export function parseCommunityRef(s: string): Result<CommunityRef> {
  if (s === '') return { ok: false, error: `${q(s)} is not a valid community: ${VALID_FORMS}` };
  const v = parseCommunityValue(s, VALID_FORMS);
  if (v.ok) return { ok: true, value: { kind: 'value', value: v.value, text: s } };
  return { ok: true, value: s.includes(':') ? { kind: 'alias', name: s, valueError: v.error } : { kind: 'alias', name: s } };
}

/** The text an entry was written as: what MetalLB compares for duplicates and looks aliases up by. */
export function communityRefText(ref: CommunityRef): string {
  return ref.kind === 'value' ? ref.text : ref.name;
}

/** The value of an entry: the alias of that name if there is one (MetalLB's order), else the value it spells. */
export function resolveCommunity(ref: CommunityRef, aliases: ReadonlyMap<string, Community>): Community | undefined {
  return aliases.get(communityRefText(ref)) ?? (ref.kind === 'value' ? ref.value : undefined);
}

/** How FRR writes a community: `A:B`, or `A:B:C` for large ones. */
export function formatCommunity(c: Community): string {
  return c.kind === 'standard' ? `${c.high}:${c.low}` : `${c.global}:${c.local1}:${c.local2}`;
}

/** A key that is equal for equal values (`large:` marks large ones so they never equal a standard one). */
export function communityKey(c: Community): string {
  return c.kind === 'standard' ? formatCommunity(c) : `large:${formatCommunity(c)}`;
}
