/**
 * Which configuration lines FRR's daemons refused while loading (`vtysh -f`, and the `vtysh -f`
 * that `frr-reload.py --reload` runs). `vtysh -C` cannot see these: it only parses, and a line can
 * parse and still be refused by the daemon (10.3's bgpd refuses `set community internet`).
 *
 * What FRR prints, the same on 8.4.4 and 10.3 (measured; vtysh's format strings are the same in both):
 *   stderr: `line 20: Failure to communicate[13] to bgpd, line:  set community internet additive`
 *   stdout: `% Malformed communities attribute 'internet'`   (the daemon's own reason)
 * and, for lines vtysh itself refuses: `line N: Warning[13]...: LINE`, `line N: % Unknown
 * command[N]: LINE` (also `Ambiguous command`, `Command incomplete`).
 * The `line N:` of frr-reload.py's runs counts lines of its temporary file, not of ours, so it is
 * dropped; the refused text itself is what a reader can find in frr.conf.
 */
import { redactPasswords } from './redact.js';

export interface RejectedLine {
  /** The daemon that refused it (`bgpd`). */
  readonly daemon: string;
  /** The configuration line as sent, leading space kept (` set community ...`), password redacted. */
  readonly line: string;
  /** The daemon's reason (`% Malformed communities attribute ...`), or empty when FRR gave none. */
  readonly reason: string;
}

const FAILURE = /^line \d+: (?:Failure to communicate\[\d+\] to (\S+), line: ?|Warning(?:\[\d+\])?\.\.\.: |% (?:Ambiguous command|Unknown command|Command incomplete)(?:\[\d+\])?: )(.*)$/;
const REASON = /^% (.*)$/;

/** The refused lines, each once, in the order FRR reported them. */
export function parseRejectedLines(stdout: string, stderr: string): RejectedLine[] {
  const failures = new Map<string, string>();
  for (const raw of stderr.split('\n')) {
    const m = FAILURE.exec(raw.trimEnd());
    if (m && !failures.has(m[2]!)) failures.set(m[2]!, m[1] ?? 'vtysh');
  }
  if (failures.size === 0) return [];
  const reasons = [...new Set(stdout.split('\n').flatMap((l) => REASON.exec(l.trim())?.[0] ?? []))];
  // One reason per refused line (the usual case): pair them in order. Otherwise give them all.
  const paired = reasons.length === failures.size;
  return [...failures].map(([line, daemon], i) => ({
    daemon,
    line: redactPasswords(line),
    reason: redactPasswords(paired ? reasons[i]! : reasons.join('; ')),
  }));
}

/** One line for logs and status: `bgpd refused " set community internet additive": % Malformed ...`. */
export function formatRejectedLine(r: RejectedLine): string {
  return `${r.daemon} refused ${JSON.stringify(r.line)}${r.reason ? `: ${r.reason}` : ''}`;
}
