/** The soak's report: what was done to the sidecar, how fast it recovered, and every invariant violated. */
import { INVARIANTS, mib, percentile, type InvariantName } from './invariants.js';
import type { SoakResult } from './soak.js';

function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`;
}

function stats(values: readonly number[]): string {
  if (values.length === 0) return 'n=0';
  return `n=${values.length}  p50 ${seconds(percentile(values, 50))}  p99 ${seconds(percentile(values, 99))}  max ${seconds(Math.max(...values))}`;
}

/** Passes when every invariant was checked, held, and its control caught the violation made on purpose. */
export function invariantStatus(r: SoakResult, name: InvariantName): { readonly ok: boolean; readonly why: string } {
  const violations = r.violations.filter((v) => v.invariant === name).length;
  const control = r.controls.find((c) => c.invariant === name);
  if (r.checked[name] === 0) return { ok: false, why: 'never checked' };
  if (violations > 0) return { ok: false, why: `${violations} violation(s)` };
  if (control === undefined) return { ok: false, why: 'its control did not run' };
  if (!control.caught) return { ok: false, why: `its control was NOT caught (${control.what})` };
  return { ok: true, why: `${r.checked[name]} checks, control caught` };
}

export function formatReport(r: SoakResult): string {
  const out: string[] = [];
  const runMin = (r.durationMs / 60_000).toFixed(1);
  out.push(`== frr-renderer soak: FRR ${r.frr}, ${r.minutes} min of churn, seed ${r.seed}, ran ${runMin} min${r.aborted ? ' (INTERRUPTED)' : ''}`);
  const total = r.changes.valid + r.changes.invalid + r.changes.fixes;
  out.push(`changes applied: ${total} in ${r.changes.episodes} episodes (${r.changes.valid} valid, ${r.changes.invalid} making the input invalid, ${r.changes.fixes} fixing it), every 50-500 ms`);
  out.push(`faults injected: ${r.faults.length}`);
  const byName = new Map<string, number[]>();
  for (const f of r.faults) byName.set(f.name, [...(byName.get(f.name) ?? []), f.durationMs]);
  for (const [name, durations] of byName) {
    out.push(`  ${name.padEnd(42)} ${String(durations.length).padStart(3)}x  lasted ${durations.map((d) => seconds(d)).join(', ')}`);
  }
  if (r.missedFaults.length > 0) out.push(`  never injected: ${r.missedFaults.join(', ')}`);
  const settled = r.settles.filter((s) => s.after !== 'start' && s.after !== 'control');
  const times = (list: typeof settled) => list.map((s) => s.convergenceMs).filter((v): v is number => v !== undefined);
  out.push('convergence (from the fault clearing, or the last change when later, to the router holding the last valid desired state):');
  out.push(`  all          ${stats(times(settled))}`);
  out.push(`  after faults ${stats(times(settled.filter((s) => s.after !== 'changes')))}`);
  out.push(`  churn only   ${stats(times(settled.filter((s) => s.after === 'changes')))}`);
  const sidecar = settled.map((s) => s.sidecarMs).filter((v): v is number => v !== undefined);
  out.push(`  of which the sidecar's part (to the end of its last apply; the rest is FRR and BGP) ${stats(sidecar)}`);
  const never = settled.filter((s) => s.convergenceMs === undefined).length;
  if (never > 0) out.push(`  NEVER converged: ${never}`);
  out.push('sidecar memory and open descriptors, settled start -> end:');
  for (const { label, verdict } of r.resources) {
    const { baseline: b, final: f, peak: p, heap: h } = verdict;
    const heap = h ? `heap kept ${h.baselineMiB.toFixed(1)} -> ${h.finalMiB.toFixed(1)} MiB (${h.collections} full GCs)` : 'heap: too few full GCs to tell';
    out.push(b && f && p ? `  ${label}: ${heap}, RSS ${mib(b.rssKiB)} -> ${mib(f.rssKiB)} (peak ${mib(p.rssKiB)}), fds ${b.fds} -> ${f.fds} (peak ${p.fds})` : `  ${label}: not enough samples`);
  }
  out.push('invariants:');
  for (const name of Object.keys(INVARIANTS) as InvariantName[]) {
    const s = invariantStatus(r, name);
    out.push(`  ${s.ok ? 'ok  ' : 'FAIL'} ${name}: ${INVARIANTS[name]} (${s.why})`);
  }
  out.push('controls (each check shown to catch a violation made on purpose):');
  for (const c of r.controls) out.push(`  ${c.caught ? 'caught' : 'MISSED'} ${c.invariant}: ${c.what}: ${c.detail.slice(0, 160)}`);
  out.push(r.violations.length === 0 ? 'violations: none' : `violations: ${r.violations.length}`);
  for (const v of r.violations) out.push(`  - [${v.invariant}] ${v.message}`);
  if (r.cleanup.length > 0) out.push(`leftovers of earlier runs removed: ${r.cleanup.length}`);
  return `${out.join('\n')}\n`;
}
