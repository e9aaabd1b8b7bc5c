/**
 * A small cluster for the fast apply path's tests (unit and real FRR): an IPv4 peer and an IPv6
 * peer, two pools each with an advertisement of its own (two tags), and the Services given.
 * Documentation addresses only.
 */
import { decodeDocuments } from '../../src/api/decode.js';
import type { FrrRelease } from '../../src/intent/frr-release.js';
import { renderObjects } from '../../src/pipeline.js';
import type { Renderer } from '../../src/render/renderer.js';

export interface FastPathCluster {
  /** LoadBalancer IPs, one Service each (any family). */
  readonly services: readonly string[];
  /** Pool `pool` (advertisement `adv`, community no-advertise): default 198.51.100.0/24 and 2001:db8:100::/64. */
  readonly pool?: readonly string[];
  /** Pool `pool2` (advertisement `adv2`, no community): default 203.0.113.0/24. */
  readonly pool2?: readonly string[];
  /** Communities of `adv2` (a change gives its prefixes a new tag). */
  readonly adv2Communities?: readonly string[];
  /** holdTime of the IPv4 peer (a session change). */
  readonly holdTime?: string;
  /** Also a peer in VRF `red` (203.0.113.65): every IPv4 prefix is then in two `router bgp` blocks. */
  readonly vrfPeer?: boolean;
}

/** The IPv4 peer's address: the router FRR of the real-FRR tests; the speaker is 192.0.2.10. */
export const ROUTER_V4 = '192.0.2.1';

export function fastPathManifests(c: FastPathCluster): string {
  const docs = [
    `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router, namespace: metallb-system }
spec: { myASN: 64500, peerASN: 64501, peerAddress: ${ROUTER_V4}, holdTime: ${c.holdTime ?? '9s'}, keepaliveTime: 3s, connectTime: 1s }`,
    `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router6, namespace: metallb-system }
spec: { myASN: 64500, peerASN: 64501, peerAddress: "2001:db8::1" }`,
    ...(c.vrfPeer
      ? [
          `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router-red, namespace: metallb-system }
spec: { myASN: 64500, peerASN: 64502, peerAddress: 203.0.113.65, vrf: red }`,
        ]
      : []),
    `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: pool, namespace: metallb-system }
spec: { addresses: ${JSON.stringify(c.pool ?? ['198.51.100.0/24', '2001:db8:100::/64'])} }`,
    `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: pool2, namespace: metallb-system }
spec: { addresses: ${JSON.stringify(c.pool2 ?? ['203.0.113.0/24'])} }`,
    `apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv, namespace: metallb-system }
spec: { ipAddressPools: [pool], communities: ["65535:65282"] }`,
    `apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv2, namespace: metallb-system }
spec: { ipAddressPools: [pool2], communities: ${JSON.stringify(c.adv2Communities ?? [])} }`,
    ...c.services.map(
      (ip, i) => `apiVersion: v1
kind: Service
metadata: { name: svc-${i}, namespace: shop }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ ip: "${ip}" }] } }`,
    ),
  ];
  return `${docs.join('\n---\n')}\n`;
}

/** The node's frr.conf for the cluster, as the sidecar renders it for `release`. */
export function renderFastPathCluster(c: FastPathCluster, renderer: Renderer, release: FrrRelease, hostname: string): string {
  const { objects, problems } = decodeDocuments(fastPathManifests(c), 'cluster.yaml');
  const result = renderObjects(objects, { node: 'worker-0', hostname, frrRelease: release }, problems, renderer);
  if (result.config === undefined) throw new Error(`did not render: ${JSON.stringify(result.problems)}`);
  return result.config;
}
