import { cidrText, familyBits, parseIp, type IpFamily } from '../api/ip.js';

export type Family = IpFamily;

/** An IP address as a number, for masking and ordering. `ip` was validated by `api/`. */
export function ipToBigInt(ip: string, _family?: Family): bigint {
  const parsed = parseIp(ip);
  if (!parsed.ok) throw new Error(`internal: unvalidated IP ${ip}`);
  return parsed.value.value;
}

/**
 * The prefix a service IP is announced as: the IP masked to the advertisement's aggregation length
 * (MetalLB: `IP.Mask(aggregationLength)`), e.g. 198.51.100.10 with 24 gives `198.51.100.0/24`.
 */
export function aggregate(ip: string, family: Family, length: number): string {
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

/** Byte order for names and keys: the same in every locale (never localeCompare). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
