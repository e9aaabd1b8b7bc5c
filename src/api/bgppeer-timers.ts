/**
 * BGPPeer timers: holdTime / keepaliveTime and connectTime.
 *
 * MetalLB's rules (internal/config/config.go `parseTimers`, v0.16): when only one of hold and
 * keepalive is set the other is derived with a factor of 3 (in nanoseconds); the hold time
 * truncated to whole seconds must be 0 or at least 3 s; keepalive may not exceed hold. The template
 * then writes both truncated to whole seconds (internal/bgp/frr/frr.go). What FRR does with them
 * (bgpd `peer_timers_set`, measured on 8.4.4 and 10.3): the keepalive it runs is at most a third of
 * the hold time (`timers 60 90` runs, and is shown, as `timers 30 90`), and neither value may exceed
 * 65535 (the command's range).
 *
 * We accept what MetalLB accepts, render what FRR runs, and warn where that differs from what was
 * written; we reject only what MetalLB rejects and what FRR cannot load.
 */
import { formatSeconds, NANOS_PER_SECOND, parseDuration, wholeSeconds } from './duration.js';
import { FieldReader, type RawMap } from './fields.js';
import type { BgpTimers } from './model.js';
import { q } from './problems.js';

/** FRR's `neighbor X timers KEEPALIVE HOLD` takes 0-65535 for both. */
const MAX_FRR_TIMER = 65535;
/** MetalLB: a hold time (in whole seconds) is 0 (no hold timer) or at least 3. */
const MIN_HOLD = 3;

/** Reads a duration field; absent gives undefined, a number, bad text or a negative value is reported. */
export function readDuration(r: FieldReader, v: unknown, field: string): bigint | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') {
    r.error(field, `${String(v)} is not a duration: write it as a quoted string with a unit, e.g. "${String(v)}s"`);
    return undefined;
  }
  if (typeof v !== 'string') {
    r.error(field, `must be a duration string with a unit such as "90s", not ${r.describe(v)}`);
    return undefined;
  }
  const d = parseDuration(v);
  if (!d.ok) {
    r.error(field, d.error);
    return undefined;
  }
  // MetalLB rejects a negative hold (below 3 s); a negative keepalive would reach FRR as a negative
  // number, which its parser refuses.
  if (d.value < 0n) {
    r.error(field, `${q(v)} is negative: use a positive duration such as "90s"`);
    return undefined;
  }
  return d.value;
}

export function decodeTimers(r: FieldReader, spec: RawMap): BgpTimers | undefined {
  const holdText = typeof spec.holdTime === 'string' ? spec.holdTime : undefined;
  const kaText = typeof spec.keepaliveTime === 'string' ? spec.keepaliveTime : undefined;
  const hold = readDuration(r, spec.holdTime, 'spec.holdTime');
  const keepalive = readDuration(r, spec.keepaliveTime, 'spec.keepaliveTime');
  if ((hold === undefined && spec.holdTime != null) || (keepalive === undefined && spec.keepaliveTime != null)) {
    return undefined; // already reported
  }
  if (hold === undefined && keepalive === undefined) return undefined;

  // MetalLB derives the missing one in nanoseconds, before any truncation.
  const holdN = hold ?? keepalive! * 3n;
  const kaN = keepalive ?? hold! / 3n;
  const holdS = wholeSeconds(holdN);
  const derivedHold = hold === undefined;
  const holdField = derivedHold ? 'spec.keepaliveTime' : 'spec.holdTime';
  const holdWhat = derivedHold ? `${q(kaText)} gives a holdTime of ${formatSeconds(holdN)} (3 × keepaliveTime), which` : q(holdText);

  if (holdS !== 0 && holdS < MIN_HOLD) {
    r.error(holdField, `${holdWhat} is too short: MetalLB needs a hold time of 0s (no hold timer) or at least ${MIN_HOLD}s${derivedHold ? '; set holdTime' : ''}`);
    return undefined;
  }
  if (kaN > holdN) {
    r.error('spec.keepaliveTime', `${q(kaText)} is longer than holdTime ${q(holdText)}, which MetalLB rejects: use a keepaliveTime of at most the holdTime (FRR runs at most a third of it)`);
    return undefined;
  }
  if (holdS > MAX_FRR_TIMER) {
    r.error(holdField, `${holdWhat} is longer than ${MAX_FRR_TIMER}s, the most FRR's "neighbor timers" takes: use at most ${derivedHold ? `${Math.floor(MAX_FRR_TIMER / 3)}s, or set holdTime` : `${MAX_FRR_TIMER}s`}`);
    return undefined;
  }

  const kaS = wholeSeconds(kaN);
  warnTruncated(r, 'spec.holdTime', holdText, hold);
  warnTruncated(r, 'spec.keepaliveTime', kaText, keepalive);
  // FRR keeps the keepalive at most a third of the hold time (and shows it so).
  const effectiveKa = Math.min(kaS, Math.floor(holdS / 3));
  if (effectiveKa < kaS) {
    r.warn(
      'spec.keepaliveTime',
      `${q(kaText ?? `${kaS}s`)} is more than a third of holdTime ${holdS}s: FRR runs keepalive ${effectiveKa}s ("neighbor timers ${effectiveKa} ${holdS}"), and so does this config; set keepaliveTime to at most ${Math.floor(holdS / 3)}s to say so`,
    );
  }
  return { holdSeconds: holdS, keepaliveSeconds: effectiveKa };
}

/** A duration with a fraction of a second: MetalLB truncates it, and the config says what FRR runs. */
function warnTruncated(r: FieldReader, field: string, text: string | undefined, nanos: bigint | undefined): void {
  if (nanos === undefined || nanos % NANOS_PER_SECOND === 0n) return;
  const s = wholeSeconds(nanos);
  const off = s === 0 ? ' (0 turns the timer off)' : '';
  r.warn(field, `${q(text)} is used as ${s}s${off}: FRR takes whole seconds, and MetalLB truncates; write "${s}s" to say so`);
}

/** connectTime: whole seconds, 1-65535 (MetalLB's CEL rule). */
export function decodeConnectTime(r: FieldReader, v: unknown): number | undefined {
  const d = readDuration(r, v, 'spec.connectTime');
  if (d === undefined) return undefined;
  const text = q(v);
  if (d % NANOS_PER_SECOND !== 0n) {
    r.error('spec.connectTime', `${text} is not a whole number of seconds: use e.g. "${wholeSeconds(d) || 1}s"`);
    return undefined;
  }
  const s = wholeSeconds(d);
  if (s < 1 || s > 65535) {
    r.error('spec.connectTime', `${text} is out of range: use 1s to 65535s`);
    return undefined;
  }
  return s;
}
