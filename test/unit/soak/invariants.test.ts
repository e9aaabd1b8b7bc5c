/**
 * Every invariant of the soak (test/soak/invariants.ts) can fail: each checker is given a crafted
 * bad trace and must report it, and a good trace next to it must pass, so a checker that always
 * or never reports is caught here rather than trusted by the soak.
 */
import {
  checkResources,
  checkSessionResets,
  CONVERGE_WITHIN_MS,
  findPasswords,
  FRR_ALLOWANCE_MS,
  holdProblems,
  logViolations,
  sampledSince,
  settleViolations,
  VERDICT_MISMATCH,
  type HoldObservation,
  type SettleObservation,
} from '../../soak/invariants.js';
import type { HeapSample, ResourceSample } from '../../soak/sidecar.js';
import type { SessionSample } from '../../soak/router-view.js';

const PASSWORD = 'soakpwAbCdEfGh2345';

describe('soak invariant: no password in any log line, metric or status object', () => {
  it('finds a password written as is, base64-encoded, or a long part of one with a space', () => {
    const withSpace = 'soakpw 9a8b7c6d5e4f';
    const found = findPasswords(
      [
        { where: 'log line 3', text: `{"msg":"applied","neighbor":"192.0.2.1 password ${PASSWORD}"}` },
        { where: 'status object', text: JSON.stringify({ data: { password: Buffer.from(PASSWORD).toString('base64') } }) },
        { where: 'metrics', text: 'frr_renderer_config_valid{reason="9a8b7c6d5e4f"} 0' },
      ],
      new Set([PASSWORD, withSpace]),
    );
    expect(found.map((v) => [v.invariant, v.message])).toEqual([
      ['noPasswordLeak', `a password (as written, ${PASSWORD.length} characters) appears in log line 3`],
      ['noPasswordLeak', `a password (base64, ${Buffer.from(PASSWORD).toString('base64').length} characters) appears in status object`],
      ['noPasswordLeak', 'a password (in part, 12 characters) appears in metrics'],
    ]);
    // The message names the place, never the password.
    expect(found.some((v) => v.message.includes(PASSWORD))).toBe(false);
  });

  it('passes texts without any password', () => {
    expect(findPasswords([{ where: 'log', text: '{"msg":"neighbor 192.0.2.1 password <redacted>"}' }], new Set([PASSWORD]))).toEqual([]);
  });
});

describe('soak invariant: the router holds the last valid state within 5 s of a fault clearing', () => {
  const good: SettleObservation = { phase: 'folder', cause: 'after bgpd killed cleared', bounded: true, convergedMs: 2_000, sidecarMs: 1_500, unmet: [], timeoutMs: 30_000 };

  it('passes a settle within the bounds', () => {
    expect(settleViolations(good)).toEqual([]);
  });

  it('reports a route still missing when the settle gave up', () => {
    const v = settleViolations({ ...good, convergedMs: undefined, sidecarMs: undefined, unmet: ['router missing 198.51.100.10/32'] });
    expect(v.map((x) => x.invariant)).toEqual(['converges']);
    expect(v[0]!.message).toContain('never converged after bgpd killed cleared (30 s): router missing 198.51.100.10/32');
  });

  it('reports FRR running the last valid config later than 5 s after the fault cleared', () => {
    const v = settleViolations({ ...good, sidecarMs: CONVERGE_WITHIN_MS + 1 });
    expect(v.map((x) => x.invariant)).toEqual(['converges']);
    expect(v[0]!.message).toContain(`FRR ran the last valid config ${CONVERGE_WITHIN_MS + 1} ms after bgpd killed cleared`);
  });

  it("reports the router's routes later than 5 s plus FRR's own allowance", () => {
    const v = settleViolations({ ...good, convergedMs: CONVERGE_WITHIN_MS + FRR_ALLOWANCE_MS + 1 });
    expect(v.map((x) => x.invariant)).toEqual(['converges']);
  });

  it('does not bound the settle after a sidecar start, but still reports one that never converged', () => {
    expect(settleViolations({ ...good, bounded: false, convergedMs: 60_000, sidecarMs: 60_000 })).toEqual([]);
    expect(settleViolations({ ...good, bounded: false, convergedMs: undefined, unmet: ['x'] }).map((x) => x.invariant)).toEqual(['converges']);
  });

  it("reports a verdict on the input that contradicts the soak's as the sidecar's health", () => {
    const v = settleViolations({ ...good, convergedMs: undefined, unmet: [`${VERDICT_MISMATCH} the input is valid, the soak wrote an invalid one`] });
    expect(v.map((x) => x.invariant).sort()).toEqual(['converges', 'sidecarHealthy']);
  });
});

