import { describe, expect, test } from '@jest/globals';
import { build, errors, peer, warnings } from './helpers.js';

const base = { myASN: 64500, peerASN: 64501, peerAddress: '10.0.0.1' };

function one(spec: Record<string, unknown>, apiVersion?: string) {
  const { snapshot, problems } = build(peer('p1', spec, apiVersion));
  return { peer: snapshot.peers[0], errors: errors(problems), warnings: warnings(problems) };
}

function errorsOf(spec: Record<string, unknown>): string[] {
  return one(spec).errors;
}

describe('BGPPeer v1beta2', () => {
  test('defaults', () => {
    const { peer: p, errors: e } = one(base);
    expect(e).toEqual([]);
    expect(p).toEqual({
      ref: { kind: 'BGPPeer', namespace: 'metallb-system', name: 'p1', source: 'test.yaml' },
      apiVersion: 'metallb.io/v1beta2',
      myASN: 64500,
      peerASN: { kind: 'number', asn: 64501 },
      localASN: undefined,
      address: '10.0.0.1',
      addressFamily: 'ipv4',
      interface: undefined,
      sourceAddress: undefined,
      port: 179,
      timers: undefined,
      connectTimeSeconds: undefined,
      routerID: undefined,
      nodeSelectors: [],
      password: { kind: 'none' },
      bfdProfile: undefined,
      enableGracefulRestart: false,
      ebgpMultiHop: false,
      vrf: undefined,
      dualStackAddressFamily: false,
    });
  });

  test('every field', () => {
    const { peer: p, errors: e } = one({
      myASN: 64500, dynamicASN: 'external', localASN: 65000, peerAddress: '2620:52:0:88:0::104', sourceAddress: '2620:52::1',
      peerPort: 1179, holdTime: '1m30s', keepaliveTime: '30s', connectTime: '5s', routerID: '10.10.10.10',
      nodeSelectors: [{ matchLabels: { zone: 'a' } }], password: 'pw', bfdProfile: 'fast', enableGracefulRestart: true,
      ebgpMultiHop: true, vrf: 'red', dualStackAddressFamily: true,
    });
    expect(e).toEqual([`BGPPeer metallb-system/p1: spec.bfdProfile: "fast" names no BFDProfile in metallb-system: create the profile or remove spec.bfdProfile`]);
    expect(p).toMatchObject({
      peerASN: { kind: 'external' }, localASN: 65000, address: '2620:52:0:88::104', addressFamily: 'ipv6', sourceAddress: '2620:52::1',
      port: 1179, timers: { holdSeconds: 90, keepaliveSeconds: 30 }, connectTimeSeconds: 5, routerID: '10.10.10.10',
      nodeSelectors: [{ matchLabels: { zone: 'a' }, matchExpressions: [] }], password: { kind: 'inline', value: 'pw' },
      bfdProfile: 'fast', enableGracefulRestart: true, ebgpMultiHop: true, vrf: 'red', dualStackAddressFamily: true,
    });
  });

  test('unnumbered peer and vrf default', () => {
    const { peer: p, errors: e } = one({ myASN: 64500, dynamicASN: 'internal', interface: 'eth1', vrf: 'default' });
    expect(e).toEqual([]);
    expect(p).toMatchObject({ interface: 'eth1', address: undefined, addressFamily: undefined, vrf: undefined, peerASN: { kind: 'internal' } });
  });

  test('ASN rules', () => {
    expect(errorsOf({ ...base, myASN: 0 })).toEqual(['BGPPeer metallb-system/p1: spec.myASN: 0 is not a valid AS number: set the local AS number (1-4294967295)']);
    expect(errorsOf({ peerASN: 1, peerAddress: '10.0.0.1' })).toEqual(['BGPPeer metallb-system/p1: spec.myASN: is missing: set the local AS number (1-4294967295)']);
    expect(errorsOf({ ...base, myASN: 4294967296 })).toEqual(['BGPPeer metallb-system/p1: spec.myASN: 4294967296 is out of range: use an integer from 0 to 4294967295']);
    expect(errorsOf({ myASN: 1, peerAddress: '10.0.0.1' })).toEqual([
      'BGPPeer metallb-system/p1: spec.peerASN: is missing: set the peer\'s AS number (1-4294967295), or spec.dynamicASN to "internal" or "external"',
    ]);
    expect(errorsOf({ ...base, dynamicASN: 'external' })).toEqual([
      'BGPPeer metallb-system/p1: spec.dynamicASN: cannot be set together with spec.peerASN: remove one (peerASN for a fixed AS, dynamicASN to accept any internal or external AS)',
    ]);
    expect(errorsOf({ myASN: 1, dynamicASN: 'ibgp', peerAddress: '10.0.0.1' })).toEqual([
      'BGPPeer metallb-system/p1: spec.dynamicASN: "ibgp" is not valid: use "internal" or "external"',
    ]);
    expect(errorsOf({ ...base, myASN: '64500' })).toEqual(['BGPPeer metallb-system/p1: spec.myASN: "64500" is a string: write the number without quotes (an integer from 0 to 4294967295)']);
  });

  test('iBGP rules for ebgpMultiHop and localASN', () => {
    expect(errorsOf({ ...base, peerASN: 64500, ebgpMultiHop: true, localASN: 7 })).toEqual([
      'BGPPeer metallb-system/p1: spec.localASN: cannot be used with an iBGP peer (peerASN 64500 equals myASN): remove it; localASN only applies to eBGP sessions',
      'BGPPeer metallb-system/p1: spec.ebgpMultiHop: cannot be used with an iBGP peer (peerASN 64500 equals myASN): remove it; ebgpMultiHop only applies to eBGP sessions',
    ]);
    // MetalLB checks only a numeric peerASN equal to myASN; with dynamicASN internal it accepts it
    // (and FRR ignores ebgp-multihop on iBGP): accepted with a warning.
    const internal = one({ myASN: 1, dynamicASN: 'internal', peerAddress: '10.0.0.1', ebgpMultiHop: true });
    expect(internal.errors).toEqual([]);
    expect(internal.peer?.ebgpMultiHop).toBe(true);
    expect(internal.warnings).toEqual([
      'BGPPeer metallb-system/p1: spec.ebgpMultiHop: has no effect with dynamicASN internal: the session is iBGP, where FRR ignores ebgp-multihop (and does not show it), so no ebgp-multihop line is written; remove it',
    ]);
    expect(one({ myASN: 1, dynamicASN: 'external', peerAddress: '10.0.0.1', ebgpMultiHop: true })).toMatchObject({ errors: [], warnings: [] });
    expect(errorsOf({ ...base, localASN: 64500 })).toEqual([
      'BGPPeer metallb-system/p1: spec.localASN: 64500 equals spec.myASN: remove it, or set the different AS number to present to this peer',
    ]);
    expect(errorsOf({ ...base, localASN: 0 })).toEqual(['BGPPeer metallb-system/p1: spec.localASN: 0 is out of range: use an integer from 1 to 4294967295']);
  });

  test('address and interface', () => {
    expect(errorsOf({ myASN: 1, peerASN: 2 })).toEqual([
      "BGPPeer metallb-system/p1: spec.peerAddress: is missing: set the peer's IP address, or spec.interface for unnumbered peering",
    ]);
    expect(errorsOf({ ...base, interface: 'eth0' })).toEqual([
      'BGPPeer metallb-system/p1: spec.interface: cannot be set together with spec.peerAddress: use peerAddress for a numbered session or interface for an unnumbered one, not both',
    ]);
    expect(errorsOf({ ...base, peerAddress: 'fe80::1%eth0' })).toEqual([
      'BGPPeer metallb-system/p1: spec.peerAddress: "fe80::1%eth0" is not a valid peer address: zone ids such as "%eth0" are not supported; for link-local or unnumbered peering set spec.interface to "eth0" instead of an address',
    ]);
    // MetalLB accepts it and FRR loads it; the session cannot come up: a warning.
    expect(one({ ...base, sourceAddress: '2001:db8::1' })).toMatchObject({
      errors: [],
      peer: { sourceAddress: '2001:db8::1' },
      warnings: ['BGPPeer metallb-system/p1: spec.sourceAddress: "2001:db8::1" is IPv6 but spec.peerAddress "10.0.0.1" is IPv4: FRR takes it, but cannot open the session from it, so the session stays down; use a source address of the same family'],
    });
    expect(errorsOf({ ...base, routerID: '2001:db8::1' })).toEqual([
      'BGPPeer metallb-system/p1: spec.routerID: "2001:db8::1" is not a valid router ID: FRR\'s router-id is an IPv4 address (dotted quad), e.g. "10.10.10.10"',
    ]);
  });

  test('port', () => {
    expect(one({ ...base, peerPort: 16384 }).peer?.port).toBe(16384);
    expect(errorsOf({ ...base, peerPort: 0 })).toEqual(['BGPPeer metallb-system/p1: spec.peerPort: 0 is out of range: use an integer from 1 to 16384']);
    expect(errorsOf({ ...base, peerPort: 16385 })).toEqual(['BGPPeer metallb-system/p1: spec.peerPort: 16385 is out of range: use an integer from 1 to 16384']);
  });

  // Go's net.ParseIP reads an IPv4-mapped address as its IPv4 address, and MetalLB writes that one.
  test('IPv4-mapped addresses are their IPv4 address, with a warning', () => {
    const r = one({ myASN: 64500, peerASN: 64501, peerAddress: '::ffff:192.0.2.1', sourceAddress: '::ffff:192.0.2.10', routerID: '::ffff:192.0.2.10' });
    expect(r.errors).toEqual([]);
    expect(r.peer).toMatchObject({ address: '192.0.2.1', addressFamily: 'ipv4', sourceAddress: '192.0.2.10', routerID: '192.0.2.10' });
    expect(r.warnings).toEqual([
      'BGPPeer metallb-system/p1: spec.peerAddress: "::ffff:192.0.2.1" is an IPv4-mapped address: MetalLB reads it as the IPv4 address "192.0.2.1", and so does this renderer; write "192.0.2.1"',
      'BGPPeer metallb-system/p1: spec.sourceAddress: "::ffff:192.0.2.10" is an IPv4-mapped address: MetalLB reads it as the IPv4 address "192.0.2.10", and so does this renderer; write "192.0.2.10"',
      'BGPPeer metallb-system/p1: spec.routerID: "::ffff:192.0.2.10" is an IPv4-mapped address: MetalLB reads it as the IPv4 address "192.0.2.10", and so does this renderer; write "192.0.2.10"',
    ]);
  });

  test('passwords', () => {
    expect(errorsOf({ ...base, password: 'a', passwordSecret: { name: 's' } })).toEqual([
      'BGPPeer metallb-system/p1: spec.passwordSecret: cannot be set together with spec.password: remove one of them (the password comes either inline or from a Secret)',
    ]);
    expect(one({ ...base, passwordSecret: { name: 's', namespace: 'metallb-system' } }).peer?.password).toEqual({
      kind: 'secret', secretName: 's', secretNamespace: 'metallb-system',
    });
    expect(one({ ...base, passwordSecret: { name: 's' } }).peer?.password).toEqual({ kind: 'secret', secretName: 's', secretNamespace: 'metallb-system' });
    // MetalLB never reads passwordSecret.namespace: the Secret comes from its own namespace.
    const otherNs = one({ ...base, passwordSecret: { name: 's', namespace: 'default' } });
    expect(otherNs.errors).toEqual([]);
    expect(otherNs.peer?.password).toEqual({ kind: 'secret', secretName: 's', secretNamespace: 'metallb-system' });
    expect(otherNs.warnings).toEqual([
      'BGPPeer metallb-system/p1: spec.passwordSecret.namespace: "default" is ignored: MetalLB reads the Secret "s" from its own namespace "metallb-system", and so does this renderer; set this field to "metallb-system" or remove it',
    ]);
    const nsOnly = one({ ...base, passwordSecret: { namespace: 'metallb-system' } });
    expect(nsOnly).toMatchObject({ errors: [], peer: { password: { kind: 'none' } } });
    expect(nsOnly.warnings).toHaveLength(1);
    expect(errorsOf({ ...base, password: 123456 })).toEqual(['BGPPeer metallb-system/p1: spec.password: must be a string: quote the value']);
    const secret = 'top secret';
    const e = errorsOf({ ...base, password: secret });
    expect(e).toEqual([
      'BGPPeer metallb-system/p1: spec.password: the password contains a space or tab, and FRR would keep only the part before it: use 1-80 bytes of printable characters without spaces',
    ]);
  });

  test('messages never contain the password', () => {
    for (const password of ['secret pw', 'secret\u2028', 'secret\n', 'x'.repeat(81), 987654]) {
      const { errors: e } = one({ ...base, password });
      expect(e).toHaveLength(1);
      expect(e.join()).not.toContain(String(password).trim().slice(0, 6));
    }
  });

  test('injection through vrf, interface and bfdProfile is rejected', () => {
    expect(errorsOf({ ...base, vrf: 'ens4vrf 1' })).toEqual([
      `BGPPeer metallb-system/p1: spec.vrf: "ens4vrf 1" is not a valid VRF name: use the name of the VRF device (1-15 letters, digits, '_', '-', '.', not starting with '-' or '.'), e.g. "ens4vrf"`,
    ]);
    for (const bad of ['red\nrouter bgp 1', 'red!', 'a b']) {
      expect(errorsOf({ ...base, vrf: bad })).toHaveLength(1);
      expect(errorsOf({ myASN: 1, peerASN: 2, interface: bad })).toHaveLength(1);
      expect(errorsOf({ ...base, bfdProfile: bad })).toHaveLength(1);
      // A password ends its line: only what breaks or cuts it is rejected ('!' is a character FRR keeps).
      if (bad !== 'red!') expect(errorsOf({ ...base, password: `x${bad}` })).toHaveLength(1);
    }
    expect(one({ ...base, password: 'S3cret!' })).toMatchObject({ errors: [], peer: { password: { kind: 'inline', value: 'S3cret!' } } });
  });

  test('duplicate node selectors', () => {
    expect(errorsOf({ ...base, nodeSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }] })).toEqual([
      'BGPPeer metallb-system/p1: spec.nodeSelectors[1]: duplicate selector: it is the same as spec.nodeSelectors[0]; list it once',
    ]);
  });

  test('every mistake of one object is reported', () => {
    expect(errorsOf({ myASN: 0, peerASN: 2, peerAddress: '10.0.0.300', holdTime: '2s' })).toEqual([
      'BGPPeer metallb-system/p1: spec.myASN: 0 is not a valid AS number: set the local AS number (1-4294967295)',
      'BGPPeer metallb-system/p1: spec.peerAddress: "10.0.0.300" is not a valid peer address: use a dotted quad such as "10.0.0.1" (no leading zeros)',
      'BGPPeer metallb-system/p1: spec.holdTime: "2s" is too short: MetalLB needs a hold time of 0s (no hold timer) or at least 3s',
    ]);
  });

  test('unknown fields and disableMP warn', () => {
    expect(one({ ...base, holdtime: '9s', disableMP: true }).warnings).toEqual([
      'BGPPeer metallb-system/p1: spec.holdtime: unknown field: did you mean "holdTime"?',
      'BGPPeer metallb-system/p1: spec.disableMP: is deprecated and has no effect in FRR mode: remove it (use dualStackAddressFamily to advertise both families)',
    ]);
  });
});

