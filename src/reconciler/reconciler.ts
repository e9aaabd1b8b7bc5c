/**
 * The loop that keeps FRR in step with the cluster.
 *
 * Level-driven: source events only mark the state dirty; one worker renders the *current* state
 * and applies it, so the latest desired config always wins and at most one reload runs at a time.
 * Bursts are debounced. Nothing is reloaded when the rendered bytes equal what FRR runs. An invalid
 * configuration, or a config FRR refuses, leaves the last good one in force and is reported.
 */
import { formatProblem } from '../api/problems.js';
import { asApplyError, describeFrrAfter, frrRunsVerified } from '../frr/apply-error.js';
import type { ApplyPath, ConfigTarget } from '../frr/frr-target.js';
import type { Clock } from '../ops/clock.js';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import type { IntentResult } from '../intent/build-intent.js';
import type { NodeForwarding } from '../intent/model.js';
import { compareReleases, formatRelease, formsFor, untestedReleaseNote, type FrrRelease } from '../intent/frr-release.js';
import { findBgpExtrasText, type BgpExtrasCheck } from '../api/bgp-extras.js';
import type { ExtrasChecker } from '../frr/check-extras.js';
import { renderObjects, type RenderOptions } from '../pipeline.js';
import type { Renderer } from '../render/renderer.js';
import type { Source, SourceEvent, SourceState } from '../sources/source.js';
import { backoffDelay } from '../ops/backoff.js';
import type { ReconcilerStatus } from './status.js';

/** Lines of a difference with FRR that one log line carries (the count says how many there were). */
const MAX_LOGGED_DIFFERENCE = 20;

/**
 * While a failed apply waits for its retry: how often FRR's daemons are asked whether they answer
 * (a connection to each one's vty socket), so the retry runs as soon as a daemon that was down
 * (killed, restarted by watchfrr, FRR not started yet) answers again, not at the end of a backoff
 * that may by then be minutes long.
 */
export const RECOVERY_PROBE_MS = 250;

export interface ReconcilerOptions {
  readonly node: string;
  readonly metallbNamespace: string;
  /**
   * `hostname` line of the rendered config: the pod's host name, as FRR shows it. Required: FRR
   * shows the system's host name in its running config whether or not one was configured, and
   * 10.3's frr-reload.py then wants `no hostname X` (which never takes) when the file has none.
   */
  readonly hostname: string;
  /** Quiet time after the last event before rendering. */
  readonly debounceMs: number;
  /** Upper bound on the wait under a continuous stream of events. */
  readonly maxDebounceMs: number;
  readonly retry: { readonly initialMs: number; readonly maxMs: number };
  /** How often FRR's running config is compared with what was applied (0: never). */
  readonly driftCheckMs: number;
  /** The release rendered for until FRR reports its own (`--frr-version`, default the image's). */
  readonly frrRelease: FrrRelease;
  /** MetalLB speaker flags that change the config (`--lb-class`, `--log-level`, ...). */
  readonly speaker?: Pick<RenderOptions, 'loadBalancerClass' | 'ignoreExcludeLb' | 'logLevel' | 'frrLogLevel'>;
  /** `--bgp-extras`: append MetalLB's bgpextras lines once FRR accepted them (`deps.checkExtras`). */
  readonly bgpExtras?: boolean;
}

export interface ReconcilerDeps {
  readonly source: Source;
  readonly renderer: Renderer;
  readonly target: ConfigTarget;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** FRR's verdict on bgpextras lines (`vtysh -C`); without it they are never used. */
  readonly checkExtras?: ExtrasChecker;
}

