import { cidrText, familyBits, type IpFamily } from '../api/ip.js';

export type Family = IpFamily;

/** A prefix with its numeric sort key, so sorting thousands of them never re-parses text. */
export interface KeyedPrefix {
  readonly prefix: string;
  readonly v6: boolean;
  /** Network address: a number for IPv4, a bigint for IPv6. */
  readonly value: number | bigint;
  readonly length: number;
}

/**
 * The prefix a service IP is announced as: the IP masked to the advertisement's aggregation length
 * (MetalLB: `IP.Mask(aggregationLength)`), e.g. 198.51.100.10 with 24 gives `198.51.100.0/24`.
 * `ip` is the canonical text and `value` the number `api/` parsed it into (a number for IPv4 is
 * the fast path); host-length prefixes, the common case, reuse the text as it is.
 */
export function aggregateKeyed(ip: string, value: number | bigint, family: Family, length: number): KeyedPrefix {
  if (family === 'ipv4' && typeof value === 'number') {
    if (length === 32) return { prefix: `${ip}/32`, v6: false, value, length };
    const masked = length === 0 ? 0 : (value & (0xffffffff << (32 - length))) >>> 0;
    return { prefix: `${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${length}`, v6: false, value: masked, length };
  }
  const big = BigInt(value);
  if (length === familyBits(family)) return { prefix: `${ip}/${length}`, v6: family === 'ipv6', value: big, length };
  const hostBits = BigInt(familyBits(family) - length);
  const masked = (big >> hostBits) << hostBits;
  return { prefix: cidrText(masked, length, family), v6: family === 'ipv6', value: masked, length };
}

/** Numeric order: IPv4 before IPv6, then by address, then shorter prefix first. */
export function compareKeyed(a: KeyedPrefix, b: KeyedPrefix): number {
  if (a.v6 !== b.v6) return a.v6 ? 1 : -1;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return a.length - b.length;
}

export function familyOfPrefix(prefix: string): Family {
  return prefix.includes(':') ? 'ipv6' : 'ipv4';
}

/** Byte order for names and keys: the same in every locale (never localeCompare). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
