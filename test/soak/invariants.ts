/**
 * The soak's invariants, as pure checks over what the run recorded, so each can be proven to
 * catch a violation (test/unit/soak/invariants.test.ts and the live controls of the soak).
 */
import type { HeapSample, ResourceSample } from './sidecar.js';
import type { SessionSample } from './router-view.js';

export const INVARIANTS = {
  converges:
    'within 5 s of every fault clearing (or of the last change, when later) FRR runs the config of the last valid input, and within 5 s more (FRR\'s own delays) the router holds its routes',
  noSessionReset: 'no BGP session reset on advertisement-only changes',
  lastGoodWhileInvalid: 'the last good config stays in force while the input is invalid',
  noPasswordLeak: 'no password in any log line, metric, /status, /intent or status object',
  resourcesFlat: 'memory and open file descriptors of the sidecar flat',
  sidecarHealthy: 'the sidecar keeps running, answers /healthz, never logs an internal error, and its verdict on the input matches the soak\'s',
} as const;

export type InvariantName = keyof typeof INVARIANTS;

export interface Violation {
  readonly invariant: InvariantName;
  readonly at: number;
  readonly message: string;
}

/** The sidecar's bound after a fault clears (issue 15): FRR runs the last valid config by then. */
export const CONVERGE_WITHIN_MS = 5_000;
/**
 * What FRR itself adds before the router holds the routes, measured on 8.4.4 and 10.3: a changed
 * route-map (communities) takes effect after `bgp route-map delay-timer` (5 s by default), and a
 * session reset by a daemon restart comes back after 3-4 s (BGP's connect and idle-hold timers).
 */
export const FRR_ALLOWANCE_MS = 5_000;

/**
 * Resource bounds, between the first and the last third of the samples taken once the sidecar
 * settled. The heap kept after full collections (`--trace-gc`) is the precise one: a leak of a
 * config text per reconcile crosses 8 MiB within minutes, while it does not move with the
 * garbage collector's timing as RSS does (RSS swings by 30 MiB in a minute here, hence its coarse
 * bound, which catches memory outside the heap). Descriptors: a leaked pipe per vtysh call
 * crosses 8 within seconds.
 */
export const HEAP_GROWTH_BOUND_MIB = 8;
export const RSS_GROWTH_BOUND_KIB = 64 * 1024;
export const FD_GROWTH_BOUND = 8;
/** The first samples (start, first apply, JIT warm-up) are not the baseline. */
export const RESOURCE_WARMUP_MS = 20_000;

export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

function median(values: readonly number[]): number {
  return percentile(values, 50) ?? 0;
}

export interface ResourceVerdict {
  readonly baseline: { readonly rssKiB: number; readonly fds: number } | undefined;
  readonly final: { readonly rssKiB: number; readonly fds: number } | undefined;
  readonly peak: { readonly rssKiB: number; readonly fds: number } | undefined;
  /** Heap kept after full collections: lowest of the first third, lowest of the last third. */
  readonly heap: { readonly baselineMiB: number; readonly finalMiB: number; readonly collections: number } | undefined;
  readonly violations: readonly Violation[];
}

/**
 * Memory and descriptors flat: median of the first quarter of the settled samples against the
 * median of the last quarter. Too few samples to tell is itself reported, so a run that could not
 * measure never passes silently.
 */
