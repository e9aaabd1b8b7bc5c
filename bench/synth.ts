/**
 * Synthetic MetalLB objects for the benchmarks, built in memory (no files, no YAML parsing).
 *
 * Addresses:
 * - peers (live BGP sessions) use the documentation ranges: IPv4 peers 192.0.2.0/24 in the default
 *   VRF, 198.51.100.0/24 / 203.0.113.0/24 in the others;
 * - IPv4 service IPs (only ever announced, never routed or contacted) come from 198.18.0.0/15, the
 *   range RFC 2544 reserves for benchmarking; IPv6 service IPs from 2001:db8:5e::/48.
 *
 * Shape: P peers in each of V VRFs (the default VRF plus `benchvrf1`, ...). Services are split
 * over three pools:
 * - `plain`   (half of them): announced to every peer, no attributes;
 * - `tagged`  (a quarter): every peer, communities 65535:65282 (no-advertise) + 64500:100 and local-pref 150;
 * - `large`   (a quarter): only the first half of each VRF's peers, large community 64500:1:2.
 * With `v6Every` > 0, every v6Every-th service is IPv6 (peers then get dualStackAddressFamily).
 */
import type { RawObject } from '../src/api/decode.js';

export interface SynthOptions {
  readonly services: number;
  /** Peers in each VRF. */
  readonly peers: number;
  /** VRFs in total, counting the default one. */
  readonly vrfs: number;
  /** Every n-th service is IPv6 (0: none). */
  readonly v6Every?: number;
  /** Peer addresses per VRF (defaults: 192.0.2.(10+i), 198.51.100.(10+i), 203.0.113.(10+i)). */
  readonly peerAddress?: (vrfIndex: number, peerIndex: number) => string;
  readonly myAsn?: number;
  readonly peerAsn?: number;
  /** BGP timers on every peer, e.g. {keepalive: '1s', hold: '3s'}. */
  readonly timers?: { readonly keepalive: string; readonly hold: string };
  /** `connectTime` on every peer, e.g. '1s'. */
  readonly connectTime?: string;
  /** Attribute mix: 'mixed' (three pools as described above) or 'plain' (one pool, no attributes). */
  readonly mix?: 'mixed' | 'plain';
}

export const NODE = 'bench-node';
export const NS = 'metallb-system';
export const MY_ASN = 64500;
export const PEER_ASN = 64501;

const VRF_NETS = ['192.0.2.', '198.51.100.', '203.0.113.'];

export function vrfName(index: number): string | undefined {
  return index === 0 ? undefined : `benchvrf${index}`;
}

export function defaultPeerAddress(vrfIndex: number, peerIndex: number): string {
  return `${VRF_NETS[vrfIndex % VRF_NETS.length]}${10 + peerIndex}`;
}

/** The i-th IPv4 service address: 198.18.0.0/15 holds 131,072 addresses. */
export function serviceV4(i: number): string {
  if (i >= 131_072) throw new RangeError('198.18.0.0/15 holds 131072 addresses');
  return `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

type Pool = 'plain' | 'tagged' | 'large';

const BLOCK = 32_768;
const BLOCK_OF: Record<Pool, number> = { plain: 0, tagged: 1, large: 2 };

/** Which pool service i belongs to, and its index inside the pool's block of addresses. */
function placement(i: number, mix: 'mixed' | 'plain'): { pool: Pool; k: number } {
  if (mix === 'plain') return { pool: 'plain', k: i };
  const r = i & 3;
  if (r < 2) return { pool: 'plain', k: (i >> 2) * 2 + r };
  return { pool: r === 2 ? 'tagged' : 'large', k: i >> 2 };
}

/** The address service i is given (its pool owns a contiguous block, so pools never overlap). */
export function serviceAddress(i: number, opts: Pick<SynthOptions, 'v6Every' | 'mix'>): string {
  const { pool, k } = placement(i, opts.mix ?? 'mixed');
  const v6 = (opts.v6Every ?? 0) > 0 && i % (opts.v6Every ?? 1) === 0;
  if (v6) return `2001:db8:5e:${BLOCK_OF[pool]}::${k.toString(16)}`;
  return serviceV4(BLOCK_OF[pool] * BLOCK + k);
}

/** A LoadBalancer Service with its status IP. */
export function serviceObject(i: number, opts: Pick<SynthOptions, 'v6Every' | 'mix'>): RawObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}`, namespace: `apps-${i % 50}` },
    spec: { type: 'LoadBalancer', selector: { app: `svc-${i}` }, ports: [{ port: 80, protocol: 'TCP' }] },
    status: { loadBalancer: { ingress: [{ ip: serviceAddress(i, opts) }] } },
    source: 'bench',
  };
}

