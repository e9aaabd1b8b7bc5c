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

interface PrefixKey {
  readonly v6: boolean;
  readonly value: bigint | number;
  readonly length: number;
}

function prefixKey(prefix: string): PrefixKey {
  const [ip = '', len = '0'] = prefix.split('/');
  const v6 = familyOfPrefix(prefix) === 'ipv6';
  const v4 = v6 ? undefined : canonicalV4(ip);
  return { v6, value: v4 ?? ipToBigInt(ip), length: Number(len) };
}

/**
 * Sorts items by their prefix in `comparePrefixes` order, parsing each prefix once (a comparator
 * that parses on every call dominated the render time at thousands of services). Stable.
 */
export function sortByPrefix<T>(items: readonly T[], prefixOf: (item: T) => string): T[] {
  const keyed = items.map((item) => ({ item, key: prefixKey(prefixOf(item)) }));
  keyed.sort((a, b) => {
    const ka = a.key;
    const kb = b.key;
    if (ka.v6 !== kb.v6) return ka.v6 ? 1 : -1;
    if (ka.value !== kb.value) {
      // IPv4 keys are numbers, IPv6 keys bigints; a non-canonical IPv4 text would be a bigint.
      if (typeof ka.value === typeof kb.value) return ka.value < kb.value ? -1 : 1;
      return BigInt(ka.value) < BigInt(kb.value) ? -1 : 1;
    }
    return ka.length - kb.length;
  });
  return keyed.map((k) => k.item);
}

/** Byte order for names and keys: the same in every locale (never localeCompare). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
