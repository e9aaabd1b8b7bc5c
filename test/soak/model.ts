/**
 * What the soak feeds the sidecar, and what the router must then receive.
 *
 * The soak keeps its own model of the cluster (one speaker node, one BGPPeer towards the router,
 * two pools, up to three advertisements, Community aliases, BFD profiles, services) and derives
 * the router's expected routes from it with MetalLB's rules, independently of the renderer: a
 * service is announced when its IP lies in a pool that an advertisement reaching the router
 * selects, with the union of those advertisements' communities. The subset of MetalLB generated
 * here is small on purpose, so that this derivation stays obviously right.
 *
 * Changes are either valid (applied to the model) or a *breakage*: one invalid field or a
 * half-written file laid over the model until a later change removes it. While a breakage is in
 * place the desired state is the one of the last valid input.
 */
import type { Random } from './random.js';

export type Json = Record<string, unknown>;

export const NS = 'metallb-system';
export const NODE = 'worker-0';
export const SERVICE_NS = 'shop';
/** Documentation addresses only (RFC 5737). */
export const SPEAKER_ADDRESS = '192.0.2.10';
export const ROUTER_ADDRESS = '192.0.2.1';
/** A second BGPPeer nobody answers for: adding or removing it changes the config, not the router's routes. */
export const GHOST_ADDRESS = '192.0.2.3';
export const SPEAKER_ASN = 64500;
export const ROUTER_ASN = 64501;

interface PoolSpec {
  readonly cidr: string;
  /** Host part range of 198.51.100.x the soak draws service IPs from. */
  readonly first: number;
  readonly last: number;
}
export const POOLS: ReadonlyMap<string, PoolSpec> = new Map([
  ['pool-a', { cidr: '198.51.100.0/25', first: 1, last: 126 }],
  ['pool-b', { cidr: '198.51.100.128/25', first: 129, last: 254 }],
]);
/** Services with an IP here are in no pool: never announced (MetalLB's ipNotAllowed). */
const OUTSIDE_PREFIX = '203.0.113.';

const TIMERS = [
  { holdTime: '9s', keepaliveTime: '3s' },
  { holdTime: '12s', keepaliveTime: '4s' },
  { holdTime: '15s', keepaliveTime: '5s' },
] as const;
const MAX_ADVERTISEMENTS = 3;
const MAX_SERVICES = 12;

export interface PeerModel {
  timers: number;
  connectTime: '1s' | '2s';
  password: string;
  /** Inline `spec.password`, or `spec.passwordSecret` with a Secret. */
  passwordFrom: 'inline' | 'secret';
  bfdProfile: 'fast' | 'slow' | undefined;
}
export interface BfdModel {
  receiveInterval: number;
  transmitInterval: number;
  detectMultiplier: number;
}
export interface AdvertisementModel {
  /** Empty: every pool (MetalLB's default). */
  pools: string[];
  communities: string[];
  /** `peers: [ghost]`: reaches no session of the router. */
  ghostOnly: boolean;
}
export interface ServiceModel {
  ip: string;
  /** Its EndpointSlice's endpoint is ready (Kubernetes phase; the folder has no EndpointSlices). */
  ready: boolean;
}

export interface ClusterModel {
  peer: PeerModel;
  ghost: boolean;
  bfd: Map<string, BfdModel>;
  aliases: Map<string, string>;
  advertisements: Map<string, AdvertisementModel>;
  services: Map<string, ServiceModel>;
}

/** One invalid input laid over the model (see `Breakage` kinds in `breakages`). */
export interface Breakage {
  readonly kind: string;
  /** Passwords it writes (the leak scanner looks for them too). */
  readonly secrets: readonly string[];
  /** Changes the manifests; a half-written file is done by the writer (`halfWritten`). */
  readonly edit: (objects: Json[]) => void;
  /** Folder only: this file is written cut in the middle (an editor or `cp` caught mid-write). */
  readonly halfWritten?: string;
}

/** The session-relevant part of the model: a change here may reset the BGP session. */
export function sessionKey(m: ClusterModel): string {
  const profile = m.peer.bfdProfile === undefined ? undefined : m.bfd.get(m.peer.bfdProfile);
  return JSON.stringify([m.peer, m.ghost, profile]);
}