describe('BGPPeer v1beta1 conversion', () => {
  const v1 = 'metallb.io/v1beta1';

  // MetalLB's webhook (api/v1beta1/bgppeer_conversion.go ConvertTo) always sets both timer pointers:
  // a v1beta1 timer that was not written is "0s" in the v1beta2 object the speaker reads.
  test('no timers: the conversion webhook makes them 0s, so FRR runs timers 0 0, with a warning; port 0 means 179', () => {
    const { peer: p, errors: e, warnings: w } = one({ ...base, peerPort: 0 }, v1);
    expect(e).toEqual([]);
    expect(p).toMatchObject({ apiVersion: v1, timers: { holdSeconds: 0, keepaliveSeconds: 0 }, port: 179, address: '10.0.0.1' });
    expect(w).toEqual([
      'BGPPeer metallb-system/p1: spec.holdTime: is not set, and neither is keepaliveTime: MetalLB\'s conversion webhook stores a metallb.io/v1beta1 BGPPeer with holdTime and keepaliveTime "0s", so FRR runs "timers 0 0" (no hold timer, no keepalives) instead of its defaults (hold 180s, keepalive 60s), and so does this config; set both timers, or write the peer as metallb.io/v1beta2',
    ]);
  });

  test('only holdTime: keepalive becomes 0s (not hold/3 as in v1beta2)', () => {
    const { peer: p, errors: e, warnings: w } = one({ ...base, holdTime: '90s' }, v1);
    expect(e).toEqual([]);
    expect(p?.timers).toEqual({ holdSeconds: 90, keepaliveSeconds: 0 });
    expect(w).toEqual([
      'BGPPeer metallb-system/p1: spec.keepaliveTime: is not set: MetalLB\'s conversion webhook stores a metallb.io/v1beta1 BGPPeer with keepaliveTime "0s" (not holdTime / 3 as in v1beta2), so FRR runs keepalive 0; set keepaliveTime, or write the peer as metallb.io/v1beta2',
    ]);
    // Control: the same spec as v1beta2 derives the keepalive.
    expect(one({ ...base, holdTime: '90s' }).peer?.timers).toEqual({ holdSeconds: 90, keepaliveSeconds: 30 });
  });

  test('only keepaliveTime: hold becomes 0s, and keepalive > hold is rejected as MetalLB does', () => {
    const { peer: p, errors: e, warnings: w } = one({ ...base, keepaliveTime: '30s' }, v1);
    expect(p).toBeUndefined();
    expect(e).toEqual([
      'BGPPeer metallb-system/p1: spec.keepaliveTime: "30s" is longer than holdTime "0s", which MetalLB rejects: use a keepaliveTime of at most the holdTime (FRR runs at most a third of it)',
    ]);
    expect(w).toEqual([
      'BGPPeer metallb-system/p1: spec.holdTime: is not set: MetalLB\'s conversion webhook stores a metallb.io/v1beta1 BGPPeer with holdTime "0s" (not 3 × keepaliveTime as in v1beta2); set holdTime, or write the peer as metallb.io/v1beta2',
    ]);
    // Control: the same spec as v1beta2 derives the hold time.
    expect(one({ ...base, keepaliveTime: '30s' }).peer?.timers).toEqual({ holdSeconds: 90, keepaliveSeconds: 30 });
  });

  test('both timers and legacy node selectors convert', () => {
    const { peer: p, errors: e, warnings: w } = one(
      {
        ...base,
        holdTime: '30s',
        keepaliveTime: '10s',
        nodeSelectors: [{ matchLabels: { a: 'b' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] }, {}],
      },
      v1,
    );
    expect(e).toEqual([]);
    expect(w).toEqual([]);
    expect(p?.timers).toEqual({ holdSeconds: 30, keepaliveSeconds: 10 });
    expect(p?.nodeSelectors).toEqual([
      { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] },
      { matchLabels: {}, matchExpressions: [] },
    ]);
  });

  test('v1beta2-only fields are dropped with a warning', () => {
    const { peer: p, warnings: w } = one({ ...base, vrf: 'red', holdTime: '90s', keepaliveTime: '30s' }, v1);
    expect(p?.vrf).toBeUndefined();
    expect(w).toEqual(['BGPPeer metallb-system/p1: spec.vrf: does not exist in metallb.io/v1beta1 and is ignored: use apiVersion metallb.io/v1beta2 to set it']);
  });

  test('v1beta1 messages do not mention v1beta2 fields', () => {
    expect(one({ myASN: 1 }, v1).errors).toEqual([
      "BGPPeer metallb-system/p1: spec.peerASN: is missing: set the peer's AS number (1-4294967295)",
      "BGPPeer metallb-system/p1: spec.peerAddress: is missing: set the peer's IP address",
    ]);
  });
});
