/**
 * IP address and CIDR parsing with canonical text (the form FRR prints: dotted quad, or lower-case
 * IPv6 compressed like inet_ntop) and bigint values for range arithmetic.
 */
import { Address4, Address6 } from 'ip-address';
import { q } from './problems.js';

export type IpFamily = 'ipv4' | 'ipv6';

export interface ParsedIp {
  readonly text: string;
  readonly family: IpFamily;
  readonly value: bigint;
}

export interface ParsedCidr {
  /** Canonical `network/len`. */
  readonly text: string;
  readonly family: IpFamily;
  readonly prefixLength: number;
  readonly first: bigint;
  readonly last: bigint;
  /** The address had bits set past the prefix (`10.0.0.5/24`); `text` holds the network. */
  readonly hostBitsSet: boolean;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export function familyBits(family: IpFamily): number {
  return family === 'ipv4' ? 32 : 128;
}

/** Parses one IP address (no prefix, no zone). Errors are one-line messages quoting the input. */
export function parseIp(input: string): Result<ParsedIp> {
  const bad = (why: string): Result<ParsedIp> => ({ ok: false, error: `${q(input)} is not a valid IP address${why}` });
  if (input === '') return bad(': the value is empty');
  if (input.trim() !== input) return bad(': remove the spaces around it');
  const zone = input.indexOf('%');
  if (zone >= 0) {
    const iface = input.slice(zone + 1);
    return bad(
      `: zone ids such as ${q('%' + iface)} are not supported; for link-local or unnumbered peering set spec.interface${iface ? ` to ${q(iface)}` : ''} instead of an address`,
    );
  }
  if (input.includes('/')) return bad(`: it has a prefix length; write the address alone, e.g. ${q(input.split('/')[0])}`);
  const generic = ': use an IPv4 or IPv6 address such as "10.0.0.1" or "2001:db8::1"';
  if (!input.includes(':')) {
    if (!/^[0-9.]+$/.test(input)) return bad(generic);
    if (!Address4.isValid(input)) return bad(': use a dotted quad such as "10.0.0.1" (no leading zeros)');
    const value = new Address4(input).bigInt();
    return { ok: true, value: { text: ipText(value, 'ipv4'), family: 'ipv4', value } };
  }
  if (!Address6.isValid(input)) return bad(generic);
  const value = new Address6(input).bigInt();
  if (value >> 32n === 0xffffn) {
    return bad(`: IPv4-mapped addresses are not supported; write the IPv4 address ${q(ipText(value & 0xffffffffn, 'ipv4'))}`);
  }
  return { ok: true, value: { text: ipText(value, 'ipv6'), family: 'ipv6', value } };
}

/**
 * The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`), or undefined. Go's
 * net.ParseIP reads such an address as that IPv4 address (and prints it so), and MetalLB with it.
 */
export function ipv4InMapped(input: string): string | undefined {
  if (!input.includes(':') || input.includes('%') || input.includes('/') || !Address6.isValid(input)) return undefined;
  const value = new Address6(input).bigInt();
  return value >> 32n === 0xffffn ? ipText(value & 0xffffffffn, 'ipv4') : undefined;
}

/** Parses `address/length`; the address may have host bits set (like Go's net.ParseCIDR). */
export function parseCidr(input: string): Result<ParsedCidr> {
  const bad = (why: string): Result<ParsedCidr> => ({ ok: false, error: `${q(input)} is not a valid CIDR${why}` });
  const slash = input.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(input);
    const hint = ip.ok ? `, e.g. ${q(`${ip.value.text}/${familyBits(ip.value.family)}`)} for this one address` : ' such as "192.168.10.0/24"';
    return bad(`: it has no prefix length; write address/length${hint}`);
  }
  const addr = parseIp(input.slice(0, slash));
  if (!addr.ok) return bad(`: ${addr.error}`);
  const { family, value } = addr.value;
  const bits = familyBits(family);
  const lenText = input.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lenText) || Number(lenText) > bits) {
    return bad(`: the prefix length must be a number from 0 to ${bits}`);
  }
  const prefixLength = Number(lenText);
  const hostMask = (1n << BigInt(bits - prefixLength)) - 1n;
  const first = value & ~hostMask;
  return {
    ok: true,
    value: {
      text: cidrText(first, prefixLength, family),
      family,
      prefixLength,
      first,
      last: first | hostMask,
      hostBitsSet: first !== value,
    },
  };
}

export function cidrText(network: bigint, prefixLength: number, family: IpFamily): string {
  return `${ipText(network, family)}/${prefixLength}`;
}

/** Canonical text of an address: dotted quad, or IPv6 as glibc's inet_ntop prints it. */
export function ipText(value: bigint, family: IpFamily): string {
  if (family === 'ipv4') {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const words: number[] = [];
  for (let i = 7; i >= 0; i--) words.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // Longest run of at least two zero words; the first one wins a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  const v4tail = (): string => ipText(value & 0xffffffffn, 'ipv4');
  // inet_ntop's IPv4-compatible and IPv4-mapped forms.
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
    return bestLen === 6 ? `::${v4tail()}` : `::ffff:${v4tail()}`;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** The smallest list of CIDRs that covers exactly [first, last]. */
export function summarizeRange(first: bigint, last: bigint, family: IpFamily): string[] {
  const bits = familyBits(family);
  const out: string[] = [];
  let start = first;
  while (start <= last) {
    // Largest block aligned on `start` that does not pass `last`.
    let size = 0;
    while (size < bits) {
      const next = size + 1;
      const blockMask = (1n << BigInt(next)) - 1n;
      if ((start & blockMask) !== 0n || start + blockMask > last) break;
      size = next;
    }
    out.push(cidrText(start, bits - size, family));
    start += 1n << BigInt(size);
  }
  return out;
}
