/** Go duration strings (`10s`, `1m30s`, `1.5h`, `500ms`), as Kubernetes' metav1.Duration parses them. */
import { q } from './problems.js';
import type { Result } from './ip.js';

/** A Map, not an object literal: the unit is user text, and `constructor` or `__proto__` must not find anything. */
const NANOS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 micro sign
  ['μs', 1_000n], // U+03BC Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);
const MAX_INT64 = (1n << 63n) - 1n;
export const NANOS_PER_SECOND = 1_000_000_000n;

/** Parses a duration into nanoseconds. Like Go, the only unit-less value accepted is `0`. */
export function parseDuration(input: string): Result<bigint> {
  const bad: Result<bigint> = {
    ok: false,
    error: `${q(input)} is not a valid duration: use a number with a unit (h, m, s, ms), e.g. "90s", "1m30s" or "500ms"`,
  };
  let s = input;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, value: 0n };
  if (s === '') return bad;
  let total = 0n;
  while (s !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/.exec(s);
    if (!m) return bad;
    const whole = m[1] ?? '';
    const frac = m[2] ?? '';
    const unit = NANOS.get(m[3] ?? '');
    if ((whole === '' && frac === '') || unit === undefined) return bad;
    let part = BigInt(whole || '0') * unit;
    if (frac !== '') part += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    total += part;
    if (total > MAX_INT64) return { ok: false, error: `${q(input)} is too long a duration` };
    s = s.slice(m[0].length);
  }
  return { ok: true, value: negative ? -total : total };
}

/** Whole seconds, truncated toward zero (MetalLB and FRR use whole seconds). */
export function wholeSeconds(nanos: bigint): number {
  return Number(nanos / NANOS_PER_SECOND);
}

/** Short text of a duration for messages: `90s`, `1.5s`. */
export function formatSeconds(nanos: bigint): string {
  const whole = nanos / NANOS_PER_SECOND;
  const rest = nanos % NANOS_PER_SECOND;
  if (rest === 0n) return `${whole}s`;
  return `${whole}.${rest.toString().padStart(9, '0').replace(/0+$/, '')}s`;
}