export function peerObjects(opts: SynthOptions): RawObject[] {
  const out: RawObject[] = [];
  const addr = opts.peerAddress ?? defaultPeerAddress;
  for (let v = 0; v < opts.vrfs; v++) {
    for (let p = 0; p < opts.peers; p++) {
      const spec: Record<string, unknown> = {
        peerAddress: addr(v, p),
        peerASN: opts.peerAsn ?? PEER_ASN,
        myASN: opts.myAsn ?? MY_ASN,
      };
      const vrf = vrfName(v);
      if (vrf !== undefined) spec.vrf = vrf;
      if ((opts.v6Every ?? 0) > 0) spec.dualStackAddressFamily = true;
      if (opts.connectTime !== undefined) spec.connectTime = opts.connectTime;
      if (opts.timers) {
        spec.keepaliveTime = opts.timers.keepalive;
        spec.holdTime = opts.timers.hold;
      }
      out.push({
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: { name: peerName(v, p), namespace: NS },
        spec,
        source: 'bench',
      });
    }
  }
  return out;
}

export function peerName(v: number, p: number): string {
  return `peer-v${v}-p${p}`;
}

export function poolAndAdvertisementObjects(opts: SynthOptions): RawObject[] {
  const mix = opts.mix ?? 'mixed';
  const pools: Pool[] = mix === 'plain' ? ['plain'] : ['plain', 'tagged', 'large'];
  const out: RawObject[] = [];
  for (const pool of pools) {
    out.push({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: pool, namespace: NS },
      spec: { addresses: poolRanges(pool, opts), autoAssign: false },
      source: 'bench',
    });
  }
  const allPeers: string[] = [];
  const halfPeers: string[] = [];
  for (let v = 0; v < opts.vrfs; v++) {
    for (let p = 0; p < opts.peers; p++) {
      allPeers.push(peerName(v, p));
      if (p < Math.max(1, Math.floor(opts.peers / 2))) halfPeers.push(peerName(v, p));
    }
  }
  out.push(adv('plain', { ipAddressPools: ['plain'] }));
  if (mix === 'mixed') {
    out.push(adv('tagged', { ipAddressPools: ['tagged'], communities: ['65535:65282', '64500:100'], localPref: 150 }));
    out.push(adv('large', { ipAddressPools: ['large'], peers: halfPeers, communities: ['large:64500:1:2'] }));
  }
  return out;
}

function adv(name: string, spec: Record<string, unknown>): RawObject {
  return { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name, namespace: NS }, spec, source: 'bench' };
}

function poolRanges(pool: Pool, opts: SynthOptions): string[] {
  const b = BLOCK_OF[pool];
  const size = opts.mix === 'plain' ? 131_072 : BLOCK;
  return [`${serviceV4(b * BLOCK)}-${serviceV4(b * BLOCK + size - 1)}`, `2001:db8:5e:${b}::-2001:db8:5e:${b}::ffff:ffff`];
}

export function nodeObject(): RawObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: NODE, labels: { 'kubernetes.io/hostname': NODE } },
    source: 'bench',
  };
}

/** Every object of a synthetic cluster; `serviceIndexes` picks the services (default 0..services-1). */
export function synthObjects(opts: SynthOptions, serviceIndexes?: readonly number[]): RawObject[] {
  const out = [nodeObject(), ...peerObjects(opts), ...poolAndAdvertisementObjects(opts)];
  if (serviceIndexes) for (const i of serviceIndexes) out.push(serviceObject(i, opts));
  else for (let i = 0; i < opts.services; i++) out.push(serviceObject(i, opts));
  return out;
}
