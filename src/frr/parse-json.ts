/**
 * Tolerant readers for vtysh JSON. FRR renames and retypes fields between releases (numbers that
 * became strings, `peerState` vs `state`), so every reader accepts what it can and otherwise says
 * "not there" (`undefined`); the parsers turn that into `'unknown'`. Nothing here throws.
 */

export type Json = Record<string, unknown>;

export const UNKNOWN = 'unknown' as const;
export type Unknown = typeof UNKNOWN;

export function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A number, also from a numeric string (FRR 9+ prints some counters as strings). */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

export function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** The first of several field names that is present (for fields FRR renamed). */
export function pick(o: Json | undefined, ...names: string[]): unknown {
  if (o === undefined) return undefined;
  for (const n of names) if (o[n] !== undefined) return o[n];
  return undefined;
}
