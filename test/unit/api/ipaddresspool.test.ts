import { describe, expect, test } from '@jest/globals';
import { build, errors, pool, warnings } from './helpers.js';

describe('IPAddressPool', () => {
  test('CIDRs and ranges, trimmed and summarised', () => {
    const { snapshot, problems } = build(pool('pool1', [' 4.4.4.100-4.4.4.200 ', '2001:100:4::200-2001:100:4::400', '192.168.10.0/24', '2001:DB8::/64'], { tier: 'gold' }));
    expect(problems).toEqual([]);
    const p = snapshot.pools[0]!;
    expect(p.labels).toEqual({ tier: 'gold' });
    expect(p.ranges.map((r) => [r.text, r.family, r.cidrs])).toEqual([
      ['4.4.4.100-4.4.4.200', 'ipv4', ['4.4.4.100/30', '4.4.4.104/29', '4.4.4.112/28', '4.4.4.128/26', '4.4.4.192/29', '4.4.4.200/32']],
      ['2001:100:4::200-2001:100:4::400', 'ipv6', ['2001:100:4::200/119', '2001:100:4::400/128']],
      ['192.168.10.0/24', 'ipv4', ['192.168.10.0/24']],
      ['2001:DB8::/64', 'ipv6', ['2001:db8::/64']],
    ]);
    expect(p.ranges[2]).toMatchObject({ first: 0xc0a80a00n, last: 0xc0a80affn });
  });

  test('every bad entry is reported', () => {
    const { snapshot, problems } = build(pool('p', ['10.0.0.20-10.0.0.10', '10.0.0.1-2001:db8::1', '10.0.0.1', 'banana', '10.1.0.0/16', '10.1.0.0/16']));
    expect(snapshot.pools).toEqual([]);
    expect(errors(problems)).toEqual([
      'IPAddressPool metallb-system/p: spec.addresses[0]: "10.0.0.20-10.0.0.10" is not a valid range: the start 10.0.0.20 is after the end 10.0.0.10: write the lower address first, e.g. "10.0.0.10-10.0.0.20"',
      'IPAddressPool metallb-system/p: spec.addresses[1]: "10.0.0.1-2001:db8::1" is not a valid range: the start and end are of different IP families: write one IPv4 range and one IPv6 range as two entries',
      'IPAddressPool metallb-system/p: spec.addresses[2]: "10.0.0.1" is not a valid CIDR: it has no prefix length; write address/length, e.g. "10.0.0.1/32" for this one address',
      'IPAddressPool metallb-system/p: spec.addresses[3]: "banana" is not a valid CIDR: it has no prefix length; write address/length such as "192.168.10.0/24"',
      'IPAddressPool metallb-system/p: spec.addresses[5]: "10.1.0.0/16" repeats spec.addresses[4]: list it once',
    ]);
  });

  test('no addresses', () => {
    expect(errors(build(pool('p', [])).problems)).toEqual([
      'IPAddressPool metallb-system/p: spec.addresses: the pool has no addresses: list at least one CIDR or range, e.g. "192.168.10.0/24" or "192.168.10.100-192.168.10.200"',
    ]);
  });

  test('host bits warn', () => {
    const { snapshot, problems } = build(pool('p', ['10.0.0.5/24']));
    expect(snapshot.pools[0]!.ranges[0]!.cidrs).toEqual(['10.0.0.0/24']);
    expect(warnings(problems)).toEqual(['IPAddressPool metallb-system/p: spec.addresses[0]: "10.0.0.5/24" has host bits set: it is read as "10.0.0.0/24"']);
  });
});
