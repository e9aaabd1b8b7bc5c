/**
 * The narrowed intents the commands fetch. `/intent?service=NS/NAME` (what `explain` fetches) narrows the snapshot to what explaining that
 * service reads; `/intent?view=status` to what `status` reads. The narrowing must never change the answer: for every service, known or not,
 * with FRR sending some prefixes and not others, `explainService` on the narrowed snapshot equals
 * it on the whole one; and the narrowed snapshot holds no other service.
 */
import { decodeDocuments } from '../../../src/api/decode.js';
import { advertisedKey, type FrrNeighbor, type FrrState } from '../../../src/frr/frr-state.js';
import { loadRenderer, renderObjects } from '../../../src/pipeline.js';
import { explainService, statusReport } from '../../../src/status/explain.js';
import { intentForStatus } from '../../../src/status/intent-for-status.js';
import { intentOfService } from '../../../src/status/intent-of-service.js';
import { toIntentView, type IntentSnapshot } from '../../../src/status/intent-view.js';

const PEERS = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router, namespace: metallb-system }
spec: { myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.1, dualStackAddressFamily: true }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: other-router, namespace: metallb-system }
spec: { myASN: 64500, peerASN: 64502, peerAddress: 192.0.2.2 }
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
spec: { ipAddressPools: [pool], peers: [router] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: aggregated, namespace: metallb-system }
spec: { ipAddressPools: [agg], aggregationLength: 24 }
`;

const service = (name: string, ip: string, extra = ''): string => `---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop }
spec: { type: LoadBalancer${extra} }
status: { loadBalancer: { ingress: [{ ip: ${ip} }] } }
`;

const LATEST = PEERS + service('web', '198.51.100.10') + service('web6', '2001:db8:100::10') + service('g1', '203.0.113.7') + service('g2', '203.0.113.8') + service('classy', '198.51.100.11', ', loadBalancerClass: example.com/other') + service('new', '198.51.100.12');
// The applied config is older: without `new`, and `g2` not yet there (its aggregate is sent for g1).
const APPLIED = PEERS + service('web', '198.51.100.10') + service('web6', '2001:db8:100::10') + service('g1', '203.0.113.7') + service('classy', '198.51.100.11', ', loadBalancerClass: example.com/other');

async function view(yaml: string) {
  const { objects, problems } = decodeDocuments(yaml, 'all.yaml');
  const result = renderObjects(objects, { node: 'worker-0' }, problems, await loadRenderer());
  expect(result.config).toBeDefined();
  return toIntentView(result.intent);
}

async function snapshot(): Promise<IntentSnapshot> {
  const status = { synced: true, conversion: { at: 1, valid: true, errors: [], warnings: [] }, apply: { at: 2, result: 'success', passes: 1, description: 'applied' }, appliedAt: 2, frr: { release: '10.3', from: 'frr', formsOf: '10.3', tested: true } } as const;
  return { version: 1, node: 'worker-0', namespace: 'metallb-system', status, latest: await view(LATEST), applied: await view(APPLIED) };
}

const neighbor = (id: string, families: FrrNeighbor['families']): FrrNeighbor => ({
  vrf: 'default', id, isInterface: false, address: id, state: 'Established', established: true, remoteAs: 64501, localAs: 64500,
  uptimeMs: 1, holdTimeMs: 1, keepaliveMs: 1, connectionsEstablished: 1, connectionsDropped: 0, lastResetDueTo: undefined, families, bfd: null, bfdStatus: 'N/A',
});

const fam = { negotiated: true, sentPrefixes: 1, acceptedPrefixes: 0 } as const;

/** FRR with both sessions up; it sent some of the prefixes and not others. */
const STATE: FrrState = {
  at: 1, version: 'not read', reachable: true, bfdPeers: [], errors: [],
  neighbors: [neighbor('192.0.2.1', { ipv4: fam, ipv6: fam }), neighbor('192.0.2.2', { ipv4: fam })],
  advertised: {
    [advertisedKey('default', '192.0.2.1', 'ipv4')]: { kind: 'routes', prefixes: ['198.51.100.10/32', '203.0.113.0/24'], total: 2 },
    [advertisedKey('default', '192.0.2.1', 'ipv6')]: { kind: 'routes', prefixes: [], total: 0 },
    [advertisedKey('default', '192.0.2.2', 'ipv4')]: { kind: 'routes', prefixes: ['203.0.113.0/24'], total: 1 },
  },
};

const SERVICES = ['shop/web', 'shop/web6', 'shop/g1', 'shop/g2', 'shop/classy', 'shop/new', 'shop/missing'];

test.each(SERVICES)('explain %s: the same answer from the narrowed snapshot as from the whole one', async (name) => {
  const whole = await snapshot();
  const narrowed = intentOfService(whole, name);
  for (const state of [STATE, undefined]) expect(explainService(narrowed, state, name)).toEqual(explainService(whole, state, name));
});

test('the same when the last render is invalid (the applied view decides)', async () => {
  const whole = await snapshot();
  const invalid: IntentSnapshot = { ...whole, latest: { valid: false, neighbors: [], services: whole.latest!.services } };
  for (const name of SERVICES) expect(explainService(intentOfService(invalid, name), STATE, name)).toEqual(explainService(invalid, STATE, name));
});

test('the narrowed snapshot holds that service only, and every neighbor with only its prefixes', async () => {
  const whole = await snapshot();
  const narrowed = intentOfService(whole, 'shop/g2');
  expect(narrowed.latest!.services.map((s) => s.service)).toEqual(['shop/g2']);
  expect(narrowed.applied!.services).toEqual([]);
  expect(narrowed.latest!.neighbors.map((n) => n.target)).toEqual(whole.latest!.neighbors.map((n) => n.target));
  const announced = new Set([...narrowed.latest!.neighbors, ...narrowed.applied!.neighbors].flatMap((n) => n.announced.map((a) => a.prefix)));
  // The aggregate it shares with g1 (in the applied config for g1 only); nothing of web.
  expect([...announced].sort()).toEqual(['203.0.113.0/24']);
  expect(narrowed.status).toBe(whole.status);
});

describe('/intent?view=status (what `status` fetches)', () => {
  test('gives statusReport the same report as the whole snapshot, with FRR answering and not', async () => {
    const whole = await snapshot();
    const unreachable: FrrState = { ...STATE, reachable: false, neighbors: [], advertised: {} };
    for (const state of [STATE, unreachable]) expect(statusReport(intentForStatus(whole), state)).toEqual(statusReport(whole, state));
    // A neighbor FRR sent less than the applied config means: the missing prefixes are still reported.
    const v6 = statusReport(intentForStatus(whole), STATE).sessions.find((s) => s.neighbor === '192.0.2.1')!.families.find((f) => f.family === 'ipv6');
    expect(v6!.missing).toEqual(['2001:db8:100::10/128']);
  });

  test('holds no service and no last render', async () => {
    const narrowed = intentForStatus(await snapshot());
    expect(narrowed.latest).toBeNull();
    expect(narrowed.applied!.services).toEqual([]);
    expect(narrowed.applied!.neighbors.flatMap((n) => n.announced.flatMap((a) => a.services))).toEqual([]);
  });
});