/** How the router must be configured for the session to the speaker to come up with `m`. */
export interface RouterSide {
  readonly password: string;
  readonly bfd: boolean;
}
export function routerSide(m: ClusterModel): RouterSide {
  return { password: m.peer.password, bfd: m.peer.bfdProfile !== undefined };
}

export function initialModel(random: Random): ClusterModel {
  return {
    peer: { timers: 0, connectTime: '1s', password: newPassword(random), passwordFrom: 'secret', bfdProfile: 'fast' },
    ghost: false,
    bfd: new Map([
      ['fast', { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 }],
      ['slow', { receiveInterval: 1000, transmitInterval: 1000, detectMultiplier: 5 }],
    ]),
    aliases: new Map([
      ['gold', '64500:100'],
      ['silver', 'large:64500:2:2'],
    ]),
    advertisements: new Map([['adv-1', { pools: [], communities: ['64500:1'], ghostOnly: false }]]),
    services: new Map([
      ['svc-1', { ip: '198.51.100.10', ready: true }],
      ['svc-2', { ip: '198.51.100.140', ready: true }],
    ]),
  };
}

export function cloneModel(m: ClusterModel): ClusterModel {
  return structuredClone(m);
}

/** Passwords the soak can find in any text without false hits: a marker and 12 random characters. */
export function newPassword(random: Random): string {
  return `soakpw${random.word(12)}`;
}

// ---------------------------------------------------------------- expected routes

/** What the router must hold for one prefix. */
export interface ExpectedPrefix {
  readonly prefix: string;
  /** Numeric standard communities, sorted as the harness sorts them. */
  readonly communities: readonly string[];
  /** `A:B:C`, sorted. */
  readonly largeCommunities: readonly string[];
}

function poolOf(ip: string): string | undefined {
  if (!ip.startsWith('198.51.100.')) return undefined;
  const host = Number(ip.slice('198.51.100.'.length));
  for (const [name, p] of POOLS) if (host >= p.first && host <= p.last) return name;
  return undefined;
}

function resolve(community: string, aliases: ReadonlyMap<string, string>): string {
  return aliases.get(community) ?? community;
}