export class Reconciler {
  private stopped = true;
  private running: Promise<void> | undefined;
  private rerun = false;
  private debounceTimer: unknown;
  private retryTimer: unknown;
  private driftTimer: unknown;
  private recoveryTimer: unknown;
  private pendingSince: number | undefined;
  /** Set once the first complete listing was handed to the worker without waiting (see `trigger`). */
  private firstRunKicked = false;
  /** Consecutive failed applies of `failedConfig`: the retry backoff's step. */
  private failures = 0;
  private failedConfig: string | undefined;
  private lastErrorKey = '';
  /**
   * FRR was last seen not answering at all, by the drift check (every daemon silent); its next
   * answer retries a failed apply at once. Only the drift check sets it: an apply failing at the
   * reload stage may be FRR refusing, not FRR away, and must keep its backoff.
   */
  private frrDown = false;
  /**
   * The apply that failed last was missing a daemon its config needs: the recovery probe saw it
   * silent, or the failure said so (`ApplyError.frrAway`: not answering, or restarted while the
   * apply ran). The probe retries once every needed daemon answers. Apart from `frrDown`: the drift
   * check hears the other daemons answer while bfdd is still down, which is no reason to retry.
   */
  private daemonAway = false;
  /** The config FRR is known to run; undefined at start and after FRR drifted. */
  private applied: string | undefined;
  /** The last config FRR accepted, to roll back to when a reload fails. */
  private lastGood: string | undefined;
  /**
   * The last valid render and its intent: what FRR must run while the input is invalid. Ahead of
   * `lastGood` when its apply failed (FRR down, disk full) and has not been retried yet.
   */
  private lastValid: { readonly config: string; readonly intent: IntentResult | undefined } | undefined;
  private fingerprint: string | undefined;
  /** `applied` came by the fast path: the next drift tick has frr-reload.py --test check it in full. */
  private fullCheckDue = false;
  /** The intent of the last render, valid or not (for status and `explain`). */
  private intent: IntentResult | undefined;
  /** The intent behind the config FRR runs (the last good one). */
  private appliedIntent: IntentResult | undefined;
  /** The release rendered for, and whether FRR reported it or it is still the configured one. */
  private release: { readonly value: FrrRelease; readonly from: 'frr' | 'flag' };
  /** The node's forwarding as FRR last reported it (rendered as is; on until FRR answers). */
  private forwarding: NodeForwarding = { ipv4: true, ipv6: true };
  private readonly st: { -readonly [K in keyof ReconcilerStatus]: ReconcilerStatus[K] };
  private readonly reconciledListeners = new Set<() => void>();

  constructor(
    private readonly opts: ReconcilerOptions,
    private readonly deps: ReconcilerDeps,
  ) {
    this.release = { value: opts.frrRelease, from: 'flag' };
    this.st = { synced: false, conversion: undefined, apply: undefined, appliedAt: undefined, frr: releaseStatus(this.release) };
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.deps.source.start(() => this.trigger(), (e) => this.onSourceEvent(e));
    if (!this.firstRunKicked) this.trigger();
    this.scheduleDriftCheck();
  }

  /** Stops watching and waits for a reload in flight; FRR keeps running whatever it runs. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.debounceTimer, this.retryTimer, this.driftTimer, this.recoveryTimer]) if (t !== undefined) this.deps.clock.clearTimeout(t);
    await this.deps.source.stop();
    await this.running;
  }

  status(): ReconcilerStatus {
    return { ...this.st };
  }

  /** Re-reads the node's forwarding from FRR; true when it changed (FRR down: keep what was known). */
  private async refreshForwarding(): Promise<boolean> {
    const forwarding = await this.deps.target.forwarding().catch(() => undefined);
    return forwarding !== undefined && this.takeForwarding(forwarding);
  }

  private takeForwarding(forwarding: NodeForwarding): boolean {
    if (forwarding.ipv4 === this.forwarding.ipv4 && forwarding.ipv6 === this.forwarding.ipv6) return false;
    this.deps.logger.info("the node's IP forwarding, as FRR reports it, is rendered as is (the sidecar never changes it)", { ...forwarding });
    this.forwarding = forwarding;
    return true;
  }

