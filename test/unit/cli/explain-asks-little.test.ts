/**
 * `explain` asks FRR about the explained service's prefixes only (at 10,000 services, every
 * neighbor's whole advertised-routes table took seconds): its host routes and any aggregate a
 * neighbor is meant to receive for it, and nothing about other services.
 */
import { decodeDocuments } from '../../../src/api/decode.js';
import { explainCommand } from '../../../src/cli/explain-command.js';
import { prefixesOf } from '../../../src/status/intent-of-service.js';
import type { GatherOptions, FrrState } from '../../../src/frr/frr-state.js';
import { loadRenderer, renderObjects } from '../../../src/pipeline.js';
import { toIntentView, type IntentSnapshot } from '../../../src/status/intent-view.js';

const YAML = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router, namespace: metallb-system }
spec: { myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.1, dualStackAddressFamily: true }
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: pool, namespace: metallb-system }
spec: { addresses: [198.51.100.0/24, 2001:db8:100::/64] }
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: agg, namespace: metallb-system }
spec: { addresses: [203.0.113.0/24] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv, namespace: metallb-system }
spec: { ipAddressPools: [pool] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: aggregated, namespace: metallb-system }
spec: { ipAddressPools: [agg], aggregationLength: 24 }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ ip: 198.51.100.10 }, { ip: 2001:db8:100::10 }] } }
---
apiVersion: v1
kind: Service
metadata: { name: other, namespace: shop }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ ip: 198.51.100.11 }] } }
---
apiVersion: v1
kind: Service
metadata: { name: grouped, namespace: shop }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ ip: 203.0.113.7 }] } }
`;

async function snapshot(): Promise<IntentSnapshot> {
  const { objects, problems } = decodeDocuments(YAML, 'all.yaml');
  const result = renderObjects(objects, { node: 'worker-0' }, problems, await loadRenderer());
  expect(result.config).toBeDefined();
  const view = toIntentView(result.intent);
  const status = { synced: true, conversion: { at: 1, valid: true, errors: [], warnings: [] }, apply: undefined, appliedAt: undefined, frr: { release: '10.3', from: 'flag', formsOf: '10.3', tested: true } } as const;
  return { version: 1, node: 'worker-0', namespace: 'metallb-system', status, latest: view, applied: view };
}

test('the prefixes of one service: its host routes, both families, and nothing of other services', async () => {
  expect([...prefixesOf(await snapshot(), 'shop/web')].sort()).toEqual([
    ['198.51.100.10/32', 'ipv4'],
    ['2001:db8:100::10/128', 'ipv6'],
  ]);
});

test('an aggregate a neighbor receives for the service is asked about, with the host route', async () => {
  expect([...prefixesOf(await snapshot(), 'shop/grouped')].sort()).toEqual([
    ['203.0.113.0/24', 'ipv4'],
    ['203.0.113.7/32', 'ipv4'],
  ]);
});

test('explain fetches that service only from the sidecar and passes its prefixes to FRR instead of reading every table', async () => {
  const snap = await snapshot();
  const asked: GatherOptions[] = [];
  const fetched: string[] = [];
  const state: FrrState = { at: 1, version: 'not read', reachable: false, neighbors: [], bfdPeers: [], advertised: {}, errors: ['vtysh: no FRR here'] };
  const io = { stdout: () => undefined, stderr: () => undefined, writeFile: async () => undefined };
  await explainCommand({ service: 'shop/web', json: true, listen: ':9120', frr: { pathspace: undefined, vtysh: undefined, reloadScript: undefined } }, io, {
    readSidecar: async (_listen, part) => {
      fetched.push(part.service);
      return { snapshot: snap };
    },
    gatherFrrState: async (_frr, opts) => {
      asked.push(opts);
      return state;
    },
  });
  // The sidecar is asked for this service's part of its intent only (/intent?service=).
  expect(fetched).toEqual(['shop/web']);
  expect(asked).toHaveLength(1);
  expect(asked[0]).toMatchObject({ advertised: true, version: false, advertisedPrefixVrfs: ['default'] });
  expect([...(asked[0]!.advertisedPrefixes ?? new Map()).keys()].sort()).toEqual(['198.51.100.10/32', '2001:db8:100::10/128']);
});
