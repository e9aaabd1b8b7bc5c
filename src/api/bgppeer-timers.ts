/**
 * BGPPeer timers: holdTime / keepaliveTime (MetalLB derives the missing one with a factor of 3,
 * FRR needs whole seconds, hold 0 or 3-65535 and keepalive at most a third of hold) and connectTime.
 */
import { formatSeconds, NANOS_PER_SECOND, parseDuration, wholeSeconds } from './duration.js';
import { FieldReader, type RawMap } from './fields.js';
import type { BgpTimers } from './model.js';
import { q } from './problems.js';

const MAX_HOLD = 65535;

/** Reads a duration field; absent gives undefined, a number or bad text is reported. */
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
  if (d.value < 0n) {
    r.error(field, `${q(v)} is negative: use a positive duration such as "90s"`);
    return undefined;
  }
  // FRR takes whole seconds; truncated, 0 < d < 1 s would silently become 0, which turns the timer off.
  if (d.value > 0n && d.value < NANOS_PER_SECOND) {
    r.error(field, `${q(v)} is shorter than one second, which FRR's whole seconds would turn into 0 (timer off): use "0s" to turn it off, or at least "1s"`);
    return undefined;
  }
  return d.value;
}

export function decodeTimers(r: FieldReader, spec: RawMap): BgpTimers | undefined {
  const holdText = typeof spec.holdTime === 'string' ? spec.holdTime : undefined;
  const kaText = typeof spec.keepaliveTime === 'string' ? spec.keepaliveTime : undefined;
  const hold = readDuration(r, spec.holdTime, 'spec.holdTime');
  const keepalive = readDuration(r, spec.keepaliveTime, 'spec.keepaliveTime');
  if (hold === undefined && keepalive === undefined) return undefined;
  if ((hold === undefined && spec.holdTime != null) || (keepalive === undefined && spec.keepaliveTime != null)) {
    return undefined; // already reported
  }

  if (hold !== undefined) {
    const holdS = wholeSeconds(hold);
    let ok = true;
    if (holdS !== 0 && holdS < 3) {
      r.error('spec.holdTime', `${q(holdText)} is too short: use 0s or at least 3s`);
      ok = false;
    } else if (holdS > MAX_HOLD) {
      r.error('spec.holdTime', `${q(holdText)} is too long: use at most ${MAX_HOLD}s`);
      ok = false;
    }
    if (keepalive === undefined) return ok ? { holdSeconds: holdS, keepaliveSeconds: Math.floor(holdS / 3) } : undefined;
    const kaS = wholeSeconds(keepalive);
    if (holdS === 0 && kaS !== 0) {
      r.error('spec.keepaliveTime', `${q(kaText)} needs a non-zero holdTime: with holdTime ${q(holdText)} (no hold timer) use "0s"`);
      return undefined;
    }
    const maxKa = Math.floor(holdS / 3);
    if (ok && kaS > maxKa) {
      r.error(
        'spec.keepaliveTime',
        `${q(kaText)} is more than a third of holdTime ${q(holdText)} (FRR would silently use ${maxKa}s): use at most ${maxKa}s`,
      );
      return undefined;
    }
    return ok ? { holdSeconds: holdS, keepaliveSeconds: kaS } : undefined;
  }

  // Only keepalive set: hold = 3 × keepalive, both truncated to whole seconds.
  const ka = keepalive!;
  const derived = ka * 3n;
  const holdS = wholeSeconds(derived);
  if (holdS !== 0 && holdS < 3) {
    r.error('spec.keepaliveTime', `${q(kaText)} gives a holdTime of ${formatSeconds(derived)} (3 × keepaliveTime), which is too short: use 0s or at least 1s, or set holdTime`);
    return undefined;
  }
  if (holdS > MAX_HOLD) {
    r.error(
      'spec.keepaliveTime',
      `${q(kaText)} gives a holdTime of ${formatSeconds(derived)} (3 × keepaliveTime), more than ${MAX_HOLD}s: use at most ${Math.floor(MAX_HOLD / 3)}s, or set holdTime`,
    );
    return undefined;
  }
  return { holdSeconds: holdS, keepaliveSeconds: wholeSeconds(ka) };
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
