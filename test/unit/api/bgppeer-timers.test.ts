import { describe, expect, test } from '@jest/globals';
import { build, errors, peer, warnings } from './helpers.js';

const base = { myASN: 64500, peerASN: 64501, peerAddress: '10.0.0.1' };

function timers(t: Record<string, unknown>) {
  const { snapshot, problems } = build(peer('p1', { ...base, ...t }));
  return { timers: snapshot.peers[0]?.timers, connect: snapshot.peers[0]?.connectTimeSeconds, errors: errors(problems), warnings: warnings(problems) };
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
    expect(timers({ holdTime: '2s' }).errors).toEqual(['BGPPeer metallb-system/p1: spec.holdTime: "2s" is too short: MetalLB needs a hold time of 0s (no hold timer) or at least 3s']);
    expect(timers({ holdTime: '2.9s' }).errors).toEqual(['BGPPeer metallb-system/p1: spec.holdTime: "2.9s" is too short: MetalLB needs a hold time of 0s (no hold timer) or at least 3s']);
    // MetalLB accepts it; FRR's "neighbor timers" takes at most 65535.
    expect(timers({ holdTime: '20h' }).errors).toEqual(['BGPPeer metallb-system/p1: spec.holdTime: "20h" is longer than 65535s, the most FRR\'s "neighbor timers" takes: use at most 65535s']);
  });

  test('keepalive above a third of hold: accepted, rendered as FRR runs it, with a warning naming the effective keepalive', () => {
    const r = timers({ holdTime: '90s', keepaliveTime: '60s' });
    expect(r.errors).toEqual([]);
    expect(r.timers).toEqual({ holdSeconds: 90, keepaliveSeconds: 30 });
    expect(r.warnings).toEqual([
      'BGPPeer metallb-system/p1: spec.keepaliveTime: "60s" is more than a third of holdTime 90s: FRR runs keepalive 30s ("neighbor timers 30 90"), and so does this config; set keepaliveTime to at most 30s to say so',
    ]);
    expect(timers({ holdTime: '90s', keepaliveTime: '31s' }).timers).toEqual({ holdSeconds: 90, keepaliveSeconds: 30 });
    expect(timers({ holdTime: '90s', keepaliveTime: '90s' }).timers).toEqual({ holdSeconds: 90, keepaliveSeconds: 30 });
    // Control: at most a third is rendered as written, without a word.
    expect(timers({ holdTime: '90s', keepaliveTime: '30s' })).toMatchObject({ errors: [], warnings: [], timers: { holdSeconds: 90, keepaliveSeconds: 30 } });
    expect(timers({ holdTime: '90s', keepaliveTime: '0s' })).toMatchObject({ errors: [], warnings: [], timers: { holdSeconds: 90, keepaliveSeconds: 0 } });
  });

  test('keepalive longer than hold stays an error (MetalLB rejects it)', () => {
    expect(timers({ holdTime: '90s', keepaliveTime: '91s' }).errors).toEqual([
      'BGPPeer metallb-system/p1: spec.keepaliveTime: "91s" is longer than holdTime "90s", which MetalLB rejects: use a keepaliveTime of at most the holdTime (FRR runs at most a third of it)',
    ]);
    expect(timers({ holdTime: '0s', keepaliveTime: '10s' }).errors).toEqual([
      'BGPPeer metallb-system/p1: spec.keepaliveTime: "10s" is longer than holdTime "0s", which MetalLB rejects: use a keepaliveTime of at most the holdTime (FRR runs at most a third of it)',
    ]);
    // MetalLB compares the durations before truncating them.
    expect(timers({ holdTime: '3.5s', keepaliveTime: '3.7s' }).errors).toHaveLength(1);
  });

  test('derived hold out of range', () => {
    expect(timers({ keepaliveTime: '7h' }).errors).toEqual([
      'BGPPeer metallb-system/p1: spec.keepaliveTime: "7h" gives a holdTime of 75600s (3 × keepaliveTime), which is longer than 65535s, the most FRR\'s "neighbor timers" takes: use at most 21845s, or set holdTime',
    ]);
    expect(timers({ keepaliveTime: '900ms' }).errors).toEqual([
      'BGPPeer metallb-system/p1: spec.keepaliveTime: "900ms" gives a holdTime of 2.7s (3 × keepaliveTime), which is too short: MetalLB needs a hold time of 0s (no hold timer) or at least 3s; set holdTime',
    ]);
  });

  test('fractions of a second are truncated as MetalLB does, with a warning naming the value FRR runs', () => {
    expect(timers({ holdTime: '90.5s', keepaliveTime: '1.5s' })).toEqual({
      timers: { holdSeconds: 90, keepaliveSeconds: 1 },
      connect: undefined,
      errors: [],
      warnings: [
        'BGPPeer metallb-system/p1: spec.holdTime: "90.5s" is used as 90s: FRR takes whole seconds, and MetalLB truncates; write "90s" to say so',
        'BGPPeer metallb-system/p1: spec.keepaliveTime: "1.5s" is used as 1s: FRR takes whole seconds, and MetalLB truncates; write "1s" to say so',
      ],
    });
    // Under one second: MetalLB's check on the truncated hold (0 is allowed) lets it through, and
    // FRR runs "timers 0 0"; the warning says the timer is off.
    for (const [field, value] of [['holdTime', '0.5s'], ['holdTime', '999ms'], ['holdTime', '.5s'], ['holdTime', '1ns'], ['keepaliveTime', '0.3s']] as const) {
      const r = timers({ [field]: value });
      expect([value, r.errors, r.timers]).toEqual([value, [], { holdSeconds: 0, keepaliveSeconds: 0 }]);
      expect(r.warnings).toEqual([`BGPPeer metallb-system/p1: spec.${field}: "${value}" is used as 0s (0 turns the timer off): FRR takes whole seconds, and MetalLB truncates; write "0s" to say so`]);
    }
    // Control: whole seconds give no warning.
    expect(timers({ holdTime: '3s', keepaliveTime: '1s' })).toMatchObject({ errors: [], warnings: [] });
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
