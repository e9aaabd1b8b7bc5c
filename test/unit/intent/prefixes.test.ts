import { parseIp } from '../../../src/api/ip.js';
import { aggregateKeyed, compareKeyed } from '../../../src/intent/prefixes.js';

/** Text prefix of an address aggregated the way `intent/` does it, from `api/`'s parsed value. */
function aggregate(ip: string, family: 'ipv4' | 'ipv6', length: number): string {
  return keyed(ip, family, length).prefix;
}

function keyed(ip: string, family: 'ipv4' | 'ipv6', length: number) {
  const parsed = parseIp(ip);
  if (!parsed.ok) throw new Error(parsed.error);
  const value = family === 'ipv4' ? Number(parsed.value.value) : parsed.value.value;
  return aggregateKeyed(parsed.value.text, value, family, length);
}

function comparePrefixes(a: string, b: string): number {
  const key = (p: string) => {
    const [ip = '', len = '0'] = p.split('/');
    return keyed(ip, p.includes(':') ? 'ipv6' : 'ipv4', Number(len));
  };
  return compareKeyed(key(a), key(b));
}

describe('aggregate', () => {
  it('masks the service IP to the aggregation length', () => {
    expect(aggregate('198.51.100.10', 'ipv4', 24)).toBe('198.51.100.0/24');
    expect(aggregate('198.51.100.10', 'ipv4', 32)).toBe('198.51.100.10/32');
    expect(aggregate('2001:db8::abcd', 'ipv6', 64)).toBe('2001:db8::/64');
    expect(aggregate('2001:db8::abcd', 'ipv6', 128)).toBe('2001:db8::abcd/128');
  });
});

describe('comparePrefixes', () => {
  it('orders numerically, IPv4 first (not as strings: .2 before .10)', () => {
    const sorted = ['2001:db8::1/128', '192.0.2.10/32', '192.0.2.2/32', '192.0.2.0/24'].sort(comparePrefixes);
    expect(sorted).toEqual(['192.0.2.0/24', '192.0.2.2/32', '192.0.2.10/32', '2001:db8::1/128']);
  });
});