function numericSort(list: Iterable<string>): string[] {
  const key = (c: string): number[] => c.split(':').map(Number);
  return [...new Set(list)].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
      const d = (ka[i] ?? 0) - (kb[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
}

/**
 * The router's table for `m`: MetalLB's rules on the subset the soak generates. `endpoints`:
 * whether EndpointSlices exist (Kubernetes phase); without any, every service counts as served.
 */
export function expectedRoutes(m: ClusterModel, endpoints: boolean): ExpectedPrefix[] {
  const out: ExpectedPrefix[] = [];
  for (const svc of m.services.values()) {
    if (endpoints && !svc.ready) continue;
    const pool = poolOf(svc.ip);
    if (pool === undefined) continue;
    const ads = [...m.advertisements.values()].filter((a) => !a.ghostOnly && (a.pools.length === 0 || a.pools.includes(pool)));
    if (ads.length === 0) continue;
    const values = ads.flatMap((a) => a.communities.map((c) => resolve(c, m.aliases)));
    out.push({
      prefix: `${svc.ip}/32`,
      communities: numericSort(values.filter((v) => !v.startsWith('large:'))),
      largeCommunities: numericSort(values.filter((v) => v.startsWith('large:')).map((v) => v.slice('large:'.length))),
    });
  }
  return out.sort((a, b) => a.prefix.localeCompare(b.prefix, 'en', { numeric: true }));
}

// ---------------------------------------------------------------- manifests

/** A manifest object with the file it lives in (folder phase) and its identity (Kubernetes phase). */
export interface Manifest {
  readonly file: string;
  readonly object: Json;
}

const meta = (name: string, namespace = NS): Json => ({ name, namespace });

/** The marker service of input number `seq` (see `manifests`). */
export function markerName(seq: number): string {
  return `input-${seq}`;
}

/**
 * The objects for `m`, each with the file it is written to in the folder phase. `marker`: a
 * ClusterIP Service named after the input's number, which the sidecar lists in `/intent` (never
 * announced, no line of config): the soak knows from it which input the sidecar last rendered.
 */
export function manifests(m: ClusterModel, endpoints: boolean, marker?: number): Manifest[] {
  const out: Manifest[] = [];
  if (marker !== undefined) {
    out.push({
      file: 'marker.yaml',
      object: { apiVersion: 'v1', kind: 'Service', metadata: meta(markerName(marker), SERVICE_NS), spec: { type: 'ClusterIP', clusterIP: '10.96.0.10' } },
    });
  }
  const timers = TIMERS[m.peer.timers] ?? TIMERS[0];
  const peerSpec: Json = {
    myASN: SPEAKER_ASN,
    peerASN: ROUTER_ASN,
    peerAddress: ROUTER_ADDRESS,
    holdTime: timers.holdTime,
    keepaliveTime: timers.keepaliveTime,
    connectTime: m.peer.connectTime,
    ...(m.peer.passwordFrom === 'inline' ? { password: m.peer.password } : { passwordSecret: { name: 'bgp', namespace: NS } }),
    ...(m.peer.bfdProfile === undefined ? {} : { bfdProfile: m.peer.bfdProfile }),
  };
  out.push({ file: 'peer.yaml', object: { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: meta('router'), spec: peerSpec } });
  if (m.peer.passwordFrom === 'secret') {
    out.push({
      file: 'peer.yaml',
      object: { apiVersion: 'v1', kind: 'Secret', metadata: meta('bgp'), type: 'kubernetes.io/basic-auth', data: { password: Buffer.from(m.peer.password).toString('base64') } },
    });
  }
  if (m.ghost) {
    out.push({
      file: 'ghost.yaml',
      object: { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: meta('ghost'), spec: { myASN: SPEAKER_ASN, peerASN: ROUTER_ASN, peerAddress: GHOST_ADDRESS } },
    });
  }
  for (const [name, p] of m.bfd) {
    out.push({ file: 'bfd.yaml', object: { apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: meta(name), spec: { ...p } } });
  }
  for (const [name, p] of POOLS) {
    out.push({ file: 'pools.yaml', object: { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: meta(name), spec: { addresses: [p.cidr] } } });
  }
  out.push({
    file: 'communities.yaml',
    object: {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'Community',
      metadata: meta('aliases'),
      spec: { communities: [...m.aliases].map(([name, value]) => ({ name, value })) },
    },
  });
  for (const [name, a] of m.advertisements) {
    const spec: Json = {
      ...(a.pools.length === 0 ? {} : { ipAddressPools: [...a.pools] }),
      ...(a.ghostOnly ? { peers: ['ghost'] } : {}),
      communities: [...a.communities],
    };
    out.push({ file: `${name}.yaml`, object: { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: meta(name), spec } });
  }
  for (const [name, s] of m.services) {
    out.push({
      file: 'services.yaml',
      object: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta(name, SERVICE_NS),
        spec: { type: 'LoadBalancer' },
        status: { loadBalancer: { ingress: [{ ip: s.ip }] } },
      },
    });
    if (endpoints) {
      out.push({
        file: 'services.yaml',
        object: {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: `${name}-1`, namespace: SERVICE_NS, labels: { 'kubernetes.io/service-name': name } },
          addressType: 'IPv4',
          endpoints: [{ addresses: ['203.0.113.200'], conditions: { ready: s.ready }, nodeName: NODE }],
        },
      });
    }
  }
  return out;
}

/** `Kind namespace/name`: an object's identity in the API server. */
export function objectKey(o: Json): string {
  const md = (o.metadata ?? {}) as Json;
  return `${String(o.apiVersion)} ${String(o.kind)} ${String(md.namespace ?? '')}/${String(md.name)}`;
}

function find(objects: Json[], kind: string, name: string): Json {
  const o = objects.find((x) => x.kind === kind && (x.metadata as Json).name === name);
  if (o === undefined) throw new Error(`soak model: no ${kind} ${name} to break`);
  return o;
}

function spec(o: Json): Json {
  return o.spec as Json;
}

// ---------------------------------------------------------------- changes

/** What one change did, for the log of the run and the report. */
export interface Change {
  readonly description: string;
  /** True when it makes the input invalid (a breakage laid over the model). */
  readonly invalid: boolean;
}

export type ChangeClass = 'advertisement' | 'session';

/**
 * Applies one random valid change of `cls` to `m`. Advertisement-class changes never touch what
 * the session depends on (peer, BFD), so the session must survive them.
 */
