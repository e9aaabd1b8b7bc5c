import type { Pool, Service, ServiceIngress } from '../api/model.js';
import { ipText } from '../api/ip.js';

export const EXAMPLE_NAMESPACE = 'frr-renderer-example';

/**
 * For reviewing CRs kept in git, where no live Service exists: one LoadBalancer Service per pool,
 * on the first address of the pool's first range of each family (so dual-stack pools give a
 * dual-stack service). They have no labels, so advertisements with serviceSelectors skip them.
 */
export function exampleServices(pools: readonly Pool[], loadBalancerClass?: string): Service[] {
  return pools.map((pool) => {
    const ingress: ServiceIngress[] = [];
    for (const family of ['ipv4', 'ipv6'] as const) {
      const range = pool.ranges.find((r) => r.family === family);
      if (range) ingress.push({ ip: ipText(range.first, family), family, value: range.first });
    }
    return {
      ref: { kind: 'Service', namespace: EXAMPLE_NAMESPACE, name: `example-${pool.ref.name}` },
      labels: {},
      type: 'LoadBalancer',
      // The class the speaker handles (`--lb-class`), so the review shows what it announces.
      loadBalancerClass,
      externalTrafficPolicy: 'Cluster',
      ingress,
    };
  });
}