describe('soak invariant: no session reset on advertisement-only changes', () => {
  const sample = (at: number, established: number, dropped: number, state = 'Established'): SessionSample => ({ at, state, established, dropped });
  const window = { from: 1_000, to: 5_000, what: 'episode 4 (advertisement changes)' };

  it('reports a reset (counters up) inside a window of advertisement changes', () => {
    const v = checkSessionResets([sample(500, 1, 0), sample(2_000, 1, 0), sample(2_500, 1, 1, 'Active'), sample(3_000, 2, 1)], [window]);
    expect(v.map((x) => x.invariant)).toEqual(['noSessionReset', 'noSessionReset']);
    expect(v[0]!.message).toContain('session reset during episode 4 (advertisement changes): established 1->1, dropped 0->1');
  });

  it("names FRR's reason and the router's BFD diagnostics of a reset", () => {
    const after: SessionSample = { ...sample(2_500, 1, 1, 'Idle'), lastReset: 'BGP Notification received, Cease/BFD Down, code 060A', bfd: 'BFD up, diagnostic neighbor-down, remote diagnostic control-expired, down 1 s ago' };
    const v = checkSessionResets([sample(2_000, 1, 0), after], [window]);
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toContain('last reset: BGP Notification received, Cease/BFD Down, code 060A; BFD up, diagnostic neighbor-down, remote diagnostic control-expired');
  });

  it('puts a reset whose samples straddle the end of a window in it: the next episode waits for two samples after the window', () => {
    // The next episode's first change resets the session at 5,100; without a sample in between,
    // the reset (samples at 4,900 and 5,400) lies in the window that ended at 5,000.
    const straddling = [sample(4_900, 1, 0), sample(5_400, 1, 1, 'Idle')];
    expect(checkSessionResets(straddling, [window])).toHaveLength(1);
    expect(sampledSince(straddling.slice(0, 1), 5_000)).toBe(false);
    expect(sampledSince([sample(4_900, 1, 0), sample(5_200, 1, 0)], 5_000)).toBe(false);
    const barrier = [sample(4_900, 1, 0), sample(5_200, 1, 0), sample(5_600, 1, 0)];
    expect(sampledSince(barrier, 5_000)).toBe(true);
    // With the barrier, the same reset (now at 5,700, after the episode started) is outside the window.
    expect(checkSessionResets([...barrier, sample(6_000, 1, 1, 'Idle')], [window])).toEqual([]);
  });

  it('ignores resets outside every window and a session that stays up', () => {
    expect(checkSessionResets([sample(0, 1, 0), sample(600, 2, 1), sample(2_000, 2, 1), sample(4_000, 2, 1), sample(5_500, 2, 1), sample(6_000, 3, 2)], [window])).toEqual([]);
  });
});