export function validChange(m: ClusterModel, cls: ChangeClass, random: Random, endpoints: boolean): string {
  const options = cls === 'advertisement' ? advertisementChanges(endpoints) : sessionChanges;
  for (;;) {
    const done = random.pick(options)(m, random);
    if (done !== undefined) return done;
  }
}

type Mutation = (m: ClusterModel, random: Random) => string | undefined;

function freeIp(m: ClusterModel, random: Random): string {
  const used = new Set([...m.services.values()].map((s) => s.ip));
  for (;;) {
    const ip = random.chance(0.1) ? `${OUTSIDE_PREFIX}${random.int(1, 254)}` : `198.51.100.${random.int(1, 254)}`;
    // .0, .127, .128 and .255 are kept out: network and broadcast of the /25 pools.
    if (!used.has(ip) && !/\.(0|127|128|255)$/.test(ip)) return ip;
  }
}

const COMMUNITY_CHOICES = ['64500:1', '64500:2', '64500:3', '65535:65281', 'large:64500:1:1', 'large:64500:1:2', 'gold', 'silver'];

function someCommunities(random: Random): string[] {
  return random.shuffle(COMMUNITY_CHOICES).slice(0, random.int(0, 3));
}

function advertisementChanges(endpoints: boolean): Mutation[] {
  const list: Mutation[] = [
    (m, r) => {
      if (m.services.size >= MAX_SERVICES) return undefined;
      let n = 1;
      while (m.services.has(`svc-${n}`)) n++;
      const ip = freeIp(m, r);
      m.services.set(`svc-${n}`, { ip, ready: true });
      return `add service svc-${n} ${ip}`;
    },
    (m, r) => {
      if (m.services.size === 0) return undefined;
      const name = r.pick([...m.services.keys()]);
      m.services.delete(name);
      return `remove service ${name}`;
    },
    (m, r) => {
      if (m.services.size === 0) return undefined;
      const name = r.pick([...m.services.keys()]);
      const s = m.services.get(name)!;
      s.ip = freeIp(m, r);
      return `move service ${name} to ${s.ip}`;
    },
    (m, r) => {
      if (m.advertisements.size >= MAX_ADVERTISEMENTS) return undefined;
      let n = 1;
      while (m.advertisements.has(`adv-${n}`)) n++;
      m.advertisements.set(`adv-${n}`, { pools: r.chance(0.5) ? [] : [r.pick([...POOLS.keys()])], communities: someCommunities(r), ghostOnly: r.chance(0.15) });
      return `add advertisement adv-${n}`;
    },
    (m, r) => {
      if (m.advertisements.size === 0) return undefined;
      const name = r.pick([...m.advertisements.keys()]);
      m.advertisements.delete(name);
      return `remove advertisement ${name}`;
    },
    (m, r) => {
      if (m.advertisements.size === 0) return undefined;
      const name = r.pick([...m.advertisements.keys()]);
      const a = m.advertisements.get(name)!;
      a.communities = someCommunities(r);
      return `advertisement ${name} communities [${a.communities.join(' ')}]`;
    },
    (m, r) => {
      if (m.advertisements.size === 0) return undefined;
      const name = r.pick([...m.advertisements.keys()]);
      const a = m.advertisements.get(name)!;
      a.pools = r.chance(0.4) ? [] : r.chance(0.5) ? [r.pick([...POOLS.keys()])] : [...POOLS.keys()];
      return `advertisement ${name} pools [${a.pools.join(' ') || 'all'}]`;
    },
    (m, r) => {
      if (m.advertisements.size === 0) return undefined;
      const name = r.pick([...m.advertisements.keys()]);
      const a = m.advertisements.get(name)!;
      a.ghostOnly = !a.ghostOnly;
      return `advertisement ${name} ${a.ghostOnly ? 'to peer ghost only' : 'to every peer'}`;
    },
    (m, r) => {
      const alias = r.pick(['gold', 'silver']);
      const value = alias === 'gold' ? `64500:${r.int(100, 199)}` : `large:64500:2:${r.int(1, 99)}`;
      m.aliases.set(alias, value);
      return `Community alias ${alias} = ${value}`;
    },
  ];
  if (endpoints) {
    list.push((m, r) => {
      if (m.services.size === 0) return undefined;
      const name = r.pick([...m.services.keys()]);
      const s = m.services.get(name)!;
      s.ready = !s.ready;
      return `service ${name} endpoint ${s.ready ? 'ready' : 'not ready'}`;
    });
  }
  return list;
}

