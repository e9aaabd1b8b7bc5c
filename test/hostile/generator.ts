/**
 * Hostile inputs (issue 15): a valid base cluster, then one attack at a time on every field of
 * every kind (values and map keys), on every command-line argument, and on whole files.
 *
 * Attack values carry the marker INJECTED (or the address 6.6.6.6, which no base object uses), so
 * the properties can tell whether any of them reached frr.conf or forged a line.
 */

export const NS = 'metallb-system';
export const NODE = 'worker-0';

export interface Attack {
  readonly cls: string;
  readonly value: unknown;
}

/** Every attack class of the issue, applied to every field whatever its type. */
export const ATTACKS: readonly Attack[] = [
  { cls: 'newline', value: 'a\nneighbor 6.6.6.6 remote-as 1 INJECTED' },
  { cls: 'newline-indented', value: 'a\n bgp router-id 6.6.6.6' },
  { cls: 'cr', value: 'a\rINJECTED' },
  { cls: 'forged-line', value: 'web\nerror: BGPPeer metallb-system/peer1: spec.myASN: FORGED' },
  { cls: 'bang', value: 'a!INJECTED' },
  { cls: 'hash', value: 'a#INJECTED' },
  { cls: 'space', value: 'a b INJECTED' },
  { cls: 'nul', value: 'a\u0000INJECTED' },
  { cls: 'esc', value: '\u001b[2K\u001b[1AINJECTED' },
  { cls: 'bel', value: '\u0007INJECTED' },
  { cls: 'c1-nel', value: 'a\u0085INJECTED' },
  { cls: 'c1-csi', value: 'a\u009bINJECTED' },
  { cls: 'line-separator', value: 'a\u2028INJECTED' },
  { cls: 'bidi', value: 'a\u202eINJECTED' },
  { cls: 'homoglyph', value: 'metаllb-system' }, // Cyrillic а
  { cls: 'homoglyph-digits', value: '１０.０.０.１' },
  { cls: 'proto', value: '__proto__' },
  { cls: 'proto', value: 'constructor' },
  { cls: 'proto-duration', value: '1constructor' },
  { cls: 'proto-duration', value: '5valueOf' },
  { cls: 'long-100k', value: 'a'.repeat(100_000) },
  { cls: 'huge-number', value: 1e308 },
  { cls: 'negative', value: -1 },
  { cls: 'float', value: 1.5 },
  { cls: 'uint32+1', value: 4294967296 },
  { cls: 'string-number', value: '64500' },
  { cls: 'zero', value: 0 },
  { cls: 'null', value: null },
  { cls: 'bool', value: true },
  { cls: 'empty-string', value: '' },
  { cls: 'list', value: ['x', 'INJECTED\nx'] },
  { cls: 'map', value: { 'a\nINJECTED': 'b', __proto__x: 1 } },
  { cls: 'bad-duration', value: '0.5s' },
  { cls: 'bad-duration', value: '999ms' },
  { cls: 'bad-duration', value: '9999999999999h' },
  { cls: 'bad-ip', value: '10.0.0.256' },
  { cls: 'bad-ip', value: '::ffff:1.2.3.4' },
  { cls: 'bad-ip', value: 'fe80::1%eth0' },
  { cls: 'bad-cidr', value: '10.0.0.0/33' },
  { cls: 'bad-range', value: '10.0.0.9-10.0.0.1' },
  { cls: 'bad-community', value: '65536:1' },
  { cls: 'bad-community', value: 'large:1:2' },
];

/** Attacks on map keys (labels, selectors, Secret data, unknown fields). */
export const KEY_ATTACKS: readonly Attack[] = ATTACKS.filter((a) => typeof a.value === 'string' && a.value !== '');

type Path = readonly (string | number)[];

export interface FieldTarget {
  readonly kind: string;
  /** Index of the document in the base cluster. */
  readonly doc: number;
  readonly path: Path;
  /** The attack replaces the key at `path` (its last element) instead of the value. */
  readonly key?: boolean;
}