  /**
   * Asks FRR which release it runs and what the node's forwarding is (at start, and whenever FRR
   * may have restarted or been changed: nothing of ours known to run). An FRR that does not answer
   * keeps what was known last.
   */
  private async refreshEnvironment(): Promise<void> {
    const env = await this.deps.target.environment().catch(() => undefined);
    if (env === undefined) return;
    this.takeForwarding(env.forwarding);
    const reported = env.release;
    if (reported === undefined || (this.release.from === 'frr' && compareReleases(reported, this.release.value) === 0)) return;
    this.release = { value: reported, from: 'frr' };
    this.st.frr = releaseStatus(this.release);
    const note = this.st.frr.note;
    this.deps.logger[note ? 'warn' : 'info'](`FRR reports release ${formatRelease(reported)}; rendering for it`, note ? { warning: note } : {});
  }

  /** What the last render decided, and what the config FRR runs was rendered from. */
  intents(): { readonly latest: IntentResult | undefined; readonly applied: IntentResult | undefined } {
    return { latest: this.intent, applied: this.appliedIntent };
  }

  /**
   * Calls `listener` after every reconcile (the status publisher's cue to look again); returns
   * the function that stops it. An event, so the reconciler knows nothing of who listens.
   */
  onReconciled(listener: () => void): () => void {
    this.reconciledListeners.add(listener);
    return () => this.reconciledListeners.delete(listener);
  }

  /** Resolves when no reconcile is running or scheduled to run soon (tests, `--once`). */
  async idle(): Promise<void> {
    while (this.running || this.debounceTimer !== undefined) {
      await (this.running ?? new Promise((r) => setImmediate(r)));
    }
  }