const sessionChanges: Mutation[] = [
  (m, r) => {
    m.peer.timers = (m.peer.timers + r.int(1, TIMERS.length - 1)) % TIMERS.length;
    return `peer timers ${TIMERS[m.peer.timers]?.holdTime}/${TIMERS[m.peer.timers]?.keepaliveTime}`;
  },
  (m) => {
    m.peer.connectTime = m.peer.connectTime === '1s' ? '2s' : '1s';
    return `peer connectTime ${m.peer.connectTime}`;
  },
  (m, r) => {
    m.peer.password = newPassword(r);
    return 'peer password rotated (router follows)';
  },
  (m) => {
    m.peer.passwordFrom = m.peer.passwordFrom === 'inline' ? 'secret' : 'inline';
    return `peer password from ${m.peer.passwordFrom === 'inline' ? 'spec.password' : 'a Secret'}`;
  },
  (m, r) => {
    const next = r.pick(['fast', 'slow', undefined] as const);
    if (next === m.peer.bfdProfile) return undefined;
    m.peer.bfdProfile = next;
    return `peer bfdProfile ${next ?? 'none'} (router follows)`;
  },
  (m, r) => {
    const name = r.pick(['fast', 'slow']);
    const p = m.bfd.get(name)!;
    p.receiveInterval = r.pick([200, 300, 500, 1000]);
    p.transmitInterval = r.pick([200, 300, 500, 1000]);
    p.detectMultiplier = r.int(3, 6);
    return `BFDProfile ${name} ${p.receiveInterval}/${p.transmitInterval}x${p.detectMultiplier}`;
  },
  (m) => {
    m.ghost = !m.ghost;
    return `${m.ghost ? 'add' : 'remove'} BGPPeer ghost`;
  },
];

/** One random invalid input. `folder`: a half-written file is possible. */
export function breakage(random: Random, folder: boolean): Breakage {
  const kinds: (() => Breakage)[] = [
    () => ({ kind: 'peer holdTime "1constructor"', secrets: [], edit: (o) => void (spec(find(o, 'BGPPeer', 'router')).holdTime = '1constructor') }),
    () => ({ kind: 'peer myASN 4294967296', secrets: [], edit: (o) => void (spec(find(o, 'BGPPeer', 'router')).myASN = 4294967296) }),
    () => {
      // A password FRR would cut at the space: refused, and it must never be printed either.
      const bad = `soakpw ${random.word(10)}`;
      return {
        kind: 'peer password with a space',
        secrets: [bad],
        edit: (o) => {
          const peer = spec(find(o, 'BGPPeer', 'router'));
          delete peer.passwordSecret;
          peer.password = bad;
        },
      };
    },
    () => ({ kind: 'BFDProfile receiveInterval 5', secrets: [], edit: (o) => void (spec(find(o, 'BFDProfile', 'fast')).receiveInterval = 5) }),
    () => ({ kind: 'pool CIDR /33', secrets: [], edit: (o) => void (spec(find(o, 'IPAddressPool', 'pool-a')).addresses = ['198.51.100.0/33']) }),
    () => ({
      kind: 'community 64500:70000',
      secrets: [],
      edit: (o) => {
        const ad = o.find((x) => x.kind === 'BGPAdvertisement');
        if (ad) (spec(ad).communities as string[]).push('64500:70000');
        else o.push({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: meta('adv-broken'), spec: { communities: ['64500:70000'] } });
      },
    }),
    () => ({
      kind: 'unknown community alias',
      secrets: [],
      edit: (o) => {
        const ad = o.find((x) => x.kind === 'BGPAdvertisement');
        if (ad) (spec(ad).communities as string[]).push('platinum');
        else o.push({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: meta('adv-broken'), spec: { communities: ['platinum'] } });
      },
    }),
  ];
  if (folder) {
    kinds.push(() => ({ kind: 'half-written services.yaml', secrets: [], edit: () => undefined, halfWritten: 'services.yaml' }));
    kinds.push(() => ({ kind: 'half-written peer.yaml', secrets: [], edit: () => undefined, halfWritten: 'peer.yaml' }));
  }
  // Every object a breakage edits always exists: BGPPeer router, BFDProfile fast, pool-a.
  return random.pick(kinds)();
}
