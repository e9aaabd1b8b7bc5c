import { decodeDocuments, type RawObject } from '../../../src/api/decode.js';
import { ApplyError } from '../../../src/frr/apply-error.js';
import type { ApplyPath, ConfigTarget } from '../../../src/frr/frr-target.js';
import type { FrrRelease } from '../../../src/intent/frr-release.js';
import { silentLogger, type Logger } from '../../../src/ops/logger.js';
import { createMetrics } from '../../../src/ops/metrics.js';
import { loadRenderer } from '../../../src/pipeline.js';
import { Reconciler, RECOVERY_PROBE_MS, type ReconcilerOptions } from '../../../src/reconciler/reconciler.js';
import { isReady } from '../../../src/reconciler/status.js';
import type { Source, SourceState } from '../../../src/sources/source.js';
import { FakeClock, flush } from '../../support/fake-clock.js';

function peer(name: string, address: string, extra = ''): RawObject {
  const text = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: ${name}, namespace: metallb-system }
spec: { myASN: 64500, peerASN: 64501, peerAddress: ${address}${extra} }
`;
  return decodeDocuments(text, `${name}.yaml`).objects[0]!;
}

class FakeSource implements Source {
  objects: RawObject[] = [];
  synced = true;
  onChange: () => void = () => undefined;
  async start(onChange: () => void): Promise<void> {
    this.onChange = onChange;
  }
  state(): SourceState {
    return { objects: this.objects, problems: [], synced: this.synced };
  }
  async stop(): Promise<void> {}
  set(objects: RawObject[]): void {
    this.objects = objects;
    this.onChange();
  }
}

class FakeTarget implements ConfigTarget {
  applied: string[] = [];
  lastGoods: (string | undefined)[] = [];
  running: string | undefined;
  failNext = 0;
  /** What the failing applies throw. */
  failWith = new ApplyError('reload', 'frr-reload.py --reload failed (exit 1): boom');
  fp = 'fp-1';
  /** The path the next applies report. */
  path: ApplyPath = 'reload';
  async apply(config: string, lastGood: string | undefined) {
    this.lastGoods.push(lastGood);
    if (this.failNext > 0) {
      this.failNext--;
      throw this.failWith;
    }
    this.applied.push(config);
    this.running = config;
    return { passes: this.path === 'fast' ? 0 : 1, path: this.path, description: this.path === 'fast' ? 'applied with one vtysh session' : 'applied to FRR in 1 reload(s)' };
  }
  runsAsks = 0;
  async difference(config: string) {
    this.runsAsks++;
    return this.running === config ? [] : ['+ something else'];
  }
  persisted: string[] = [];
  async persist(config: string) {
    this.persisted.push(config);
  }
  /** FRR does not answer: `fingerprint` (vtysh) fails. */
  down = false;
  async fingerprint() {
    if (this.down) throw new Error('vtysh: failed to connect to any daemons');
    return this.fp;
  }
  /** What `show version` reports; undefined = FRR does not answer. */
  reported: FrrRelease | undefined = { major: 10, minor: 3 };
  nodeForwarding = { ipv4: true, ipv6: true };
  releaseAsks = 0;
  async environment() {
    this.releaseAsks++;
    if (this.reported === undefined) throw new Error('vtysh: FRR does not answer');
    return { release: this.reported, forwarding: this.nodeForwarding };
  }
  forwardingAsks = 0;
  async forwarding() {
    this.forwardingAsks++;
    return this.nodeForwarding;
  }
  /** What `daemonsDown` reports: undefined = cannot be told without vtysh (the default). */
  daemonsDownNow: string[] | undefined;
  daemonAsks = 0;
  async daemonsDown() {
    this.daemonAsks++;
    return this.daemonsDownNow;
  }
}

const OPTS: ReconcilerOptions = {
  node: 'worker-0',
  metallbNamespace: 'metallb-system',
  hostname: 'worker-0',
  debounceMs: 100,
  maxDebounceMs: 1000,
  retry: { initialMs: 1000, maxMs: 8000 },
  driftCheckMs: 5000,
  frrRelease: { major: 10, minor: 3 },
};

async function setup(logger: Logger = silentLogger) {
  const clock = new FakeClock();
  const source = new FakeSource();
  const target = new FakeTarget();
  const metrics = createMetrics(() => clock.now());
  const r = new Reconciler(OPTS, { source, target, clock, random: () => 0.5, logger, metrics, renderer: await loadRenderer() });
  return { clock, source, target, metrics, r };
}

async function counter(metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? []).find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
}

describe('Reconciler', () => {
  it('applies the first complete listing without waiting for the debounce (issue 12, item 5)', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(0);
    await r.idle();
    expect(target.applied).toHaveLength(1);
    expect(target.applied[0]).toContain('neighbor 192.0.2.1 remote-as 64501');
    // Only the first: nothing more is applied for the start itself.
    await clock.advance(5_000);
    expect(target.applied).toHaveLength(1);
    await r.stop();
  });

  it('debounces a burst into one apply carrying the latest state', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(0);
    await r.idle();
    expect(target.applied).toHaveLength(1);
    source.set([peer('a', '192.0.2.2')]);
    source.set([peer('a', '192.0.2.3')]);
    await clock.advance(50);
    expect(target.applied).toHaveLength(1);
    await clock.advance(200);
    expect(target.applied).toHaveLength(2);
    expect(target.applied[1]).toContain('neighbor 192.0.2.3 remote-as 64501');
    await r.stop();
  });

  it('never waits longer than maxDebounceMs under a continuous stream', async () => {
    const { clock, source, target, r } = await setup();
    await r.start();
    for (let i = 1; i <= 30; i++) {
      source.set([peer('a', `192.0.2.${i}`)]);
      await clock.advance(60);
    }
    expect(target.applied.length).toBeGreaterThanOrEqual(1);
    expect(target.applied.length).toBeLessThanOrEqual(3);
    await r.stop();
  });

  it('does not reload when the rendered bytes did not change', async () => {
    const { clock, source, target, metrics, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    for (let i = 0; i < 100; i++) source.set([peer('a', '192.0.2.1')]);
    await clock.advance(2000);
    expect(target.applied).toHaveLength(1);
    expect(await counter(metrics, 'frr_renderer_reconciles_total', { result: 'unchanged' })).toBeGreaterThanOrEqual(1);
    await r.stop();
  });

  it('adopts a FRR that already runs the config, without reloading (sidecar restart)', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    const first = await setup();
    first.source.objects = source.objects;
    await first.r.start();
    await first.clock.advance(200);
    target.running = first.target.running;
    await r.start();
    await clock.advance(200);
    expect(target.applied).toHaveLength(0);
    expect(r.status().apply?.result).toBe('adopted');
    await r.stop();
    await first.r.stop();
  });

  it('says what FRR runs differently when a (re)started sidecar cannot adopt it, then applies', async () => {
    const infos: string[] = [];
    const logger: Logger = { ...silentLogger, info: (msg, fields) => void infos.push(JSON.stringify({ msg, ...fields })) };
    const { clock, source, target, r } = await setup(logger);
    source.objects = [peer('a', '192.0.2.1')];
    target.running = 'hostname elsewhere\n';
    await r.start();
    await clock.advance(200);
    expect(target.applied).toHaveLength(1);
    const said = infos.find((l) => l.includes('FRR runs something other than the rendered config'));
    expect(said && JSON.parse(said)).toMatchObject({ linesDiffering: 1, difference: ['+ something else'] });
    await r.stop();
  });

  it('keeps the last good config when the input becomes invalid, and logs the errors once', async () => {
    const lines: string[] = [];
    const logger: Logger = { ...silentLogger, error: (msg, fields) => void lines.push(JSON.stringify({ msg, ...fields })) };
    const { clock, source, target, metrics, r } = await setup(logger);
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    source.set([peer('a', '192.0.2.1', ', holdTime: 1s')]);
    await clock.advance(200);
    source.set([peer('a', '192.0.2.1', ', holdTime: 1s')]);
    await clock.advance(200);
    expect(target.applied).toHaveLength(1);
    expect(r.status().conversion).toEqual(expect.objectContaining({ valid: false }));
    expect(r.status().conversion?.errors[0]).toMatch(/^BGPPeer metallb-system\/a: spec\.holdTime: /);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('last good config');
    expect(await counter(metrics, 'frr_renderer_config_valid', {})).toBe(0);
    await r.stop();
  });

  it('retries a failed apply with backoff, passing the last good config for rollback', async () => {
    const { clock, source, target, metrics, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    const good = target.applied[0];
    target.failNext = 2;
    source.set([peer('a', '192.0.2.9')]);
    await clock.advance(200);
    expect(r.status().apply?.result).toBe('failure');
    expect(target.lastGoods.at(-1)).toBe(good);
    await clock.advance(600); // first retry after 500-1000 ms (jitter 0.5 -> 750)
    expect(target.applied).toHaveLength(1);
    await clock.advance(2000); // second retry (1000-2000 -> 1500)
    expect(target.applied).toHaveLength(2);
    expect(target.applied[1]).toContain('192.0.2.9');
    expect(await counter(metrics, 'frr_renderer_reloads_total', { result: 'failure' })).toBe(2);
    expect(r.status().apply?.result).toBe('success');
    await r.stop();
  });

  // Found by the soak (issue 15): every change during a fault (disk full) failed and raised the
  // backoff, so the last change was retried 30 s after the disk had room again.
  it('backs off per config: the last change made during a fault is retried at the first step, however many failed before it', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    target.failNext = 1_000;
    for (let i = 2; i <= 7; i++) {
      source.set([peer('a', `192.0.2.${i}`)]);
      await clock.advance(200);
    }
    expect(r.status().apply?.result).toBe('failure');
    target.failNext = 0; // the fault clears
    await clock.advance(1_000); // the first retry of 192.0.2.7 (500-1000 ms)
    expect(target.applied.at(-1)).toContain('neighbor 192.0.2.7 remote-as 64501');
    await r.stop();
  });

  it('still backs off a config that keeps failing', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    target.failNext = 1_000;
    source.set([peer('a', '192.0.2.2')]);
    await clock.advance(200);
    const attempts = () => target.lastGoods.length;
    const first = attempts();
    await clock.advance(750 + 1500 + 3000 + 6000); // retries at 750, +1500, +3000, +6000 ms (jitter 0.5)
    expect(attempts() - first).toBe(4);
    await r.stop();
  });

  // Found by the soak: FRR stopped for a few seconds; when it answered again, the failed apply
  // waited for its backoff instead of being retried.
  it('retries at once when FRR answers again after it did not', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    target.down = true;
    target.failNext = 1_000;
    source.set([peer('a', '192.0.2.9')]);
    await clock.advance(200);
    await clock.advance(750 + 1500 + 3000); // three retries: the next one is 6 s away
    expect(r.status().apply?.result).toBe('failure');
    target.down = false; // FRR is back, running what it ran before
    target.failNext = 0;
    await clock.advance(5000); // the next drift check (driftCheckMs 5000) finds FRR answering
    await flush();
    expect(target.applied.at(-1)).toContain('neighbor 192.0.2.9 remote-as 64501');
    await r.stop();
  });

  // Found by the soak: bgpd killed, its retries failing for seconds each while watchfrr restarted
  // it; once it answered, the next retry was up to a backoff step away (5.1 s after the fault).
  it('retries as soon as a daemon the config needs answers again, not at the end of its backoff', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    target.daemonsDownNow = ['bgpd'];
    target.failNext = 1_000;
    source.set([peer('a', '192.0.2.9')]);
    await clock.advance(200);
    await clock.advance(750 + 1500 + 3000); // three retries failed: the next is 6 s away
    const attempts = target.lastGoods.length;
    expect(r.status().apply?.result).toBe('failure');
    await clock.advance(RECOVERY_PROBE_MS * 4); // bgpd still down: no retry meanwhile
    expect(target.lastGoods.length).toBe(attempts);
    target.daemonsDownNow = [];
    target.failNext = 0;
    await clock.advance(RECOVERY_PROBE_MS);
    await flush();
    await r.idle();
    expect(target.applied.at(-1)).toContain('neighbor 192.0.2.9 remote-as 64501');
    expect(target.lastGoods.length).toBe(attempts + 1);
    // Nothing failed any more: the daemons are not asked again.
    const asks = target.daemonAsks;
    await clock.advance(RECOVERY_PROBE_MS * 10);
    expect(target.daemonAsks).toBe(asks);
    await r.stop();
  });

  // Found by the soak (CI, 2026-12-02): bgpd killed while a reload ran; the reload and its rollback
  // failed after watchfrr had bgpd back, so no probe saw it down and the retry waited its backoff.
  it('retries at the next look when the failure says a daemon was away, though it answered before any look', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    target.daemonsDownNow = []; // back before the probe's first look
    target.failNext = 2;
    target.failWith = new ApplyError('reload', 'frr-reload.py --reload failed (exit 1): boom', [], { frr: 'rolledBack', frrAway: ['bgpd'] });
    source.set([peer('a', '192.0.2.9')]);
    await clock.advance(200);
    expect(r.status().apply?.result).toBe('failure');
    const attempts = target.lastGoods.length;
    await clock.advance(RECOVERY_PROBE_MS);
    await flush();
    await r.idle();
    expect(target.lastGoods.length).toBe(attempts + 1); // well before the backoff's 0.75 s
    // That retry failed the same way: again at the next look, not after 1.5 s.
    await clock.advance(RECOVERY_PROBE_MS);
    await flush();
    await r.idle();
    expect(target.lastGoods.length).toBe(attempts + 2);
    expect(target.applied.at(-1)).toContain('neighbor 192.0.2.9 remote-as 64501');
    await r.stop();
  });

  it('waits for the daemon the config needs, not for FRR as a whole: the drift check hearing the others is no retry', async () => {
    const infos: string[] = [];
    const logger: Logger = { ...silentLogger, info: (msg: string) => void infos.push(msg) };
    const { clock, source, target, r } = await setup(logger);
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    target.daemonsDownNow = ['bfdd']; // bfdd killed; zebra and bgpd answer, so does the fingerprint
    target.failNext = 1_000;
    target.failWith = new ApplyError('reload', "FRR's bfdd does not answer on its vty socket", [], { frrAway: ['bfdd'] });
    source.set([peer('a', '192.0.2.9')]);
    await clock.advance(200);
    await clock.advance(20_000); // four drift checks, all answering
    await flush();
    expect(infos).not.toContain('FRR answers again; retrying the failed apply now');
    const attempts = target.lastGoods.length;
    expect(attempts).toBeLessThan(10); // the backoff's pace (0.75 s doubling to 8 s), not one per look
    target.daemonsDownNow = [];
    target.failNext = 0;
    await clock.advance(RECOVERY_PROBE_MS);
    await flush();
    await r.idle();
    expect(infos).toContain('FRR answers again; retrying the failed apply now');
    expect(target.applied.at(-1)).toContain('neighbor 192.0.2.9 remote-as 64501');
    await r.stop();
  });

  it('asks FRR whether it runs a config only where it may: not for one FRR never accepted, after a failed rollback', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    const atStart = target.runsAsks;
    expect(atStart).toBe(1); // the start: adopting FRR without a reload is worth the question
    target.failNext = 1;
    target.failWith = new ApplyError('reload', 'frr-reload.py --reload failed (exit 1): boom', [], { frr: 'rollbackFailed', rollbackError: 'vtysh: timed out' });
    source.set([peer('a', '192.0.2.9')]);
    await clock.advance(200);
    expect(r.status().apply?.result).toBe('failure');
    await clock.advance(1_000); // the retry: applied straight away
    await flush();
    await r.idle();
    expect(target.applied.at(-1)).toContain('neighbor 192.0.2.9 remote-as 64501');
    expect(target.runsAsks).toBe(atStart);
    // FRR restarted (drift): the config is the last good one, which FRR may well run again: asked.
    target.fp = 'fp-2';
    await clock.advance(5_000);
    await flush();
    await r.idle();
    expect(target.runsAsks).toBe(atStart + 1);
    expect(r.status().apply?.result).toBe('adopted');
    await r.stop();
  });

  it('keeps the backoff of an apply that fails while every daemon answers (FRR refusing, not away)', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    target.daemonsDownNow = [];
    target.failNext = 1_000;
    source.set([peer('a', '192.0.2.2')]);
    await clock.advance(200);
    const first = target.lastGoods.length;
    await clock.advance(750 + 1500 + 3000 + 5000);
    expect(target.lastGoods.length - first).toBe(3); // the fourth retry is 1 s away, not earlier
    expect(target.daemonAsks).toBeGreaterThan(10); // looked at all along
    await r.stop();
  });

  it('stops looking when the daemons cannot be asked cheaply (no vty sockets): the backoff decides', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    target.failNext = 1;
    source.set([peer('a', '192.0.2.2')]);
    await clock.advance(200 + RECOVERY_PROBE_MS * 10);
    expect(target.daemonAsks).toBe(1);
    await r.stop();
  });

  // Found by the soak (issue 15): a change failed during a fault, then the input went back to what
  // FRR runs; /status, ConfigurationState and /readyz kept reporting the failed apply, and its retry.
  it('forgets a failed apply once the input is back to the config FRR runs', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    target.failNext = 1;
    source.set([peer('a', '192.0.2.9')]);
    await clock.advance(200);
    expect(r.status().apply?.result).toBe('failure');
    source.set([peer('a', '192.0.2.1')]);
    await clock.advance(200);
    expect(r.status().apply).toMatchObject({ result: 'adopted', passes: 0 });
    const attempts = target.lastGoods.length;
    await clock.advance(10_000); // no retry of the config nobody wants any more
    expect(target.lastGoods.length).toBe(attempts);
    expect(target.applied).toHaveLength(1);
    await r.stop();
  });

  // Found by the soak (issue 15): a valid change whose apply failed (FRR down, disk full) was
  // dropped when the input turned invalid before the retry, leaving FRR on an older config.
  it('applies the last valid input when its apply failed and the input turned invalid before the retry', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    target.failNext = 1;
    source.set([peer('a', '192.0.2.9')]);
    await clock.advance(200);
    expect(r.status().apply?.result).toBe('failure');
    source.set([peer('a', '192.0.2.9', ', holdTime: 1s')]);
    await clock.advance(200);
    expect(r.status().conversion?.valid).toBe(false);
    await clock.advance(1000); // the retry (500-1000 ms)
    expect(target.applied).toHaveLength(2);
    expect(target.applied[1]).toContain('neighbor 192.0.2.9 remote-as 64501');
    expect(r.status().apply?.result).toBe('success');
    expect(r.status().conversion?.valid).toBe(false);
    // What `status`/`explain` read as running: the intent of the config applied, not of the invalid input.
    expect(JSON.stringify(r.intents().applied?.intent)).toContain('192.0.2.9');
    await r.stop();
  });

  // Found by the soak: FRR restarted empty (bgpd killed) while the input was invalid, and stayed
  // empty until the input was fixed.
  it('puts the last good config back when FRR restarts while the input is invalid', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    const good = target.applied[0];
    source.set([peer('a', '192.0.2.1', ', holdTime: 1s')]);
    await clock.advance(200);
    target.fp = 'fp-2';
    target.running = undefined; // bgpd came back empty
    await clock.advance(5000);
    await flush();
    expect(target.applied).toEqual([good, good]);
    expect(r.status().conversion?.valid).toBe(false);
    await r.stop();
  });

  it('a failed write is the write stage: FRR is not reported down, and stays ready on its last good config', async () => {
    const { clock, source, target, metrics, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    target.failNext = 1;
    target.failWith = new ApplyError('write', 'cannot write "/etc/frr/frr.conf.candidate": no space left on the device (ENOSPC)', [], { frr: 'untouched' });
    source.set([peer('a', '192.0.2.9')]);
    await clock.advance(200);
    expect(r.status().apply).toMatchObject({ result: 'failure', stage: 'write', frr: 'untouched' });
    expect(await counter(metrics, 'frr_renderer_frr_reachable', {})).toBe(1);
    expect(isReady(r.status())).toEqual({ ready: true, reason: 'ok' });
    await r.stop();
  });

  it('a failed rollback is recorded and shown: not ready, and the old config is checked again rather than assumed', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    const good = target.applied[0]!;
    target.failNext = 1;
    target.failWith = new ApplyError('reload', 'frr-reload.py --reload failed (exit 1): boom', [], { frr: 'rollbackFailed', rollbackError: 'vtysh: timed out' });
    source.set([peer('a', '192.0.2.9')]);
    await clock.advance(200);
    expect(r.status().apply).toMatchObject({ result: 'failure', stage: 'reload', frr: 'rollbackFailed', rollbackError: 'vtysh: timed out' });
    expect(isReady(r.status())).toEqual({
      ready: false,
      reason: 'apply failed: frr-reload.py --reload failed (exit 1): boom; the rollback to the last good config failed too (vtysh: timed out): what FRR runs is not known',
    });
    // Back to the old objects: FRR is asked whether it runs that config (here it does: adopted), never assumed.
    source.set([peer('a', '192.0.2.1')]);
    await clock.advance(200);
    expect(r.status().apply).toMatchObject({ result: 'adopted' });
    expect(target.running).toBe(good);
    await r.stop();
  });

  it('re-applies when FRR restarted or was edited (running config fingerprint changed)', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    expect(target.applied).toHaveLength(1);
    await clock.advance(5000);
    expect(target.applied).toHaveLength(1);
    target.fp = 'fp-2';
    target.running = undefined; // bgpd came back empty
    await clock.advance(5000);
    await flush();
    expect(target.applied).toHaveLength(2);
    await r.stop();
  });

  it('after a fast apply, checks the whole config with frr-reload.py --test on the next drift tick, once', async () => {
    const { clock, source, target, r } = await setup();
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    target.path = 'fast';
    source.set([peer('a', '192.0.2.2')]);
    await clock.advance(200);
    expect(target.applied).toHaveLength(2);
    expect(r.status().apply).toMatchObject({ result: 'success', path: 'fast', passes: 0 });
    const asked = target.runsAsks;
    await clock.advance(5000);
    await flush();
    expect(target.runsAsks).toBe(asked + 1);
    await clock.advance(10_000);
    await flush();
    expect(target.runsAsks).toBe(asked + 1); // FRR ran it: fingerprints from here on
    expect(target.applied).toHaveLength(2);
    await r.stop();
  });

  it('applies in full when that check finds FRR running something else (the fingerprint did not change)', async () => {
    const logs: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (msg: string) => void logs.push(msg) };
    const { clock, source, target, r } = await setup(logger);
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    target.path = 'fast';
    source.set([peer('a', '192.0.2.2')]);
    await clock.advance(200);
    target.running = 'something else';
    target.path = 'reload';
    await clock.advance(5000);
    await flush();
    expect(target.applied).toHaveLength(3);
    expect(target.applied[2]).toBe(target.applied[1]);
    expect(r.status().apply).toMatchObject({ result: 'success', path: 'reload' });
    expect(logs).toContain('frr-reload.py --test finds FRR not running the config the fast path applied; applying it in full');
    await r.stop();
  });

  it('does nothing before the source is synced', async () => {
    const { clock, source, target, r } = await setup();
    source.synced = false;
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(500);
    expect(target.applied).toHaveLength(0);
    expect(r.status().synced).toBe(false);
    source.synced = true;
    source.set(source.objects);
    await clock.advance(200);
    expect(target.applied).toHaveLength(1);
    await r.stop();
  });

  describe('the FRR release', () => {
    const MULTIHOP = ', ebgpMultiHop: true';

    it('renders for the release FRR reports, not the configured one', async () => {
      const { clock, source, target, r } = await setup();
      target.reported = { major: 8, minor: 4 };
      source.objects = [peer('a', '192.0.2.1', MULTIHOP)];
      await r.start();
      await clock.advance(200);
      expect(target.applied[0]).toContain('neighbor 192.0.2.1 ebgp-multihop 255\n');
      expect(target.applied[0]).toContain('ip nht resolve-via-default\n');
      expect(r.status().frr).toEqual({ release: '8.4', from: 'frr', formsOf: '8.4', tested: true });
      await r.stop();
    });

    it('keeps the configured release while FRR cannot be asked, and warns about an untested one', async () => {
      const logs: string[] = [];
      const logger = { ...silentLogger, info: (m: string) => void logs.push(m), warn: (m: string) => void logs.push(m) };
      const { clock, source, target, r } = await setup(logger);
      target.reported = undefined;
      source.objects = [peer('a', '192.0.2.1', MULTIHOP)];
      await r.start();
      await clock.advance(200);
      expect(target.applied[0]).toContain('neighbor 192.0.2.1 ebgp-multihop\n');
      expect(r.status().frr).toMatchObject({ release: '10.3', from: 'flag' });

      target.reported = { major: 10, minor: 5 };
      target.fp = 'fp-restarted'; // FRR restarted (upgraded): the drift check sees it
      await clock.advance(5000);
      await flush();
      await clock.advance(200);
      expect(r.status().frr).toEqual({
        release: '10.5',
        from: 'frr',
        formsOf: '10.3',
        tested: false,
        note: 'FRR 10.5 is not a tested release (tested: 8.4, 10.3); rendering with the forms of FRR 10.3',
      });
      expect(logs).toContain('FRR reports release 10.5; rendering for it');
      expect(r.status().conversion?.warnings).toContain('FRR 10.5: FRR 10.5 is not a tested release (tested: 8.4, 10.3); rendering with the forms of FRR 10.3');
      await r.stop();
    });

    it("renders the node's forwarding as FRR reports it, so a reload never changes it", async () => {
      const { clock, source, target, r } = await setup();
      target.nodeForwarding = { ipv4: true, ipv6: false };
      source.objects = [peer('a', '192.0.2.1')];
      await r.start();
      await clock.advance(200);
      expect(target.applied[0]).toContain('\nno ipv6 forwarding\n');
      expect(target.applied[0]).not.toContain('no ip forwarding');

      // Forwarding turned back on, then a change: the reload must not turn it off again.
      target.nodeForwarding = { ipv4: true, ipv6: true };
      source.set([peer('a', '192.0.2.2')]);
      await clock.advance(200);
      expect(target.applied[1]).toContain('neighbor 192.0.2.2 remote-as');
      expect(target.applied[1]).not.toContain('forwarding');
      expect(target.forwardingAsks).toBe(1); // asked before that apply, not on unchanged renders
      await r.stop();
    });

    it('asks FRR only when nothing of ours is known to run (start, restart), not on every change', async () => {
      const { clock, source, target, r } = await setup();
      source.objects = [peer('a', '192.0.2.1')];
      await r.start();
      await clock.advance(200);
      for (let i = 2; i < 6; i++) {
        source.set([peer('a', `192.0.2.${i}`)]);
        await clock.advance(200);
      }
      expect(target.applied).toHaveLength(5);
      expect(target.releaseAsks).toBe(1);
      await r.stop();
    });
  });
});

/** MetalLB's speaker options on the sidecar (issue 13, items 13-16). */
describe('Reconciler with MetalLB speaker options', () => {
  const extrasMap = (extras: string): RawObject =>
    decodeDocuments(`apiVersion: v1
