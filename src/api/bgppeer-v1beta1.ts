/**
 * BGPPeer metallb.io/v1beta1 → v1beta2, exactly as MetalLB's conversion webhook does it
 * (api/v1beta1/bgppeer_conversion.go `ConvertTo`, v0.16), so a folder renders what the cluster runs.
 *
 * In a cluster the API server stores every BGPPeer as v1beta2 through that webhook, and the speaker
 * reads the converted object. `ConvertTo` sets `HoldTime = &src.Spec.HoldTime` and
 * `KeepaliveTime = &src.Spec.KeepaliveTime`: v1beta1's timers are plain Durations, so a timer the
 * user left out becomes an explicit "0s", never "unset". A v1beta1 peer without timers therefore runs
 * `timers 0 0`, and one with only a keepalive gets hold 0s and is rejected (keepalive > hold).
 * Fields that exist only in v1beta2 are pruned by the API server (v1beta1's schema has no room for
 * them) before the webhook ever sees them.
 */
import type { FieldReader, RawMap } from './fields.js';

/** Fields of v1beta1's spec: what `ConvertTo` copies. */
const V1BETA1_FIELDS = [
  'myASN',
  'peerASN',
  'peerAddress',
  'sourceAddress',
  'peerPort',
  'holdTime',
  'keepaliveTime',
  'routerID',
  'nodeSelectors',
  'password',
  'bfdProfile',
  'ebgpMultiHop',
] as const;

/** Fields that exist only in v1beta2: a v1beta1 object that sets them loses them. */
const V1BETA2_ONLY = [
  'localASN',
  'dynamicASN',
  'interface',
  'connectTime',
  'passwordSecret',
  'enableGracefulRestart',
  'vrf',
  'disableMP',
  'dualStackAddressFamily',
];

/** What the webhook writes for a v1beta1 timer that was not set (Go's zero Duration). */
const ZERO_DURATION = '0s';

const V1BETA2_HINT = 'or write the peer as metallb.io/v1beta2';

/** Returns the v1beta2 shape of a v1beta1 spec. Legacy nodeSelectors have the LabelSelector shape. */
export function convertV1beta1Spec(r: FieldReader, spec: RawMap): RawMap {
  const out: RawMap = {};
  for (const [key, value] of Object.entries(spec)) {
    if ((V1BETA1_FIELDS as readonly string[]).includes(key)) {
      out[key] = value;
    } else if (V1BETA2_ONLY.includes(key)) {
      r.warn(`spec.${key}`, 'does not exist in metallb.io/v1beta1 and is ignored: use apiVersion metallb.io/v1beta2 to set it');
    }
  }
  r.unknownFields(spec, [...V1BETA1_FIELDS, ...V1BETA2_ONLY], 'spec');
  // v1beta1's peerPort has no default: 0 or absent means the BGP port (v1beta2 defaults it to 179).
  if (out.peerPort === undefined || out.peerPort === null || out.peerPort === 0) delete out.peerPort;
  convertTimers(r, out);
  return out;
}

function convertTimers(r: FieldReader, out: RawMap): void {
  const hold = out.holdTime !== undefined && out.holdTime !== null;
  const keepalive = out.keepaliveTime !== undefined && out.keepaliveTime !== null;
  if (!hold && !keepalive) {
    r.warn(
      'spec.holdTime',
      `is not set, and neither is keepaliveTime: MetalLB's conversion webhook stores a metallb.io/v1beta1 BGPPeer with holdTime and keepaliveTime "0s", so FRR runs "timers 0 0" (no hold timer, no keepalives) instead of its defaults (hold 180s, keepalive 60s), and so does this config; set both timers, ${V1BETA2_HINT}`,
    );
  } else if (!hold) {
    r.warn(
      'spec.holdTime',
      `is not set: MetalLB's conversion webhook stores a metallb.io/v1beta1 BGPPeer with holdTime "0s" (not 3 × keepaliveTime as in v1beta2); set holdTime, ${V1BETA2_HINT}`,
    );
  } else if (!keepalive) {
    r.warn(
      'spec.keepaliveTime',
      `is not set: MetalLB's conversion webhook stores a metallb.io/v1beta1 BGPPeer with keepaliveTime "0s" (not holdTime / 3 as in v1beta2), so FRR runs keepalive 0; set keepaliveTime, ${V1BETA2_HINT}`,
    );
  }
  if (!hold) out.holdTime = ZERO_DURATION;
  if (!keepalive) out.keepaliveTime = ZERO_DURATION;
}
