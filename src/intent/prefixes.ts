import { cidrText, familyBits, parseIp, type IpFamily } from '../api/ip.js';

export type Family = IpFamily;

/** An IP address as a number, for masking and ordering. `ip` was validated by `api/`. */
export function ipToBigInt(ip: string, _family?: Family): bigint {
  const v4 = canonicalV4(ip);
  if (v4 !== undefined) return BigInt(v4);
  const v6 = plainV6(ip);
  if (v6 !== undefined) return v6;
  const parsed = parseIp(ip);
  if (!parsed.ok) throw new Error(`internal: unvalidated IP ${ip}`);
  return parsed.value.value;
}

/**
 * The prefix a service IP is announced as: the IP masked to the advertisement's aggregation length
 * (MetalLB: `IP.Mask(aggregationLength)`), e.g. 198.51.100.10 with 24 gives `198.51.100.0/24`.
 */
export function aggregate(ip: string, family: Family, length: number): string {
  if (family === 'ipv4') {
    // Hot path (one call per announced IP): plain numbers, the same text as cidrText.
    const v4 = canonicalV4(ip);
    if (v4 !== undefined && length >= 0 && length <= 32) {
      const masked = length === 0 ? 0 : (v4 & (0xffffffff << (32 - length))) >>> 0;
      return `${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${length}`;
    }
  }
  const hostBits = BigInt(familyBits(family) - length);
  const masked = (ipToBigInt(ip) >> hostBits) << hostBits;
  return cidrText(masked, length, family);
}

/** A prefix with its numeric sort key, so sorting thousands of them never re-parses text. */
export interface KeyedPrefix {
  readonly prefix: string;
  readonly v6: boolean;
  /** Network address: a number for IPv4, a bigint for IPv6. */
  readonly value: number | bigint;
  readonly length: number;
}

/**
 * `aggregate` for an address whose value is already known (parsed once per service IP), keeping
 * the sort key. Host-length prefixes, the common case, reuse the canonical text as it is.
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

/** `comparePrefixes` order on keyed prefixes: IPv4 first, then address, then length. */
export function compareKeyed(a: KeyedPrefix, b: KeyedPrefix): number {
  if (a.v6 !== b.v6) return a.v6 ? 1 : -1;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return a.length - b.length;
}

export function familyOfPrefix(prefix: string): Family {
  return prefix.includes(':') ? 'ipv6' : 'ipv4';
}

/** Numeric order: IPv4 before IPv6, then by address, then shorter prefix first. */
export function comparePrefixes(a: string, b: string): number {
  const fa = familyOfPrefix(a);
  const fb = familyOfPrefix(b);
  if (fa !== fb) return fa === 'ipv4' ? -1 : 1;
  const [ipa = '', la = '0'] = a.split('/');
  const [ipb = '', lb = '0'] = b.split('/');
  const na = ipToBigInt(ipa);
  const nb = ipToBigInt(ipb);
  if (na !== nb) return na < nb ? -1 : 1;
  return Number(la) - Number(lb);
}

/**
 * The value of an IPv4 address in canonical dotted-quad form (what `api/` stores), or undefined
 * for anything else, which then takes the general `parseIp` path. A fast path for the intent
 * stage, which handles every announced address several times.
 */
function canonicalV4(ip: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined; // leading zero
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

/**
 * The value of an IPv6 address written as hex groups with at most one `::` (the form `api/`
 * stores), or undefined for anything else (embedded IPv4, zones, bad text), which then takes the
 * general `parseIp` path.
 */
function plainV6(ip: string): bigint | undefined {
  if (ip.length < 2 || ip.length > 39 || ip.includes('.')) return undefined;
  const gap = ip.indexOf('::');
  if (gap >= 0 && ip.indexOf('::', gap + 1) >= 0) return undefined;
  const groups = (text: string): number[] | undefined => {
    if (text === '') return [];
    const out: number[] = [];
    for (const g of text.split(':')) {
      if (g.length === 0 || g.length > 4 || !/^[0-9a-fA-F]+$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let words: number[] | undefined;
  if (gap < 0) {
    words = groups(ip);
    if (words?.length !== 8) return undefined;
  } else {
    const head = groups(ip.slice(0, gap));
    const tail = groups(ip.slice(gap + 2));
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  let value = 0n;
  for (const w of words) value = (value << 16n) | BigInt(w);
  return value;
}

/** Byte order for names and keys: the same in every locale (never localeCompare). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
