/**
 * The sidecar's status loop: every `intervalMs` (and soon after each reconcile) it reads FRR's
 * sessions and BFD through vtysh, computes the status objects and lets the writer send what
 * changed. While nothing changes it sends nothing. When FRR does not answer, the session objects
 * are left as they are (unknown is not "gone").
 *
 * Idle cost: each poll asks bgpd and bfdd over their vty sockets (one vtysh call where there are
 * none). The running config and FRR's version are read after an apply, and every `runningConfigMs`
 * unless the daemons' configs are unchanged since the last read (`configFingerprint`). FRRNodeState (which holds the
 * running config) and the ServiceBGPStatus objects (one per service) are diffed only when their
 * inputs changed or the writer lists again (its resync). Diffing those every poll was most of the
 * sidecar's idle CPU at 10,000 services: 10,000 objects, and a 546 kB string serialized twice,
 * every 5 s.
 */
import type { FrrContext } from '../frr/context.js';
import { gatherFrrState, type FrrState } from '../frr/frr-state.js';
import type { Clock } from '../ops/clock.js';
import type { Logger } from '../ops/logger.js';
import type { ReconcilerStatus } from '../reconciler/status.js';
import type { IntentSnapshot } from './intent-view.js';
import { MANAGED_BY, MANAGED_BY_LABEL, bgpSessionStates, configurationState, frrNodeState, serviceBgpStatuses, type KindName, type StatusObject } from './objects.js';
import type { ExistingObject, Scope, StatusWriter } from './writer.js';

export interface PublisherOptions {
  readonly node: string;
  readonly namespace: string;
  readonly intervalMs: number;
  /**
   * Re-read `show running-config` and FRR's version, and diff the ServiceBGPStatus objects, at
   * least this often (they are also read and diffed after every apply).
   */
  readonly runningConfigMs: number;
}

export interface PublisherDeps {
  readonly frr: FrrContext;
  readonly writer: StatusWriter;
  readonly snapshot: () => IntentSnapshot;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Replaced in tests. */
  readonly gather?: typeof gatherFrrState;
  /**
   * A cheap fingerprint of FRR's config (`configFingerprint` of vty-socket.ts: the daemons asked
   * over their sockets). When the timer, not an apply, asks for the running config again and this
   * has not changed since the last read, the last read is kept: at 10,000 services vtysh's merge
   * of the running config costs far more than the daemons' sockets. Rejects when it cannot tell
   * (no sockets): the running config is then read as before.
   */
  readonly configFingerprint?: () => Promise<string>;
}

export class StatusPublisher {
  private timer: unknown;
  private soon: unknown;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private lastApplyAt: number | undefined;
  private lastRunningAt = -Infinity;
  /** `configFingerprint` when the running config was last read (undefined: unknown). */
  private runningFingerprint: string | undefined;
  private lastError = '';
  private state: FrrState | undefined;
  /** Per kind, the inputs its objects were last written from (see `syncIfChanged`). */
  private readonly written = new Map<KindName, readonly unknown[]>();

  constructor(
    private readonly opts: PublisherOptions,
    private readonly deps: PublisherDeps,
  ) {}

