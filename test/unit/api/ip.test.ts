import { describe, expect, test } from '@jest/globals';
import { ipText, parseCidr, parseIp, summarizeRange } from '../../../src/api/ip.js';
import { parsePoolRange } from '../../../src/api/ipaddresspool.js';

describe('parseIp', () => {
  test('canonical text, family and value', () => {
    expect(parseIp('10.0.0.1')).toEqual({ ok: true, value: { text: '10.0.0.1', family: 'ipv4', value: 0x0a000001n } });
    expect(parseIp('2620:52:0:88:0:0:0:104')).toMatchObject({ ok: true, value: { text: '2620:52:0:88::104', family: 'ipv6' } });
    expect(parseIp('2001:DB8::1')).toMatchObject({ value: { text: '2001:db8::1' } });
  });

  test('IPv6 text is written like inet_ntop', () => {
    expect(ipText(0x20010db8000000010001000100010001n, 'ipv6')).toBe('2001:db8:0:1:1:1:1:1'); // one zero group stays
    expect(ipText(0x20010db8000000000001000000000001n, 'ipv6')).toBe('2001:db8::1:0:0:1'); // first longest run
    expect(ipText(0n, 'ipv6')).toBe('::');
    expect(ipText(1n, 'ipv6')).toBe('::1');
  });

  test('rejects bad input with a message', () => {
    expect(parseIp('10.0.0')).toEqual({ ok: false, error: '"10.0.0" is not a valid IP address: use a dotted quad such as "10.0.0.1" (no leading zeros)' });
    expect(parseIp('010.0.0.1').ok).toBe(false);
    expect(parseIp(' 10.0.0.1').ok).toBe(false);
    expect(parseIp('10.0.0.1/32')).toEqual({ ok: false, error: '"10.0.0.1/32" is not a valid IP address: it has a prefix length; write the address alone, e.g. "10.0.0.1"' });
    expect(parseIp('::ffff:10.0.0.1')).toEqual({
      ok: false,
      error: '"::ffff:10.0.0.1" is not a valid IP address: IPv4-mapped addresses are not supported; write the IPv4 address "10.0.0.1"',
    });
  });

  test('rejects zone ids and suggests interface', () => {
    expect(parseIp('fe80::1%eth0')).toEqual({
      ok: false,
      error:
        '"fe80::1%eth0" is not a valid IP address: zone ids such as "%eth0" are not supported; for link-local or unnumbered peering set spec.interface to "eth0" instead of an address',
    });
  });
});

describe('parseCidr', () => {
  test('network, bounds and host bits', () => {
    expect(parseCidr('10.0.0.5/24')).toEqual({
      ok: true,
      value: { text: '10.0.0.0/24', family: 'ipv4', prefixLength: 24, first: 0x0a000000n, last: 0x0a0000ffn, hostBitsSet: true },
    });
    expect(parseCidr('2001:db8::/32')).toMatchObject({ ok: true, value: { text: '2001:db8::/32', prefixLength: 32, hostBitsSet: false } });
  });

  test('errors', () => {
    expect(parseCidr('10.0.0.1')).toEqual({
      ok: false,
      error: '"10.0.0.1" is not a valid CIDR: it has no prefix length; write address/length, e.g. "10.0.0.1/32" for this one address',
    });
    expect(parseCidr('10.0.0.0/33')).toEqual({ ok: false, error: '"10.0.0.0/33" is not a valid CIDR: the prefix length must be a number from 0 to 32' });
    expect(parseCidr('10.0.0.0/024').ok).toBe(false);
  });
});

describe('range summarisation', () => {
  test('the seed ranges give the minimal CIDR lists', () => {
    expect(parsePoolRange('4.4.4.100-4.4.4.200')).toEqual({
      ok: true,
      value: {
        text: '4.4.4.100-4.4.4.200',
        family: 'ipv4',
        cidrs: ['4.4.4.100/30', '4.4.4.104/29', '4.4.4.112/28', '4.4.4.128/26', '4.4.4.192/29', '4.4.4.200/32'],
        first: 0x04040464n,
        last: 0x040404c8n,
      },
    });
    const v6 = parsePoolRange('2001:100:4::200-2001:100:4::400');
    expect(v6.ok && v6.value.cidrs).toEqual(['2001:100:4::200/119', '2001:100:4::400/128']);
    expect(v6.ok && v6.value.family).toBe('ipv6');
  });

  test('edge cases', () => {
    expect(summarizeRange(0n, 0xffffffffn, 'ipv4')).toEqual(['0.0.0.0/0']);
    expect(summarizeRange(5n, 5n, 'ipv4')).toEqual(['0.0.0.5/32']);
    expect(parsePoolRange('192.168.1.0 - 192.168.1.255')).toMatchObject({ ok: true, value: { cidrs: ['192.168.1.0/24'] } });
  });

  test('start after end, mixed families', () => {
    expect(parsePoolRange('10.0.0.20-10.0.0.10')).toEqual({
      ok: false,
      error: '"10.0.0.20-10.0.0.10" is not a valid range: the start 10.0.0.20 is after the end 10.0.0.10: write the lower address first, e.g. "10.0.0.10-10.0.0.20"',
    });
    expect(parsePoolRange('10.0.0.1-2001:db8::1')).toEqual({
      ok: false,
      error: '"10.0.0.1-2001:db8::1" is not a valid range: the start and end are of different IP families: write one IPv4 range and one IPv6 range as two entries',
    });
  });
});
