/**
 * MetalLB's BGPPeer conversion webhook (v1beta1 -> v1beta2), written for the fake API server from
 * MetalLB's code, apart from src/api's own conversion so that one checks the other:
 * api/v1beta1/bgppeer_conversion.go `ConvertTo` (metallb/metallb 7938d3f) copies ASN, MyASN,
 * Address, SrcAddress, Port, RouterID, Password, BFDProfile and EBGPMultiHop, sets
 * `HoldTime = &src.Spec.HoldTime` and `KeepaliveTime = &src.Spec.KeepaliveTime` (always non-nil,
 * so an unset v1beta1 timer is "0s"), and turns legacy node selectors into LabelSelectors. The
 * JSON is what Go's encoding writes: `omitempty` drops zero values, a non-nil pointer stays, and
 * metav1.Duration is time.Duration.String() ("90s" becomes "1m30s").
 */
import type { Json } from './fake-apiserver.js';

const NANOS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n], ['us', 1000n], ['µs', 1000n], ['ms', 1_000_000n], ['s', 1_000_000_000n], ['m', 60_000_000_000n], ['h', 3_600_000_000_000n],
]);

/** Go's time.ParseDuration, for the forms MetalLB's examples use. */
function parseGoDuration(text: string): bigint {
  if (text === '0') return 0n;
  let total = 0n;
  for (const m of text.matchAll(/([0-9]*)(?:\.([0-9]*))?(ns|us|µs|ms|s|m|h)/g)) {
    const unit = NANOS.get(m[3]!)!;
    const frac = m[2] ?? '';
    total += BigInt(m[1] || '0') * unit + (frac ? (BigInt(frac) * unit) / 10n ** BigInt(frac.length) : 0n);
  }
  return total;
}

/** Go's time.Duration.String(). */
export function goDurationString(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  if (nanos < 1_000_000_000n) {
    for (const [unit, size] of [['ms', 1_000_000n], ['µs', 1000n], ['ns', 1n]] as const) {
      if (nanos >= size) return `${fraction(nanos, size)}${unit}`;
    }
  }
  const h = nanos / 3_600_000_000_000n;
  const m = (nanos / 60_000_000_000n) % 60n;
  const s = fraction(nanos % 60_000_000_000n, 1_000_000_000n);
  return h > 0n ? `${h}h${m}m${s}s` : m > 0n ? `${m}m${s}s` : `${s}s`;
}

function fraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${rest.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}

function legacySelector(sel: unknown): Json {
  const s = (sel ?? {}) as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  const labels = s.matchLabels ?? {};
  const expressions = s.matchExpressions ?? [];
  if (Object.keys(labels).length + expressions.length === 0) return {};
  return {
    matchLabels: { ...labels },
    ...(expressions.length > 0 ? { matchExpressions: expressions.map((e) => ({ key: e.key, operator: e.operator, ...(e.values?.length ? { values: [...e.values] } : {}) })) } : {}),
  };
}

/** The fake API server's `convert` for bgppeers.metallb.io: MetalLB's webhook, v1beta1 -> v1beta2. */
export function convertBgpPeer(stored: Json, toVersion: string): Json {
  if (stored.apiVersion !== 'metallb.io/v1beta1' || toVersion !== 'v1beta2') return stored;
  const src = (stored.spec ?? {}) as Record<string, unknown>;
  const spec: Json = {};
  const copy = (field: string): void => {
    const v = src[field];
    if (v !== undefined && v !== null && v !== '' && v !== 0 && v !== false) spec[field] = v;
  };
  for (const f of ['peerASN', 'myASN', 'peerAddress', 'sourceAddress', 'peerPort', 'routerID', 'password', 'bfdProfile', 'ebgpMultiHop']) copy(f);
  spec.holdTime = goDurationString(parseGoDuration(typeof src.holdTime === 'string' ? src.holdTime : '0s'));
  spec.keepaliveTime = goDurationString(parseGoDuration(typeof src.keepaliveTime === 'string' ? src.keepaliveTime : '0s'));
  if (Array.isArray(src.nodeSelectors) && src.nodeSelectors.length > 0) spec.nodeSelectors = src.nodeSelectors.map(legacySelector);
  // A struct field: Go's omitempty keeps it (MetalLB's migration docs show `passwordSecret: {}`).
  spec.passwordSecret = {};
  return { ...stored, apiVersion: 'metallb.io/v1beta2', spec };
}