export function checkResources(
  label: string,
  samples: readonly ResourceSample[],
  heapSamples: readonly HeapSample[],
  bounds = { heapMiB: HEAP_GROWTH_BOUND_MIB, rssKiB: RSS_GROWTH_BOUND_KIB, fds: FD_GROWTH_BOUND, warmupMs: RESOURCE_WARMUP_MS },
): ResourceVerdict {
  const start = samples[0]?.at ?? 0;
  const settled = samples.filter((s) => s.at - start >= bounds.warmupMs);
  const heap = checkHeap(label, heapSamples.filter((h) => h.at - start >= bounds.warmupMs), bounds.heapMiB);
  if (settled.length < 8) {
    return {
      baseline: undefined,
      final: undefined,
      peak: undefined,
      heap: heap.heap,
      violations: [{ invariant: 'resourcesFlat', at: Date.now(), message: `${label}: only ${settled.length} samples after warm-up: cannot tell whether memory and descriptors stay flat` }],
    };
  }
  const quarter = Math.max(2, Math.floor(settled.length / 4));
  const first = settled.slice(0, quarter);
  const last = settled.slice(-quarter);
  const baseline = { rssKiB: median(first.map((s) => s.rssKiB)), fds: median(first.map((s) => s.fds)) };
  const final = { rssKiB: median(last.map((s) => s.rssKiB)), fds: median(last.map((s) => s.fds)) };
  const peak = { rssKiB: Math.max(...settled.map((s) => s.rssKiB)), fds: Math.max(...settled.map((s) => s.fds)) };
  const violations: Violation[] = [...heap.violations];
  const at = last[last.length - 1]?.at ?? Date.now();
  if (final.rssKiB - baseline.rssKiB > bounds.rssKiB) {
    violations.push({ invariant: 'resourcesFlat', at, message: `${label}: memory grew from ${mib(baseline.rssKiB)} to ${mib(final.rssKiB)} (bound +${mib(bounds.rssKiB)})` });
  }
  if (final.fds - baseline.fds > bounds.fds) {
    violations.push({ invariant: 'resourcesFlat', at, message: `${label}: open file descriptors grew from ${baseline.fds} to ${final.fds} (bound +${bounds.fds})` });
  }
  return { baseline, final, peak, heap: heap.heap, violations };
}

/** The heap kept after full collections must not rise by more than `boundMiB`; too few collections are said, not failed. */
function checkHeap(label: string, samples: readonly HeapSample[], boundMiB: number): { heap: ResourceVerdict['heap']; violations: Violation[] } {
  if (samples.length < 6) return { heap: undefined, violations: [] };
  const third = Math.floor(samples.length / 3);
  const baselineMiB = Math.min(...samples.slice(0, third).map((s) => s.heapMiB));
  const finalMiB = Math.min(...samples.slice(-third).map((s) => s.heapMiB));
  const violations: Violation[] = [];
  if (finalMiB - baselineMiB > boundMiB) {
    violations.push({ invariant: 'resourcesFlat', at: samples[samples.length - 1]!.at, message: `${label}: the heap kept after full collections grew from ${baselineMiB.toFixed(1)} MiB to ${finalMiB.toFixed(1)} MiB (bound +${boundMiB} MiB)` });
  }
  return { heap: { baselineMiB, finalMiB, collections: samples.length }, violations };
}

export function mib(kib: number): string {
  return `${(kib / 1024).toFixed(1)} MiB`;
}

/** A text the sidecar produced (a log line, the metrics page, a status object) and where it came from. */
export interface Exposed {
  readonly where: string;
  readonly text: string;
}

/**
 * Every occurrence of a password in what the sidecar exposed, as written and base64-encoded (a
 * Secret's `data` holds it so; printing that is a leak too). Reports the place, never the password.
 */
export function findPasswords(exposed: Iterable<Exposed>, passwords: ReadonlySet<string>): Violation[] {
  const needles: { readonly needle: string; readonly form: string }[] = [];
  for (const p of passwords) {
    needles.push({ needle: p, form: 'as written' });
    needles.push({ needle: Buffer.from(p).toString('base64'), form: 'base64' });
    // JSON escapes nothing in the soak's passwords but a space-free variant of one with a space would still leak half of it.
    for (const part of p.split(/\s+/)) if (part.length >= 8 && part !== p) needles.push({ needle: part, form: 'in part' });
  }
  const violations: Violation[] = [];
  for (const e of exposed) {
    for (const { needle, form } of needles) {
      if (!e.text.includes(needle)) continue;
      violations.push({ invariant: 'noPasswordLeak', at: Date.now(), message: `a password (${form}, ${needle.length} characters) appears in ${e.where}` });
    }
  }
  return violations;
}

/** A period in which only advertisement-class changes reached FRR and no disruptive fault ran. */
export interface QuietWindow {
  readonly from: number;
  readonly to: number;
  readonly what: string;
}