describe('soak invariant: the last good config stays in force while the input is invalid', () => {
  const CONFIG = 'frr version 10.3\nrouter bgp 64500\n neighbor 192.0.2.1 remote-as 64501\n';
  const steady = { running: 'digest-1', config: CONFIG, routeDifferences: [] as string[] };
  const good: HoldObservation = {
    config: CONFIG,
    expectedConfig: CONFIG,
    reloadDelta: { toAdd: [], toDelete: [] },
    samples: [steady, steady, steady],
    reportedValid: false,
    metrics: 'frr_renderer_config_valid 0\n',
  };

  it('passes a hold where nothing moved', () => {
    expect(holdProblems(good)).toEqual([]);
  });

  it('reports each way the last good config can be lost', () => {
    expect(holdProblems({ ...good, config: `${CONFIG} neighbor 192.0.2.9 remote-as 64501\n` })[0]).toContain('frr.conf is not the config of the last valid input (+neighbor 192.0.2.9 remote-as 64501)');
    expect(holdProblems({ ...good, reloadDelta: { toAdd: [' network 198.51.100.10/32'], toDelete: [] } })).toEqual(['FRR does not run frr.conf: +network 198.51.100.10/32']);
    expect(holdProblems({ ...good, reloadDelta: { error: 'exit 1' } })).toEqual(['frr-reload.py --test failed: exit 1']);
    expect(holdProblems({ ...good, samples: [steady, { ...steady, running: 'digest-2' }, { ...steady, running: 'digest-2' }] })).toEqual(["FRR's running config changed"]);
    expect(holdProblems({ ...good, samples: [steady, { ...steady, config: 'other' }] })).toEqual(['frr.conf changed']);
    expect(holdProblems({ ...good, samples: [steady, { ...steady, routeDifferences: ['missing 198.51.100.10/32'] }] })).toEqual([
      'the router does not hold the last valid state: missing 198.51.100.10/32',
    ]);
    expect(holdProblems({ ...good, reportedValid: true })).toEqual(['the sidecar does not report the input invalid']);
    expect(holdProblems({ ...good, reportedValid: undefined })).toEqual(['the sidecar does not report the input invalid']);
    expect(holdProblems({ ...good, metrics: 'frr_renderer_config_valid 1\n' })).toEqual(['frr_renderer_config_valid is not 0']);
    expect(holdProblems({ ...good, samples: [steady] })).toEqual(['FRR was not watched during the hold']);
  });
});

describe('soak invariant: memory and open descriptors flat', () => {
  /** One sample a second for `n` seconds, memory and descriptors from `f(second)`. */
  const trace = (n: number, f: (s: number) => { rssKiB: number; fds: number }): ResourceSample[] => Array.from({ length: n }, (_, s) => ({ at: s * 1000, ...f(s) }));
  const heap = (n: number, f: (i: number) => number): HeapSample[] => Array.from({ length: n }, (_, i) => ({ at: 20_000 + i * 5_000, heapMiB: f(i) }));
  const flat = trace(120, (s) => ({ rssKiB: 80_000 + (s % 7) * 1000, fds: 24 + (s % 3) }));

  it('passes a sidecar whose memory and descriptors only wobble', () => {
    expect(checkResources('sidecar', flat, heap(20, (i) => 12 + (i % 3))).violations).toEqual([]);
  });

  it('reports descriptor growth beyond the bound', () => {
    const v = checkResources('sidecar', trace(120, (s) => ({ rssKiB: 80_000, fds: 24 + Math.floor(s / 5) })), []).violations;
    expect(v.map((x) => x.message)).toEqual([expect.stringContaining('sidecar: open file descriptors grew from')]);
  });

  it('reports memory growth beyond the bound, in the heap kept after collections and in RSS', () => {
    const v = checkResources('sidecar', trace(120, (s) => ({ rssKiB: 80_000 + s * 1024, fds: 24 })), heap(20, (i) => 12 + i)).violations;
    expect(v.map((x) => x.message)).toEqual([
      expect.stringContaining('the heap kept after full collections grew from 12.0 MiB to'),
      expect.stringContaining('sidecar: memory grew from'),
    ]);
  });

  it('reports a run too short to tell instead of passing it', () => {
    expect(checkResources('sidecar', flat.slice(0, 25), []).violations.map((x) => x.message)).toEqual([expect.stringContaining('cannot tell whether memory and descriptors stay flat')]);
  });
});

describe('soak invariant: the sidecar stays healthy', () => {
  it('reports an internal error in its log and nothing for ordinary lines', () => {
    const lines = ['{"level":"info","msg":"applied"}', '{"level":"error","msg":"internal error (please report it)","error":"boom"}'];
    expect(logViolations('k8s', lines).map((v) => [v.invariant, v.message])).toEqual([['sidecarHealthy', `k8s sidecar logged: ${lines[1]}`]]);
    expect(logViolations('k8s', lines.slice(0, 1))).toEqual([]);
  });
});
