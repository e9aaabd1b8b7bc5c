/** BGPPeer (v1beta2, and v1beta1 converted to v1beta2): defaults and single-object validation. */
import { convertV1beta1Spec } from './bgppeer-v1beta1.js';
import { decodeConnectTime, decodeTimers } from './bgppeer-timers.js';
import type { DecodeOptions, RawObject } from './decode.js';
import { FieldReader, nonEmpty, type RawMap } from './fields.js';
import { decodePassword } from './bgppeer-password.js';
import { checkBfdProfileName, checkInterfaceName, checkVrfName } from './frr-strings.js';
import { ipv4InMapped, parseIp, type ParsedIp } from './ip.js';
import { decodeSelectorList } from './label-selector.js';
import type { ObjectRef, Peer, PeerAsn } from './model.js';
import { Problems, q } from './problems.js';

const MAX_ASN = 4294967295;
export const DEFAULT_BGP_PORT = 179;

const V1BETA2_FIELDS = [
  'myASN', 'peerASN', 'localASN', 'dynamicASN', 'peerAddress', 'interface', 'sourceAddress', 'peerPort',
  'holdTime', 'keepaliveTime', 'connectTime', 'routerID', 'nodeSelectors', 'password', 'passwordSecret',
  'bfdProfile', 'enableGracefulRestart', 'ebgpMultiHop', 'vrf', 'disableMP', 'dualStackAddressFamily',
];

/** Decodes a BGPPeer; returns undefined when it has errors (all of them are filed in `problems`). */
export function decodeBgpPeer(obj: RawObject, ref: ObjectRef, opts: DecodeOptions, problems: Problems): Peer | undefined {
  const r = new FieldReader(ref, problems);
  const before = problems.errorCount;
  const raw = r.map(obj.spec, 'spec');
  const legacy = obj.apiVersion === 'metallb.io/v1beta1';
  const spec = legacy ? convertV1beta1Spec(r, raw) : raw;
  if (!legacy) r.unknownFields(spec, V1BETA2_FIELDS, 'spec');

  const myASN = r.integer(spec.myASN, 'spec.myASN', 0, MAX_ASN);
  if (myASN === 0 || (spec.myASN === undefined || spec.myASN === null)) {
    r.error('spec.myASN', `${myASN === 0 ? '0 is not a valid AS number' : 'is missing'}: set the local AS number (1-${MAX_ASN})`);
  }
  const peerASN = decodePeerAsn(r, spec, legacy);
  const ibgp = peerASN?.kind === 'internal' || (peerASN?.kind === 'number' && peerASN.asn === myASN);
  const ibgpWhy = peerASN?.kind === 'internal' ? 'dynamicASN is internal' : `peerASN ${myASN} equals myASN`;

  const localASN = r.integer(spec.localASN, 'spec.localASN', 1, MAX_ASN);
  if (localASN !== undefined && ibgp) {
    r.error('spec.localASN', `cannot be used with an iBGP peer (${ibgpWhy}): remove it; localASN only applies to eBGP sessions`);
  } else if (localASN !== undefined && localASN === myASN) {
    r.error('spec.localASN', `${localASN} equals spec.myASN: remove it, or set the different AS number to present to this peer`);
  }

  const { address, iface } = decodeEndpoint(r, spec, legacy);
  const sourceAddress = optionalIp(r, spec.sourceAddress, 'spec.sourceAddress', 'source address');
  // MetalLB accepts it and FRR loads it (update-source takes either family), but the session
  // cannot be opened from an address of the other family: a warning, not an error.
  if (sourceAddress && address && sourceAddress.family !== address.family) {
    r.warn(
      'spec.sourceAddress',
      `${q(sourceAddress.text)} is ${label(sourceAddress.family)} but spec.peerAddress ${q(address.text)} is ${label(address.family)}: FRR takes it, but cannot open the session from it, so the session stays down; use a source address of the same family`,
    );
  }
  const port = spec.peerPort === undefined || spec.peerPort === null ? DEFAULT_BGP_PORT : r.integer(spec.peerPort, 'spec.peerPort', 1, 16384);
  const timers = decodeTimers(r, spec);
  const connectTimeSeconds = decodeConnectTime(r, spec.connectTime);

  const routerIDWritten = nonEmpty(r.string(spec.routerID, 'spec.routerID'));
  const routerIDText = routerIDWritten === undefined ? undefined : unmapped(r, 'spec.routerID', routerIDWritten);
  let routerID: string | undefined;
  if (routerIDText !== undefined) {
    const ip = parseIp(routerIDText);
    if (!ip.ok || ip.value.family !== 'ipv4') {
      r.error('spec.routerID', `${q(routerIDText)} is not a valid router ID: FRR's router-id is an IPv4 address (dotted quad), e.g. "10.10.10.10"`);
    } else routerID = ip.value.text;
  }

  const nodeSelectors = decodeSelectorList(r, spec.nodeSelectors, 'spec.nodeSelectors');
  const password = decodePassword(r, spec, opts);
  const bfdProfile = nonEmpty(r.string(spec.bfdProfile, 'spec.bfdProfile'));
  const bfdProblem = bfdProfile === undefined ? undefined : checkBfdProfileName(bfdProfile);
  if (bfdProblem) r.error('spec.bfdProfile', bfdProblem);

  const ebgpMultiHop = r.boolean(spec.ebgpMultiHop, 'spec.ebgpMultiHop') ?? false;
  // MetalLB rejects it only for a numeric peerASN equal to myASN (config.go `peerFromCR`); with
  // dynamicASN internal it accepts it, and FRR ignores ebgp-multihop on an iBGP session.
  if (ebgpMultiHop && peerASN?.kind === 'internal') {
    r.warn('spec.ebgpMultiHop', 'has no effect with dynamicASN internal: the session is iBGP, where FRR ignores ebgp-multihop (and does not show it), so no ebgp-multihop line is written; remove it');
  } else if (ebgpMultiHop && ibgp) {
    r.error('spec.ebgpMultiHop', `cannot be used with an iBGP peer (${ibgpWhy}): remove it; ebgpMultiHop only applies to eBGP sessions`);
  }
  let vrf = nonEmpty(r.string(spec.vrf, 'spec.vrf'));
  if (vrf === 'default') vrf = undefined;
  const vrfProblem = vrf === undefined ? undefined : checkVrfName(vrf);
  if (vrfProblem) r.error('spec.vrf', vrfProblem);
  if (r.boolean(spec.disableMP, 'spec.disableMP') !== undefined) {
    r.warn('spec.disableMP', 'is deprecated and has no effect in FRR mode: remove it (use dualStackAddressFamily to advertise both families)');
  }
  const enableGracefulRestart = r.boolean(spec.enableGracefulRestart, 'spec.enableGracefulRestart') ?? false;
  const dualStackAddressFamily = r.boolean(spec.dualStackAddressFamily, 'spec.dualStackAddressFamily') ?? false;

  if (problems.errorCount !== before || myASN === undefined || peerASN === undefined || port === undefined) return undefined;
  return {
    ref,
    apiVersion: obj.apiVersion,
    myASN,
    peerASN,
    localASN,
    address: address?.text,
    addressFamily: address?.family,
    interface: iface,
    sourceAddress: sourceAddress?.text,
    port,
    timers,
    connectTimeSeconds,
    routerID,
    nodeSelectors,
    password,
    bfdProfile,
    enableGracefulRestart,
    ebgpMultiHop,
    vrf,
    dualStackAddressFamily,
  };
}