  start(): void {
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.timer, this.soon]) if (t !== undefined) this.deps.clock.clearTimeout(t);
    await this.running;
  }

  /** The FRR state of the last poll (for `/explain`). */
  lastState(): FrrState | undefined {
    return this.state;
  }

  /** After a reconcile: publish soon (debounced a little), not at the next tick. */
  trigger(): void {
    if (this.stopped || this.soon !== undefined) return;
    this.soon = this.deps.clock.setTimeout(() => {
      this.soon = undefined;
      this.kick();
    }, 200);
  }

  /** One publish now; resolves when it is done (tests). */
  async publishNow(): Promise<void> {
    this.kick();
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.running = (async () => {
      do {
        this.again = false;
        await this.publish().catch((err: unknown) => this.report(err));
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
      if (!this.stopped) this.timer = this.deps.clock.setTimeout(() => this.kick(), this.opts.intervalMs);
    });
  }

  private report(err: unknown): void {
    const msg = String((err as Error)?.message ?? err);
    if (msg !== this.lastError) this.deps.logger.warn('writing status objects failed; retrying at the next poll', { error: msg });
    this.lastError = msg;
  }

  /**
   * Syncs `kind` unless it last succeeded with the same inputs (compared by identity: the
   * reconciler replaces its status records and intents on change) and the writer would not list
   * again (its resync, which repairs objects changed or deleted by someone else): then the diff
   * could only find what it found last time.
   */
  private async syncIfChanged(
    kind: KindName,
    scope: Scope,
    inputs: readonly unknown[],
    attempt: (f: () => Promise<unknown>) => Promise<void>,
    desired: (existing: ReadonlyMap<string, ExistingObject>) => readonly StatusObject[],
  ): Promise<void> {
    const last = this.written.get(kind);
    const same = last !== undefined && last.length === inputs.length && last.every((x, i) => x === inputs[i]);
    if (same && !this.deps.writer.listDue(kind, scope)) return;
    await attempt(async () => {
      await this.deps.writer.sync(kind, scope, desired);
      this.written.set(kind, inputs);
    });
  }

  private async publish(): Promise<void> {
    const { node, namespace } = this.opts;
    const snap = this.deps.snapshot();
    const status: ReconcilerStatus = snap.status;
    const now = this.deps.clock.now();
    const newApply = status.apply?.at !== this.lastApplyAt;
    let wantRunning = newApply || now - this.lastRunningAt >= this.opts.runningConfigMs;
    // Taken before the read: a change between the two makes the next comparison differ, never hides it.
    const fingerprint = wantRunning ? await this.deps.configFingerprint?.().catch(() => undefined) : undefined;
    if (wantRunning && !newApply && fingerprint !== undefined && fingerprint === this.runningFingerprint) {
      wantRunning = false;
      this.lastRunningAt = now;
    }
    const state = await (this.deps.gather ?? gatherFrrState)(this.deps.frr, { runningConfig: wantRunning, version: wantRunning, now: () => this.deps.clock.now() });
    this.state = state;
    if (wantRunning && state.runningConfig !== undefined) {
      this.lastApplyAt = status.apply?.at;
      this.lastRunningAt = now;
      this.runningFingerprint = fingerprint;
    }
    const w = this.deps.writer;
    const mine = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
    const errors: unknown[] = [];
    const attempt = async (f: () => Promise<unknown>) => {
      try {
        await f();
      } catch (err) {
        errors.push(err);
      }
    };
    await attempt(() => w.sync('ConfigurationState', { namespace, fieldSelector: `metadata.name=speaker-${node}` }, (ex) => [
      configurationState(node, namespace, status, now, ex.get(`speaker-${node}`)?.status),
    ]));
    // Holds the running config (546 kB at 10,000 services): diffed only when one of its inputs changed.
    await this.syncIfChanged('FRRNodeState', { fieldSelector: `metadata.name=${node}` }, [status.conversion, status.apply, state.runningConfig], attempt, (ex) => [
      frrNodeState(node, status, state.runningConfig, ex.get(node)?.status),
    ]);
    if (state.reachable) {
      await attempt(() => w.sync('BGPSessionState', { namespace, labelSelector: `frrk8s.metallb.io/node=${node},${mine}` }, () => bgpSessionStates(node, namespace, state)));
    }
    // ServiceBGPStatus follows the applied intent only (the same view object until the next apply).
    const applied = snap.applied;
    if (applied !== null) {
      await this.syncIfChanged('ServiceBGPStatus', { namespace, labelSelector: `metallb.io/node=${node},${mine}` }, [applied], attempt, () => serviceBgpStatuses(node, namespace, applied));
    }
    if (errors.length > 0) throw errors[0];
    if (this.lastError !== '') this.deps.logger.info('status objects written again');
    this.lastError = '';
  }
}
