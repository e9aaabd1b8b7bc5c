/** Topologies several scenarios share. */
import type { Scenario } from '../harness/index.js';

/**
 * Two nodes (speakers) and one router on one LAN, the router peering with both: the shape for
 * "which node announces" scenarios. The router is 192.0.2.1 (AS 64501), the nodes take `addresses`.
 */
export async function twoNodesOneRouter(sc: Scenario, nodes: readonly [string, string], addresses: readonly [string, string]) {
  const [a, b, router] = await Promise.all([
    sc.speaker(nodes[0]),
    sc.speaker(nodes[1]),
    sc.router({
      asn: 64501,
      routerId: '192.0.2.1',
      neighbors: addresses.map((address) => ({ address, remoteAs: 64500 })),
    }),
  ]);
  await sc.lan([
    [a.frr, [`${addresses[0]}/24`]],
    [b.frr, [`${addresses[1]}/24`]],
    [router, ['192.0.2.1/24']],
  ]);
  return { a, b, router };
}
