/**
 * `bfdDefaultsFor`: what `applyConfig` sets when `frr-reload.py --test` still lists only the
 * deletion of BFD lines FRR 8.4.4 has no `no` form of (test/frr/bfd-removal.test.ts on real FRR).
 */
import { bfdDefaultsFor } from '../../../src/frr/reload.js';

describe('bfdDefaultsFor', () => {
  it("sets each profile's value back to its default, with its context, as frr-reload.py --test prints it", () => {
    const toDelete = ['bfd', ' profile slow', '  no transmit-interval 500', 'bfd', ' profile slow', '  no receive-interval 1000', 'bfd', ' profile fast', '  no detect-multiplier 5'];
    expect(bfdDefaultsFor({ toDelete, toAdd: [] })).toEqual([
      ['bfd', 'profile slow', 'transmit-interval 300'],
      ['bfd', 'profile slow', 'receive-interval 300'],
      ['bfd', 'profile fast', 'detect-multiplier 3'],
    ]);
  });

  it('sends nothing when anything else is left: another deletion, an addition, a line outside a profile', () => {
    expect(bfdDefaultsFor({ toDelete: [], toAdd: [] })).toBeUndefined();
    expect(bfdDefaultsFor({ toDelete: ['bfd', ' profile slow', '  no transmit-interval 500'], toAdd: ['router bgp 64500'] })).toBeUndefined();
    expect(bfdDefaultsFor({ toDelete: ['bfd', ' profile slow', '  no transmit-interval 500', 'router bgp 64500', ' no neighbor 192.0.2.1 bfd'], toAdd: [] })).toBeUndefined();
    expect(bfdDefaultsFor({ toDelete: ['bfd', ' profile slow', '  no echo-interval 100'], toAdd: [] })).toBeUndefined();
    expect(bfdDefaultsFor({ toDelete: ['router bgp 64500', ' no transmit-interval 500'], toAdd: [] })).toBeUndefined();
  });
});