  /** Marks the state dirty: a reconcile runs after the debounce window. */
  trigger(): void {
    if (this.stopped) return;
    // The first render after the initial listing waits for nothing: the listing is whole (a partial
    // one is never rendered) and the debounce only gathers bursts of changes. At a pod's start this
    // is time to the first route. Checked until then only: at most one call per listed resource.
    if (!this.firstRunKicked && this.deps.source.state().synced) {
      this.firstRunKicked = true;
      if (this.debounceTimer !== undefined) this.deps.clock.clearTimeout(this.debounceTimer);
      this.debounceTimer = undefined;
      this.pendingSince = undefined;
      this.kick();
      return;
    }
    const now = this.deps.clock.now();
    this.pendingSince ??= now;
    const due = Math.min(now + this.opts.debounceMs, this.pendingSince + this.opts.maxDebounceMs);
    if (this.debounceTimer !== undefined) this.deps.clock.clearTimeout(this.debounceTimer);
    this.debounceTimer = this.deps.clock.setTimeout(() => {
      this.debounceTimer = undefined;
      this.pendingSince = undefined;
      this.kick();
    }, Math.max(0, due - now));
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = (async () => {
      do {
        this.rerun = false;
        await this.reconcileOnce().catch((err: unknown) => {
          this.deps.logger.error('reconcile failed unexpectedly', { error: String((err as Error)?.stack ?? err) });
        });
        for (const listener of this.reconciledListeners) listener();
      } while (this.rerun && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
  }

  private async reconcileOnce(): Promise<void> {
    const { logger, metrics, clock } = this.deps;
    const state = this.deps.source.state();
    this.st.synced = state.synced;
    if (!state.synced) {
      metrics.reconciles.inc({ result: 'skipped' });
      return;
    }

    const fresh = this.applied === undefined;
    if (fresh) await this.refreshEnvironment();
    // FRR's verdict on the bgpextras lines (one vtysh -C per text), before the pure render.
    const extras = this.opts.bgpExtras ? { bgpExtras: { check: await this.checkExtras(state.objects) } } : {};
    const render = () =>
      renderObjects(
        state.objects,
        {
          node: this.opts.node,
          metallbNamespace: this.opts.metallbNamespace,
          hostname: this.opts.hostname,
          frrRelease: this.release.value,
          forwarding: this.forwarding,
          ...this.opts.speaker,
          ...extras,
        },
        state.problems,
        this.deps.renderer,
      );
    let result = render();
    // About to reload: the node's forwarding may have changed since FRR last told us, and a config
    // that disagrees with it would make frr-reload.py change it on the node. Ask again (cheap).
    if (!fresh && result.config !== undefined && result.config !== this.applied && (await this.refreshForwarding())) result = render();
    this.intent = result.intent;
    const errors = result.problems.filter((p) => p.severity === 'error').map(formatProblem);
    const warnings = result.problems.filter((p) => p.severity === 'warning').map(formatProblem);
    this.st.conversion = { at: clock.now(), valid: result.config !== undefined, errors, warnings };
    metrics.configValid.set(result.config === undefined ? 0 : 1);

    let config: string;
    let intent: IntentResult | undefined;
    if (result.config === undefined) {
      this.logOnce(`invalid:${errors.join('\n')}`, () =>
        logger.error('configuration is invalid; FRR keeps running the last good config', { errors, warnings, lastGoodKept: this.lastGood !== undefined }),
      );
      // FRR must still run the last valid render. It is not what FRR runs when its apply failed
      // before the input turned invalid (the failed apply's retry lands here), or when FRR restarted
      // empty since (drift): apply it as the retry of that input would have.
      if (this.lastValid === undefined || this.lastValid.config === this.applied) {
        metrics.reconciles.inc({ result: 'invalid' });
        return;
      }
      ({ config, intent } = this.lastValid);
    } else {
      config = result.config;
      intent = result.intent;
      this.lastValid = { config, intent };
    }
    if (config === this.applied) {
      if (this.fullCheckDue) await this.checkInFull(config);
      metrics.reconciles.inc({ result: 'unchanged' });
      // A failed apply of a config no longer wanted is moot: FRR runs what the input asks for.
      // Left in place, /status, ConfigurationState and /readyz would report it until the next apply.
      if (this.st.apply?.result === 'failure') this.forgetFailure();
      return;
    }

    const started = clock.now();
    try {
      // Whether FRR already runs the config, asked only where it may: at start (adopting FRR without
      // a reload) and when the config is the last good one (FRR restarted from it, or drifted and
      // came back). A config FRR never accepted is applied straight away: the check (an
      // frr-reload.py --test) would only find it different, and it lies on the way to the retry
      // after a daemon comes back, when every second counts.
      if (this.applied === undefined && (this.lastGood === undefined || this.lastGood === config)) {
        const difference = await this.deps.target.difference(config);
        if (difference.length === 0) {
          // Sidecar (re)start or FRR drift: FRR already runs exactly this. Touch nothing but the file
          // FRR starts from, when it still holds an older render.
          await this.deps.target.persist(config);
          this.appliedIntent = intent;
          await this.recordApplied(config, 'adopted', 0, 'FRR already runs the rendered config; nothing reloaded');
          metrics.reconciles.inc({ result: 'unchanged' });
          return;
        }
        // Why a (re)started sidecar reloads: an operator reading the log should not have to guess.
        logger.info('FRR runs something other than the rendered config; applying it', {
          linesDiffering: difference.length,
          difference: difference.slice(0, MAX_LOGGED_DIFFERENCE),
        });
      }
      const outcome = await this.deps.target.apply(config, this.lastGood);
      metrics.reloads.inc({ result: 'success' });
      metrics.reloadDuration.observe((clock.now() - started) / 1000);
      metrics.reconciles.inc({ result: 'applied' });
      this.appliedIntent = intent;
      await this.recordApplied(config, 'success', outcome.passes, outcome.description, outcome.path, outcome.fastPathDeclined);
      this.fullCheckDue = outcome.path === 'fast';
    } catch (err) {
      this.onApplyFailure(err, config);
    }
  }

  /** FRR's verdict on the bgpextras lines in `objects` (the checker keeps it per text). */
  private async checkExtras(objects: SourceState['objects']): Promise<BgpExtrasCheck> {
    const text = findBgpExtrasText(objects, this.opts.metallbNamespace);
    if (text === undefined) return { text: '', valid: false, errors: [] };
    if (this.deps.checkExtras === undefined) return { text, valid: false, errors: ['no FRR to check them'] };
    return this.deps.checkExtras(text);
  }

  private async recordApplied(config: string, result: 'success' | 'adopted', passes: number, description: string, path?: ApplyPath, fastPathDeclined?: string): Promise<void> {
    const now = this.deps.clock.now();
    this.applied = config;
    this.lastGood = config;
    this.failures = 0;
    this.failedConfig = undefined;
    this.lastErrorKey = '';
    this.fullCheckDue = false;
    this.st.apply = { at: now, result, passes, description, ...(path === undefined ? {} : { path }) };
    this.st.appliedAt = now;
    this.deps.metrics.markApplied(now);
    this.deps.metrics.frrReachable.set(1);
    this.fingerprint = await this.deps.target.fingerprint().catch(() => undefined);
    this.deps.logger.info(description, { result, passes, ...(path === undefined ? {} : { path }), ...(fastPathDeclined === undefined ? {} : { fastPathDeclined }), bytes: config.length });
  }

  /**
   * The fast path verified only what it touched; frr-reload.py --test checks the whole config once,
   * on the drift tick after it (in the worker, so no apply runs meanwhile). FRR running anything
   * else makes the next pass apply the config in full.
   */
  private async checkInFull(config: string): Promise<void> {
    this.fullCheckDue = false;
    const difference = await this.deps.target.difference(config).catch(() => undefined);
    if (difference === undefined || difference.length === 0) return; // FRR not answering is the fingerprint's business
    this.deps.logger.warn('frr-reload.py --test finds FRR not running the config the fast path applied; applying it in full', {
      linesDiffering: difference.length,
      difference: difference.slice(0, MAX_LOGGED_DIFFERENCE),
    });
    this.applied = undefined;
    this.fingerprint = undefined;
    this.rerun = true;
  }

  private forgetFailure(): void {
    if (this.retryTimer !== undefined) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.failures = 0;
    this.failedConfig = undefined;
    this.lastErrorKey = '';
    this.st.apply = { at: this.deps.clock.now(), result: 'adopted', passes: 0, description: 'FRR already runs the rendered config; nothing reloaded' };
    this.deps.logger.info('the input is back to the config FRR runs; the failed apply is no longer needed');
  }

  private onApplyFailure(err: unknown, config: string): void {
    const { metrics, logger } = this.deps;
    const e = asApplyError(err);
    metrics.reloads.inc({ result: 'failure' });
    metrics.reconciles.inc({ result: 'failed' });
    if (e.stage === 'reload') metrics.frrReachable.set(0);
    // A daemon that was away may be back before the first look of the recovery probe (watchfrr
    // restarts a killed bgpd within a second): the failure itself says so.
    this.daemonAway = e.frrAway !== undefined;
    // The backoff counts the failures of this config only. Each change is tried once anyway, so
    // changes made during a fault (disk full) must not push the retry of the last one out to
    // minutes after the fault cleared; a config that keeps failing still backs off.
    if (config !== this.failedConfig) {
      this.failedConfig = config;
      this.failures = 0;
    }
    this.failures++;
    const delay = backoffDelay(this.failures, this.opts.retry, this.deps.random);
    if (!frrRunsVerified(e.frr)) {
      // FRR may run anything now: nothing is known to run until a verified apply (or adoption) says so.
      this.applied = undefined;
      this.fingerprint = undefined;
    }
    this.st.apply = {
      at: this.deps.clock.now(),
      result: 'failure',
      passes: 0,
      description: e.message,
      stage: e.stage,
      details: e.details,
      frr: e.frr,
      ...(e.rollbackError === undefined ? {} : { rollbackError: e.rollbackError }),
    };
    logger.error(`applying the config to FRR failed; ${describeFrrAfter(e.frr, e.rollbackError)}`, {
      stage: e.stage,
      error: e.message,
      frr: e.frr,
      details: e.details.slice(0, 20),
      attempt: this.failures,
      retryInMs: delay,
      bytes: config.length,
    });
    if (this.retryTimer !== undefined) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, delay);
    this.scheduleRecoveryProbe(config);
  }

  /** Watches FRR's daemons until the retry of `config` runs (`RECOVERY_PROBE_MS`). */
  private scheduleRecoveryProbe(config: string): void {
    if (this.recoveryTimer !== undefined || this.stopped) return;
    this.recoveryTimer = this.deps.clock.setTimeout(() => {
      void this.probeRecovery(config).then((again) => {
        this.recoveryTimer = undefined;
        if (again) this.scheduleRecoveryProbe(this.failedConfig ?? config);
      });
    }, RECOVERY_PROBE_MS);
  }

  /**
   * One look at FRR while a retry waits: a daemon the config needs seen silent and now answering
   * again runs the retry at once. Resolves with whether to keep looking (until the retry runs; not
   * when FRR's daemons cannot be asked cheaply, where the drift check does this at its own pace).
   */
  private async probeRecovery(config: string): Promise<boolean> {
    if (this.stopped || this.retryTimer === undefined) return false;
    if (this.running) return true;
    const down = await this.deps.target.daemonsDown(config).catch(() => undefined);
    if (down === undefined || this.stopped || this.retryTimer === undefined) return false;
    if (down.length > 0) {
      this.daemonAway = true;
      return true;
    }
    if (!this.frrDown && !this.daemonAway) return true;
    this.frrDown = false;
    this.daemonAway = false;
    this.retryNow();
    return false;
  }

  /** FRR answers again after it did not: the apply that failed meanwhile runs now, not at the end of its backoff. */
  private retryNow(): void {
    this.deps.logger.info('FRR answers again; retrying the failed apply now');
    if (this.retryTimer !== undefined) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.kick();
  }

  private scheduleDriftCheck(): void {
    if (this.opts.driftCheckMs <= 0 || this.stopped) return;
    this.driftTimer = this.deps.clock.setTimeout(() => {
      void this.checkDrift().finally(() => this.scheduleDriftCheck());
    }, this.opts.driftCheckMs);
  }

  /** FRR restarted (watchfrr brings bgpd back empty) or was edited by hand: apply again. */
  private async checkDrift(): Promise<void> {
    if (this.applied === undefined || this.fingerprint === undefined || this.running) return;
    if (this.fullCheckDue) return this.kick();
    let now: string | undefined;
    try {
      now = await this.deps.target.fingerprint();
      this.deps.metrics.frrReachable.set(1);
    } catch (err) {
      this.deps.metrics.frrReachable.set(0);
      this.frrDown = true;
      this.logOnce(`unreachable:${String(err)}`, () => this.deps.logger.warn('FRR does not answer', { error: String((err as Error)?.message ?? err) }));
      return;
    }
    const cameBack = this.frrDown;
    this.frrDown = false;
    if (now !== undefined && now !== this.fingerprint) {
      this.deps.logger.warn('FRR running config changed behind our back (restart or manual edit); reconciling');
      this.applied = undefined;
      this.fingerprint = undefined;
      this.kick();
    } else if (cameBack && this.retryTimer !== undefined) {
      // FRR answers again, running what it ran before (restarted from its frr.conf): the apply that
      // failed while it was away is retried now rather than at the end of its backoff.
      this.retryNow();
    }
  }

  private onSourceEvent(e: SourceEvent): void {
    if (e.type === 'restart') this.deps.metrics.sourceRestarts.inc({ resource: e.resource });
    const level = e.type === 'restart' || e.type === 'error' ? 'warn' : 'info';
    this.deps.logger[level](`source ${e.type}`, { ...e });
  }

  /** The same error again and again (every event re-renders) is logged once. */
  private logOnce(key: string, log: () => void): void {
    if (key === this.lastErrorKey) return;
    this.lastErrorKey = key;
    log();
  }
}

function releaseStatus(r: { readonly value: FrrRelease; readonly from: 'frr' | 'flag' }): ReconcilerStatus['frr'] {
  const forms = formsFor(r.value);
  const note = untestedReleaseNote(forms);
  return { release: formatRelease(r.value), from: r.from, formsOf: formatRelease(forms.basis), tested: forms.tested, ...(note ? { note } : {}) };
}