/** A session reset seen by the router: its counters went up between two samples. */
export interface SessionReset {
  readonly at: number;
  readonly before: SessionSample;
  readonly after: SessionSample;
}

export function sessionResets(samples: readonly SessionSample[]): SessionReset[] {
  const resets: SessionReset[] = [];
  for (let i = 1; i < samples.length; i++) {
    const before = samples[i - 1]!;
    const after = samples[i]!;
    if (after.dropped > before.dropped || after.established > before.established) resets.push({ at: after.at, before, after });
  }
  return resets;
}

/**
 * The session was sampled by a vtysh call made wholly after `t`: the last two samples are later
 * than `t` (a sample's time is when its call returned, so the first may have read the state
 * before `t`). An episode starts only once this holds for the end of the one before: a reset is
 * put in a window when either of its two samples lies in it, and without a sample in between, a
 * reset the next episode's first change causes would be put in the window before it.
 */
export function sampledSince(samples: readonly SessionSample[], t: number): boolean {
  return (samples.at(-2)?.at ?? -Infinity) > t;
}

/** Resets inside a window where nothing but advertisements changed. */
export function checkSessionResets(samples: readonly SessionSample[], windows: readonly QuietWindow[]): Violation[] {
  const violations: Violation[] = [];
  for (const reset of sessionResets(samples)) {
    // The reset happened between the two samples: inside the window when either end is.
    const w = windows.find((x) => reset.at >= x.from && reset.before.at <= x.to);
    if (w === undefined) continue;
    violations.push({
      invariant: 'noSessionReset',
      at: reset.at,
      message: `session reset during ${w.what}: established ${reset.before.established}->${reset.after.established}, dropped ${reset.before.dropped}->${reset.after.dropped} (state ${reset.after.state}, last reset: ${reset.after.lastReset ?? '-'}${reset.after.bfd === undefined ? '' : `; ${reset.after.bfd}`})`,
    });
  }
  return violations;
}

/** One settle, as measured: the input for `settleViolations`. */
export interface SettleObservation {
  readonly phase: string;
  /** `after bgpd killed cleared`, `after the last change`, ... for the message. */
  readonly cause: string;
  /** False for the settle after a sidecar start: reported, not bounded (no fault cleared). */
  readonly bounded: boolean;
  /** From the fault clearing (or the last change) to the router holding the desired routes; undefined: never. */
  readonly convergedMs: number | undefined;
  /** From the same moment to the end of the sidecar's apply of the last valid config. */
  readonly sidecarMs: number | undefined;
  /** What was still not as it must be when the settle gave up; empty when everything was. */
  readonly unmet: readonly string[];
  /** How long a settle waits before it gives up. */
  readonly timeoutMs: number;
}

/** What the sidecar said about the input when it disagreed with the soak, in `unmet`. */
export const VERDICT_MISMATCH = 'the sidecar says';

/**
 * The convergence bound of one settle: FRR runs the last valid config within 5 s of the fault
 * clearing, the router holds its routes within FRR's own allowance after that, and everything is
 * as it must be before the settle gives up. A verdict on the input that contradicts the soak's is
 * the sidecar's health invariant.
 */
export function settleViolations(o: SettleObservation, at = Date.now()): Violation[] {
  const out: Violation[] = [];
  if (o.convergedMs === undefined || o.unmet.length > 0) {
    out.push({ invariant: 'converges', at, message: `${o.phase}: never converged ${o.cause} (${o.timeoutMs / 1000} s): ${o.unmet.join('; ')}` });
  } else if (o.bounded) {
    if (o.sidecarMs !== undefined && o.sidecarMs > CONVERGE_WITHIN_MS) {
      out.push({ invariant: 'converges', at, message: `${o.phase}: FRR ran the last valid config ${o.sidecarMs} ms ${o.cause}, over ${CONVERGE_WITHIN_MS} ms` });
    }
    if (o.convergedMs > CONVERGE_WITHIN_MS + FRR_ALLOWANCE_MS) {
      out.push({
        invariant: 'converges',
        at,
        message: `${o.phase}: the router held the routes ${o.convergedMs} ms ${o.cause}, over ${CONVERGE_WITHIN_MS} + ${FRR_ALLOWANCE_MS} ms (FRR ran the config after ${o.sidecarMs ?? '?'} ms)`,
      });
    }
  }
  const verdict = o.unmet.find((w) => w.startsWith(VERDICT_MISMATCH));
  if (verdict !== undefined) out.push({ invariant: 'sidecarHealthy', at, message: `${o.phase}: ${verdict}` });
  return out;
}