function decodePeerAsn(r: FieldReader, spec: RawMap, legacy: boolean): PeerAsn | undefined {
  const asn = r.integer(spec.peerASN, 'spec.peerASN', 0, MAX_ASN);
  const dynamic = nonEmpty(r.string(spec.dynamicASN, 'spec.dynamicASN'));
  if (dynamic !== undefined && dynamic !== 'internal' && dynamic !== 'external') {
    r.error('spec.dynamicASN', `${q(dynamic)} is not valid: use "internal" or "external"`);
    return undefined;
  }
  const hasAsn = asn !== undefined && asn !== 0;
  if (hasAsn && dynamic !== undefined) {
    r.error('spec.dynamicASN', 'cannot be set together with spec.peerASN: remove one (peerASN for a fixed AS, dynamicASN to accept any internal or external AS)');
    return undefined;
  }
  if (hasAsn) return { kind: 'number', asn };
  if (dynamic !== undefined) return { kind: dynamic };
  if (spec.peerASN === undefined || spec.peerASN === null || asn === 0) {
    r.error(
      'spec.peerASN',
      `${asn === 0 ? '0 is not a valid AS number' : 'is missing'}: set the peer's AS number (1-${MAX_ASN})${legacy ? '' : ', or spec.dynamicASN to "internal" or "external"'}`,
    );
  }
  return undefined;
}

function decodeEndpoint(r: FieldReader, spec: RawMap, legacy: boolean): { address?: ParsedIp; iface?: string } {
  const address = optionalIp(r, spec.peerAddress, 'spec.peerAddress', 'peer address');
  const iface = nonEmpty(r.string(spec.interface, 'spec.interface'));
  const ifaceProblem = iface === undefined ? undefined : checkInterfaceName(iface);
  if (ifaceProblem) r.error('spec.interface', ifaceProblem);
  const addressSet = nonEmpty(typeof spec.peerAddress === 'string' ? spec.peerAddress : undefined) !== undefined;
  if (addressSet && iface !== undefined) {
    r.error('spec.interface', 'cannot be set together with spec.peerAddress: use peerAddress for a numbered session or interface for an unnumbered one, not both');
  } else if (!addressSet && iface === undefined && (spec.peerAddress === undefined || spec.peerAddress === null || spec.peerAddress === '')) {
    r.error('spec.peerAddress', `is missing: set the peer's IP address${legacy ? '' : ', or spec.interface for unnumbered peering'}`);
  }
  return { address, iface };
}

function optionalIp(r: FieldReader, v: unknown, field: string, what: string): ParsedIp | undefined {
  const written = nonEmpty(r.string(v, field));
  if (written === undefined) return undefined;
  const text = unmapped(r, field, written);
  const ip = parseIp(text);
  if (!ip.ok) {
    r.error(field, ip.error.replace('is not a valid IP address', `is not a valid ${what}`));
    return undefined;
  }
  return ip.value;
}

/** An IPv4-mapped IPv6 address is its IPv4 address, as Go (and MetalLB) reads it; with a warning. */
function unmapped(r: FieldReader, field: string, text: string): string {
  const v4 = ipv4InMapped(text);
  if (v4 === undefined) return text;
  r.warn(field, `${q(text)} is an IPv4-mapped address: MetalLB reads it as the IPv4 address ${q(v4)}, and so does this renderer; write ${q(v4)}`);
  return v4;
}

function label(family: 'ipv4' | 'ipv6'): string {
  return family === 'ipv4' ? 'IPv4' : 'IPv6';
}
