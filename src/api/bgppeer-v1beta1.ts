/**
 * BGPPeer metallb.io/v1beta1 → v1beta2, like MetalLB's conversion webhook, with one deliberate
 * difference: a v1beta1 peer without holdTime / keepaliveTime keeps them unset (MetalLB's
 * conversion turns them into explicit 0s, which would render `timers 0 0`).
 */
import type { FieldReader, RawMap } from './fields.js';

/** Fields of v1beta1's spec; everything else is pruned by Kubernetes. */
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
  // v1beta1's peerPort has no default: 0 or absent means the BGP port.
  if (out.peerPort === undefined || out.peerPort === null || out.peerPort === 0) delete out.peerPort;
  return out;
}
