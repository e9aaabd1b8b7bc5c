/** Plain-text renderings of `StatusReport` and `ServiceExplain` for the terminal. */
import { failedApplyOutcome } from '../reconciler/status.js';
import type { ServiceExplain, StatusReport } from './explain.js';

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

export function duration(ms: number | 'unknown'): string {
  if (ms === 'unknown') return '-';
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

function ago(at: number | undefined, now: number): string {
  return at === undefined ? '' : ` ${duration(Math.max(0, now - at))} ago`;
}

export function formatStatus(r: StatusReport, now: number): string {
  const out: string[] = [];
  const conv = r.conversion;
  const config = conv == null ? 'not rendered yet' : conv.valid ? `valid${conv.warnings.length ? ` (${conv.warnings.length} warnings)` : ''}` : `INVALID (${conv.errors.length} errors)`;
  const rl = r.reload;
  const after = rl == null ? undefined : failedApplyOutcome({ apply: rl });
  const reload = rl == null ? 'none yet' : `${rl.result}${rl.result === 'failure' ? ` (${rl.stage ?? 'reload'}): ${rl.description}${after ? `; ${after.text}` : ''}` : rl.path === 'fast' ? ' (fast path)' : rl.passes ? ` (${rl.passes} pass${rl.passes > 1 ? 'es' : ''})` : ''}${ago(rl.at, now)}`;
  const forms = r.renderedFor === null ? '' : ` (config for ${r.renderedFor.formsOf}${r.renderedFor.from === 'flag' ? ', not yet reported by FRR' : ''})`;
  out.push(`node ${r.node}   FRR ${r.frr.version}${r.frr.reachable ? '' : ' (NOT ANSWERING)'}${forms}   config ${config}   last reload ${reload}`);
  if (r.renderedFor?.note) out.push(`  warning: ${r.renderedFor.note}`);
  if (conv && !conv.valid) for (const e of conv.errors) out.push(`  error: ${e}`);
  for (const e of r.frr.errors) out.push(`  vtysh: ${e}`);
  out.push('');
  const established = r.sessions.filter((s) => s.state === 'Established').length;
  out.push(`sessions: ${established}/${r.sessions.length} established`);
  const rows: string[][] = [['VRF', 'NEIGHBOR', 'PEER', 'BGP', 'UP', 'BFD', 'SENT']];
  for (const s of r.sessions) {
    const sent = s.families.map((f) => `${f.family} ${f.sent === 'unknown' ? '?' : f.sent.length}${f.negotiated === false ? ' (not negotiated)' : ''}`).join(', ');
    rows.push([s.vrf, s.neighbor, s.peers.join(',') || '-', s.state, duration(s.uptimeMs), s.bfd, sent || '-']);
  }
  out.push(...table(rows).map((l) => `  ${l}`));
  if (r.bfdPeers.length > 0) {
    out.push('', 'BFD:');
    out.push(...table([['VRF', 'PEER', 'STATUS', 'DIAGNOSTIC'], ...r.bfdPeers.map((p) => [p.vrf, p.peer, p.status, p.diagnostic])]).map((l) => `  ${l}`));
  }
  out.push('', 'prefixes sent:');
  for (const s of r.sessions) {
    for (const f of s.families) {
      const list = f.sent === 'unknown' ? '(unknown)' : f.sent.length ? f.sent.join(' ') : '(none)';
      out.push(`  ${s.neighbor}${s.vrf === 'default' ? '' : ` vrf ${s.vrf}`} ${f.family}: ${list}`);
      if (f.missing.length) out.push(`    not sent although configured: ${f.missing.join(' ')}${s.state === 'Established' ? '' : ` (session ${s.state}${s.lastResetDueTo !== undefined ? `, last reset: ${s.lastResetDueTo}` : ''})`}`);
    }
  }
  return `${out.join('\n')}\n`;
}

export function formatExplain(e: ServiceExplain): string {
  const out: string[] = [];
  if (!e.found) return `service ${e.service} on node ${e.node}: ${e.reason}: ${e.detail}\n`;
  out.push(
    e.announced
      ? `service ${e.service} on node ${e.node}: announced (pool ${e.pool}, advertisements ${e.advertisements.join(', ')})`
      : `service ${e.service} on node ${e.node}: NOT announced: ${e.reason}: ${e.detail}`,
  );
  if (!e.configValid) out.push('  the current configuration is invalid: FRR runs the last good one');
  if (e.peers.length === 0) out.push('  no BGP neighbors on this node');
  for (const p of e.peers) {
    out.push(`  ${p.neighbor}${p.vrf === 'default' ? '' : ` vrf ${p.vrf}`} (${p.peers.join(', ')}): session ${p.session}, BFD ${p.bfd}`);
    if (p.prefixes.length === 0) out.push('    (no prefix)');
    for (const v of p.prefixes) {
      const verdict = v.advertised === true ? 'advertised' : v.advertised === 'unknown' ? `unknown: ${v.reason}` : `not advertised: ${v.reason}`;
      out.push(`    ${v.prefix}: ${verdict}${v.detail ? ` (${v.detail})` : ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}
