import { aggregate, comparePrefixes } from '../../../src/intent/prefixes.js';

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