/** One look at the speaker during a hold: FRR's running config (any stable digest), frr.conf, and the router. */
export interface HoldSample {
  readonly running: string;
  readonly config: string;
  /** `routeDifferences` against the last valid state; undefined when the router did not answer. */
  readonly routeDifferences: readonly string[] | undefined;
}

/** What a hold (the input invalid) saw: the input for `holdProblems`. */
export interface HoldObservation {
  /** frr.conf as the sidecar left it, and what `frr-renderer render` makes of the last valid input. */
  readonly config: string;
  readonly expectedConfig: string;
  /** `frr-reload.py --test` of that frr.conf: lines to add and delete, or why it failed. */
  readonly reloadDelta: { readonly toAdd: readonly string[]; readonly toDelete: readonly string[] } | { readonly error: string };
  /** The first is the baseline; the rest are taken over the hold (2 s). */
  readonly samples: readonly HoldSample[];
  /** `/status`'s conversion.valid (undefined: no answer). */
  readonly reportedValid: boolean | undefined;
  /** The `/metrics` page (undefined: no answer). */
  readonly metrics: string | undefined;
}

/** Every way the last good config was not in force while the input was invalid; empty when it was. */
export function holdProblems(o: HoldObservation): string[] {
  const problems: string[] = [];
  if (o.config !== o.expectedConfig) problems.push(`frr.conf is not the config of the last valid input (${lineDiff(o.config, o.expectedConfig)})`);
  if ('error' in o.reloadDelta) problems.push(`frr-reload.py --test failed: ${o.reloadDelta.error}`);
  else if (o.reloadDelta.toAdd.length + o.reloadDelta.toDelete.length > 0) {
    const lines = [...o.reloadDelta.toDelete.map((l) => `-${l.trim()}`), ...o.reloadDelta.toAdd.map((l) => `+${l.trim()}`)];
    problems.push(`FRR does not run frr.conf: ${lines.slice(0, 6).join(' ')}`);
  }
  const [first, ...later] = o.samples;
  if (first === undefined || later.length === 0) problems.push('FRR was not watched during the hold');
  else for (const s of later) {
    if (s.running !== first.running) problems.push("FRR's running config changed");
    if (s.config !== first.config) problems.push('frr.conf changed');
    if (s.routeDifferences !== undefined && s.routeDifferences.length > 0) problems.push(`the router does not hold the last valid state: ${s.routeDifferences.slice(0, 3).join('; ')}`);
  }
  if (o.reportedValid !== false) problems.push('the sidecar does not report the input invalid');
  if (!/^frr_renderer_config_valid 0$/m.test(o.metrics ?? '')) problems.push('frr_renderer_config_valid is not 0');
  // One report of each: a change seen in every sample is one violation, not eight.
  return [...new Set(problems)];
}

/** Lines only in one of two texts, shortened, for a message. */
export function lineDiff(actual: string, expected: string): string {
  const a = new Set(actual.split('\n'));
  const e = new Set(expected.split('\n'));
  const extra = [...a].filter((l) => !e.has(l)).slice(0, 3);
  const missing = [...e].filter((l) => !a.has(l)).slice(0, 3);
  return [...extra.map((l) => `+${l.trim()}`), ...missing.map((l) => `-${l.trim()}`)].join(' ') || 'same lines, other order';
}

/** Log lines that mean the sidecar hit a bug: a crash path it reports as internal. */
export function logViolations(label: string, lines: readonly string[], at = Date.now()): Violation[] {
  return lines
    .filter((line) => /internal error|reconcile failed unexpectedly/.test(line))
    .map((line) => ({ invariant: 'sidecarHealthy' as const, at, message: `${label} sidecar logged: ${line.slice(0, 300)}` }));
}
