import { describe, expect, test } from '@jest/globals';
import { build, errors, peer } from './helpers.js';

const base = { myASN: 64500, peerASN: 64501, peerAddress: '10.0.0.1' };

function timers(t: Record<string, unknown>) {
  const { snapshot, problems } = build(peer('p1', { ...base, ...t }));
  return { timers: snapshot.peers[0]?.timers, connect: snapshot.peers[0]?.connectTimeSeconds, errors: errors(problems) };
}

describe('BGPPeer timers', () => {
  test.each([
    [{ holdTime: '90s' }, { holdSeconds: 90, keepaliveSeconds: 30 }],
    [{ holdTime: '10s' }, { holdSeconds: 10, keepaliveSeconds: 3 }],
    [{ holdTime: '1m30s', keepaliveTime: '20s' }, { holdSeconds: 90, keepaliveSeconds: 20 }],
    [{ keepaliveTime: '20s' }, { holdSeconds: 60, keepaliveSeconds: 20 }],
    [{ keepaliveTime: '1.5s' }, { holdSeconds: 4, keepaliveSeconds: 1 }],
    [{ holdTime: '3.9s' }, { holdSeconds: 3, keepaliveSeconds: 1 }],
    [{ holdTime: '0s', keepaliveTime: '0s' }, { holdSeconds: 0, keepaliveSeconds: 0 }],
    [{ holdTime: '0s' }, { holdSeconds: 0, keepaliveSeconds: 0 }],
    [{ holdTime: '65535s' }, { holdSeconds: 65535, keepaliveSeconds: 21845 }],
    [{}, undefined],
  ])('%j gives %j', (input, expected) => {
    const r = timers(input);
    expect(r.errors).toEqual([]);
    expect(r.timers).toEqual(expected);
  });

  test('hold too short or too long', () => {
    expect(timers({ holdTime: '2s' }).errors).toEqual(['BGPPeer metallb-system/p1: spec.holdTime: "2s" is too short: use 0s or at least 3s']);
    expect(timers({ holdTime: '2.9s' }).errors).toEqual(['BGPPeer metallb-system/p1: spec.holdTime: "2.9s" is too short: use 0s or at least 3s']);
    expect(timers({ holdTime: '20h' }).errors).toEqual(['BGPPeer metallb-system/p1: spec.holdTime: "20h" is too long: use at most 65535s']);
  });

  test('keepalive above a third of hold is an error (FRR would rewrite it)', () => {
    expect(timers({ holdTime: '90s', keepaliveTime: '60s' }).errors).toEqual([
      'BGPPeer metallb-system/p1: spec.keepaliveTime: "60s" is more than a third of holdTime "90s" (FRR would silently use 30s): use at most 30s',
    ]);
    expect(timers({ holdTime: '90s', keepaliveTime: '31s' }).errors).toHaveLength(1);
    expect(timers({ holdTime: '90s', keepaliveTime: '30s' }).errors).toEqual([]);
  });

  test('hold 0 needs keepalive 0', () => {
    expect(timers({ holdTime: '0s', keepaliveTime: '10s' }).errors).toEqual([
      'BGPPeer metallb-system/p1: spec.keepaliveTime: "10s" needs a non-zero holdTime: with holdTime "0s" (no hold timer) use "0s"',
    ]);
  });

  test('derived hold out of range', () => {
    expect(timers({ keepaliveTime: '7h' }).errors).toEqual([
      'BGPPeer metallb-system/p1: spec.keepaliveTime: "7h" gives a holdTime of 75600s (3 × keepaliveTime), more than 65535s: use at most 21845s, or set holdTime',
    ]);
    expect(timers({ keepaliveTime: '900ms' }).errors).toEqual([
      'BGPPeer metallb-system/p1: spec.keepaliveTime: "900ms" is shorter than one second, which FRR\'s whole seconds would turn into 0 (timer off): use "0s" to turn it off, or at least "1s"',
    ]);
  });

  test('a non-zero duration under one second never becomes a disabled timer', () => {
    // Truncated to whole seconds these all render `timers 0 0` (hold timer off); MetalLB rejects them.
    for (const [field, value] of [
      ['holdTime', '0.5s'], ['holdTime', '999ms'], ['holdTime', '.5s'], ['holdTime', '1ns'], ['keepaliveTime', '0.3s'],
    ] as const) {
      expect(timers({ [field]: value }).errors).toEqual([
        `BGPPeer metallb-system/p1: spec.${field}: "${value}" is shorter than one second, which FRR's whole seconds would turn into 0 (timer off): use "0s" to turn it off, or at least "1s"`,
      ]);
    }
    // Control: zero and whole seconds stay valid.
    expect(timers({ holdTime: '0s' }).errors).toEqual([]);
    expect(timers({ holdTime: '3s', keepaliveTime: '1s' }).errors).toEqual([]);
  });

  test('bad duration text and numbers', () => {
    expect(timers({ holdTime: '90' }).errors).toEqual([
      'BGPPeer metallb-system/p1: spec.holdTime: "90" is not a valid duration: use a number with a unit (h, m, s, ms), e.g. "90s", "1m30s" or "500ms"',
    ]);
    expect(timers({ holdTime: 90 }).errors).toEqual([
      'BGPPeer metallb-system/p1: spec.holdTime: 90 is not a duration: write it as a quoted string with a unit, e.g. "90s"',
    ]);
    expect(timers({ holdTime: '-9s' }).errors).toEqual(['BGPPeer metallb-system/p1: spec.holdTime: "-9s" is negative: use a positive duration such as "90s"']);
  });

  test('connectTime', () => {
    expect(timers({ connectTime: '10s' }).connect).toBe(10);
    expect(timers({ connectTime: '1m' }).connect).toBe(60);
    expect(timers({ connectTime: '1.5s' }).errors).toEqual(['BGPPeer metallb-system/p1: spec.connectTime: "1.5s" is not a whole number of seconds: use e.g. "1s"']);
    expect(timers({ connectTime: '0s' }).errors).toEqual(['BGPPeer metallb-system/p1: spec.connectTime: "0s" is out of range: use 1s to 65535s']);
    expect(timers({ connectTime: '20h' }).errors).toEqual(['BGPPeer metallb-system/p1: spec.connectTime: "20h" is out of range: use 1s to 65535s']);
  });
});