kind: ConfigMap
metadata: { name: bgpextras, namespace: metallb-system }
data:
  extras: ${JSON.stringify(extras)}
`, 'bgpextras.yaml').objects[0]!;

  async function withOptions(over: Partial<ReconcilerOptions>, checkExtras?: (text: string) => Promise<{ text: string; valid: boolean; errors: readonly string[] }>) {
    const clock = new FakeClock();
    const source = new FakeSource();
    const target = new FakeTarget();
    const metrics = createMetrics(() => clock.now());
    const r = new Reconciler({ ...OPTS, ...over }, { source, target, clock, random: () => 0.5, logger: silentLogger, metrics, renderer: await loadRenderer(), ...(checkExtras ? { checkExtras } : {}) });
    return { clock, source, target, r };
  }

  it('renders with the speaker options (FRR log level following --log-level)', async () => {
    const { clock, source, target, r } = await withOptions({ speaker: { logLevel: 'debug' } });
    source.objects = [peer('a', '192.0.2.1')];
    await r.start();
    await clock.advance(200);
    expect(target.applied[0]).toContain('\nlog stdout\n');
    expect(target.applied[0]).toContain('\ndebug bgp updates in\n');
    await r.stop();
  });

  it('--bgp-extras: lines FRR accepts are appended; lines it refuses are left out with a warning, the rest applied', async () => {
    const checked: string[] = [];
    const check = async (text: string) => {
      checked.push(text);
      return text.includes('nonsense') ? { text, valid: false, errors: ['line 1: % Unknown command: nonsense'] } : { text, valid: true, errors: [] };
    };
    const { clock, source, target, r } = await withOptions({ bgpExtras: true }, check);
    source.objects = [peer('a', '192.0.2.1'), extrasMap('ip prefix-list extra seq 5 permit 203.0.113.0/24\n')];
    await r.start();
    await clock.advance(200);
    expect(target.applied.at(-1)).toContain('\nip prefix-list extra seq 5 permit 203.0.113.0/24\n');
    expect(r.status().conversion?.warnings).toContainEqual(expect.stringContaining("ConfigMap metallb-system/bgpextras: data.extras: 1 line appended to frr.conf as they are (MetalLB's bgpextras): they bypass every check of frr-renderer; FRR's parser accepted them"));
    expect(checked).toEqual(['ip prefix-list extra seq 5 permit 203.0.113.0/24\n']);

    source.set([peer('a', '192.0.2.2'), extrasMap('nonsense\n')]);
    await clock.advance(200);
    expect(target.applied.at(-1)).not.toContain('nonsense');
    expect(target.applied.at(-1)).not.toContain('prefix-list extra');
    expect(r.status().conversion).toMatchObject({ valid: true });
    expect(r.status().conversion?.warnings).toContainEqual(expect.stringContaining('1 line left out of frr.conf: FRR refuses them (vtysh -C: "line 1: % Unknown command: nonsense")'));
    await r.stop();
  });

  it('--bgp-extras without a checker never uses the lines (no FRR to check them); without the flag the ConfigMap is not read', async () => {
    const unchecked = await withOptions({ bgpExtras: true });
    unchecked.source.objects = [peer('a', '192.0.2.1'), extrasMap('ip prefix-list extra seq 5 permit 203.0.113.0/24\n')];
    await unchecked.r.start();
    await unchecked.clock.advance(200);
    expect(unchecked.target.applied[0]).not.toContain('prefix-list extra');
    expect(unchecked.r.status().conversion?.warnings).toContainEqual(expect.stringContaining('no FRR to check them'));
    await unchecked.r.stop();

    const off = await withOptions({}, async (text) => ({ text, valid: true, errors: [] }));
    off.source.objects = unchecked.source.objects;
    await off.r.start();
    await off.clock.advance(200);
    expect(off.target.applied[0]).not.toContain('prefix-list extra');
    expect(off.r.status().conversion?.warnings.join()).not.toContain('bgpextras');
    await off.r.stop();
  });
});