/** A valid cluster using every kind: one node, one peer with a Secret and BFD, one pool, one advertisement, one service. */
export function baseCluster(): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'peer1', namespace: NS },
      spec: {
        myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', sourceAddress: '192.0.2.10', peerPort: 179,
        holdTime: '90s', keepaliveTime: '30s', connectTime: '10s', routerID: '192.0.2.10', bfdProfile: 'bfd1',
        passwordSecret: { name: 'bgp', namespace: NS }, enableGracefulRestart: true, ebgpMultiHop: true, vrf: '',
        dualStackAddressFamily: false,
        nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': NODE }, matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
      },
    },
    {
      apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'pool1', namespace: NS, labels: { tier: 'web' } },
      spec: { addresses: ['198.51.100.0/24', '203.0.113.10-203.0.113.20'], autoAssign: true, avoidBuggyIPs: false },
    },
    {
      apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'adv1', namespace: NS },
      spec: {
        aggregationLength: 32, aggregationLengthV6: 128, localPref: 100, communities: ['64500:100', 'no-adv'],
        ipAddressPools: ['pool1'], ipAddressPoolSelectors: [{ matchLabels: { tier: 'web' } }], peers: ['peer1'],
        nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': NODE } }],
      },
    },
    {
      apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name: 'bfd1', namespace: NS },
      spec: { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3, echoInterval: 50, echoMode: false, passiveMode: false, minimumTtl: 254 },
    },
    {
      apiVersion: 'metallb.io/v1beta1', kind: 'Community', metadata: { name: 'communities', namespace: NS },
      spec: { communities: [{ name: 'no-adv', value: '65535:65282' }] },
    },
    {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bgp', namespace: NS }, type: 'kubernetes.io/basic-auth',
      stringData: { password: 'hunter2hunter2' },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster' },
      status: { loadBalancer: { ingress: [{ ip: '198.51.100.10' }] } },
    },
    {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
      endpoints: [{ addresses: ['10.1.0.5'], nodeName: NODE, conditions: { ready: true, serving: true } }],
    },
    {
      apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, labels: { 'kubernetes.io/hostname': NODE, zone: 'a' } },
      status: { conditions: [{ type: 'NetworkUnavailable', status: 'False' }] },
    },
  ];
}

/** Every leaf of every base object, plus the map keys users write (labels, selectors, Secret data). */
export function fieldTargets(): FieldTarget[] {
  const out: FieldTarget[] = [];
  baseCluster().forEach((obj, doc) => {
    const kind = obj['kind'] as string;
    const walk = (value: unknown, path: Path): void => {
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
      else if (value !== null && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          if (['labels', 'matchLabels', 'stringData'].includes(String(path.at(-1)))) out.push({ kind, doc, path: [...path, k], key: true });
          walk(v, [...path, k]);
        }
      } else out.push({ kind, doc, path });
    };
    walk(obj, []);
    // Whole sub-objects replaced too (a string where a map is expected: the stringData leak).
    for (const top of ['metadata', 'spec', 'status', 'stringData', 'data']) out.push({ kind, doc, path: [top] });
    out.push({ kind, doc, path: ['spec', 'unknownField'] }, { kind, doc, path: ['spec'], key: true });
  });
  return out;
}

/** The cluster with one attack applied; returns undefined when the attack cannot apply there. */
export function attacked(target: FieldTarget, attack: Attack): Record<string, unknown>[] | undefined {
  const docs = baseCluster();
  let parent: Record<string | number, unknown> = docs[target.doc]!;
  for (const step of target.path.slice(0, -1)) {
    const next = parent[step];
    if (next === null || typeof next !== 'object') return undefined;
    parent = next as Record<string | number, unknown>;
  }
  const last = target.path.at(-1)!;
  if (target.key) {
    if (typeof attack.value !== 'string' || Array.isArray(parent)) return undefined;
    const value = parent[last];
    delete parent[last];
    Object.defineProperty(parent, attack.value, { value, enumerable: true, configurable: true, writable: true });
  } else parent[last] = attack.value;
  return docs;
}

export function targetName(t: FieldTarget): string {
  return `${t.kind}.${t.path.join('.')}${t.key ? ' (key)' : ''}`;
}

/** YAML documents (JSON is YAML) of a cluster. */
export function manifest(docs: readonly unknown[]): string {
  return docs.map((d) => `---\n${JSON.stringify(d)}\n`).join('');
}

/** Billion laughs: ten levels of ten aliases each. */
export function aliasBomb(): string {
  const lines = ['apiVersion: v1', 'kind: Node', 'metadata: {name: bomb}', 'spec:', '  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 10; i++) lines.push(`  a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}
