import { checkPassword } from '../api/frr-strings.js';
import { anySelectorMatches } from '../api/label-selector.js';
import type { Peer, Secret } from '../api/model.js';
import { type Problems, q } from '../api/problems.js';
import type { NodeContext } from './node-context.js';

/** Kubernetes' built-in Secret types, safe to name in a message. */
const KNOWN_SECRET_TYPES: ReadonlySet<string> = new Set([
  'Opaque', 'kubernetes.io/service-account-token', 'kubernetes.io/dockercfg', 'kubernetes.io/dockerconfigjson',
  'kubernetes.io/basic-auth', 'kubernetes.io/ssh-auth', 'kubernetes.io/tls', 'bootstrap.kubernetes.io/token',
]);

/** The BGPPeers whose nodeSelectors select this node (no selectors: every node). */
export function peersOnNode(peers: readonly Peer[], node: NodeContext): Peer[] {
  return peers.filter((p) => anySelectorMatches(p.nodeSelectors, node.labels));
}

/** `address` or `interface`, plus `-<vrf>`: what FRR sees as one neighbor on this node. */
export function neighborId(peer: Peer): string {
  const base = peer.address ?? peer.interface ?? '';
  return peer.vrf ? `${base}-${peer.vrf}` : base;
}

/**
 * FRR-mode rules for the peers of one node (MetalLB checks them for peers that share a node; we
 * render one node, so every pair here shares it): one router ID, one local ASN per VRF, and no two
 * peers for the same neighbor. Each rule compares every peer with the first of its group (the
 * node, a VRF, a neighbor) instead of with every other peer: linear in the number of peers, and a
 * peer that breaks a rule gets one error naming the peer it disagrees with.
 */
export function checkPeersOfNode(peers: readonly Peer[], node: NodeContext, problems: Problems): void {
  const both = (a: Peer, b: Peer): string => `peers ${a.ref.name} and ${b.ref.name} both select node ${node.name}`;
  const first = peers[0];
  const firstOfNeighbor = new Map<string, Peer>();
  const firstOfVrf = new Map<string, Peer>();
  for (const b of peers) {
    if (first !== undefined && b !== first && b.routerID !== first.routerID) {
      problems.error(b.ref, 'spec.routerID',
        `${q(b.routerID ?? '')} differs from ${q(first.routerID ?? '')} of BGPPeer ${first.ref.name}: ${both(first, b)}, and FRR has one router ID per node; set the same routerID on both (or on neither)`, 'node');
    }
    const neighbor = firstOfNeighbor.get(neighborId(b));
    if (neighbor === undefined) firstOfNeighbor.set(neighborId(b), b);
    else {
      problems.error(b.ref, neighbor.address ? 'spec.peerAddress' : 'spec.interface',
        `same neighbor ${neighborId(b)} as BGPPeer ${neighbor.ref.name}: ${both(neighbor, b)}; FRR has one session per neighbor, so merge them or give them disjoint nodeSelectors`, 'node');
    }
    const vrfFirst = firstOfVrf.get(b.vrf ?? '');
    if (vrfFirst === undefined) firstOfVrf.set(b.vrf ?? '', b);
    else if (vrfFirst.myASN !== b.myASN) {
      problems.error(b.ref, 'spec.myASN',
        `${b.myASN} differs from ${vrfFirst.myASN} of BGPPeer ${vrfFirst.ref.name} in the same VRF (${vrfFirst.vrf ?? 'default'}): ${both(vrfFirst, b)}, and FRR runs one BGP instance per VRF; use the same myASN`, 'node');
    }
  }
}

/**
 * An unnumbered session has no IPv4 address of its own to derive a router ID from: FRR then uses
 * the node's highest IPv4 address, and on a node without one the router ID is 0.0.0.0, which the
 * peer refuses ("Bad BGP Identifier", seen in the conformance tests). Worth a warning, not an error.
 */
export function warnUnnumberedWithoutRouterId(peers: readonly Peer[], problems: Problems): void {
  for (const peer of peers) {
    if (peer.interface !== undefined && peer.routerID === undefined) {
      problems.warn(peer.ref, 'spec.routerID',
        'is not set on an unnumbered (interface) peer: FRR will use the highest IPv4 address of the node, and a node without one gets router ID 0.0.0.0, which peers refuse; set routerID to an IPv4 address of the node');
    }
  }
}

/**
 * The cleartext TCP-MD5 password of a peer, or null. A password that cannot be resolved is an
 * error: rendering the peer without it would silently leave the session down. An empty one is what
 * MetalLB runs as "no password", with a warning.
 */
export function resolvePassword(peer: Peer, secrets: readonly Secret[], problems: Problems): string | null {
  const source = peer.password;
  if (source.kind === 'none') return null;
  if (source.kind === 'inline') return source.value;
  const secret = secrets.find((s) => s.ref.name === source.secretName && s.ref.namespace === source.secretNamespace);
  const where = `Secret ${source.secretNamespace}/${source.secretName}`;
  if (!secret) {
    problems.error(peer.ref, 'spec.passwordSecret', `${where} not found; create it (type kubernetes.io/basic-auth, key "password")`, 'reference');
    return null;
  }
  if (secret.type !== 'kubernetes.io/basic-auth') {
    // The type is named only when it is one of Kubernetes' own: no value of a Secret is ever quoted.
    const type = KNOWN_SECRET_TYPES.has(secret.type) ? `type ${q(secret.type)}` : "a type that is not one of Kubernetes' own";
    problems.error(peer.ref, 'spec.passwordSecret', `${where} has ${type}; MetalLB requires type kubernetes.io/basic-auth`, 'reference');
    return null;
  }
  const value = Object.hasOwn(secret.data, 'password') ? secret.data['password'] : undefined;
  if (value === undefined) {
    problems.error(peer.ref, 'spec.passwordSecret', `${where} has no "password" key; add it`, 'reference');
    return null;
  }
  if (value === '') {
    // MetalLB reads the empty value and its template writes no password line for it.
    problems.warn(peer.ref, 'spec.passwordSecret', `${where} key "password" is empty: the session runs without a TCP-MD5 password (no password line, as MetalLB renders it); put the password in the Secret, or remove passwordSecret`, 'reference');
    return null;
  }
  const bad = checkPassword(value);
  if (bad) {
    problems.error(peer.ref, 'spec.passwordSecret', `${where} key "password": ${bad}`, 'reference');
    return null;
  }
  return value;
}
