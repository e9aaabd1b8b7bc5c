/**
 * The status publisher and writer against the fake API server (real client-node): objects are
 * created, patched through `/status` with merge patches only when something changed, deleted when
 * they no longer apply, never carry a password, and idle polling sends no request at all.
 */
import { joinBfd, type FrrState } from '../../src/frr/frr-state.js';
import { parseNeighbor } from '../../src/frr/parse-neighbors.js';
import { realClock } from '../../src/ops/clock.js';
import { createJsonLogger } from '../../src/ops/logger.js';
import type { ReconcilerStatus } from '../../src/reconciler/status.js';
import type { IntentSnapshot, IntentView } from '../../src/status/intent-view.js';
import { createK8sStatusApi } from '../../src/status/k8s-status-api.js';
import { StatusPublisher } from '../../src/status/publisher.js';
import { StatusWriter } from '../../src/status/writer.js';
import { FakeApiServer, type Json } from './fake-apiserver.js';
import { NODE, NS } from './k8s-support.js';

/** The release the sidecar renders for, as FRR reported it. */
const FRR_STATUS = { release: '10.3', from: 'frr', formsOf: '10.3', tested: true } as const;

let server: FakeApiServer;
let state: FrrState;
let snapshot: IntentSnapshot;
let publisher: StatusPublisher;

const up = (id: string, bfd: string | null) =>
  parseNeighbor('default', id, { bgpState: 'Established', addressFamilyInfo: { ipv4Unicast: {} }, ...(bfd ? { peerBfdInfo: { status: bfd } } : {}) });

const STATUS: ReconcilerStatus = {
  synced: true,
  conversion: { at: 1_000, valid: true, errors: [], warnings: [] },
  apply: { at: 2_000, result: 'success', passes: 1, description: 'applied' },
  appliedAt: 2_000,
  frr: FRR_STATUS,
};
const view = (services: string[]): IntentView => ({
  valid: true,
  neighbors: [{ vrf: 'default', target: '192.0.2.1', isInterface: false, peers: [`${NS}/tor`], ipv4: true, ipv6: false, bfdProfile: null, announced: services.map((s, i) => ({ prefix: `198.51.100.${10 + i}/32`, family: 'ipv4' as const, services: [s] })) }],
  services: services.map((s) => ({ service: s, announced: true, reason: null, detail: null, pool: `${NS}/pool`, advertisements: [], ingress: [] })),
});

beforeEach(async () => {
  server = await FakeApiServer.start();
  // Not among the fake's built-in resources.
  server.register({ group: 'metallb.io', resource: 'configurationstates', kind: 'ConfigurationState', namespaced: true });
  state = { at: 0, version: '8.4.4', reachable: true, neighbors: joinBfd([up('192.0.2.1', 'Up'), up('192.0.2.2', null)], []), bfdPeers: [], advertised: {}, runningConfig: 'router bgp 64500\n neighbor 192.0.2.1 password hunter2\n', errors: [] };
  snapshot = { version: 1, node: NODE, namespace: NS, status: STATUS, latest: view(['shop/web', 'shop/api']), applied: view(['shop/web', 'shop/api']) };
  publisher = new StatusPublisher(
    { node: NODE, namespace: NS, intervalMs: 3_600_000, runningConfigMs: 3_600_000 },
    {
      frr: { run: async () => ({ exitCode: 1, stdout: '', stderr: 'unused' }) },
      writer: new StatusWriter(createK8sStatusApi(server.kubeConfig()), { resyncMs: 3_600_000, now: () => Date.now() }),
      snapshot: () => snapshot,
      clock: realClock,
      logger: createJsonLogger({ level: 'error', write: () => undefined }),
      gather: async (_frr, opts) => ({ ...state, ...(opts?.runningConfig ? {} : { runningConfig: undefined }) }),
    },
  );
  publisher.start();
  await publisher.publishNow();
});

afterEach(async () => {
  await publisher.stop();
  await server.close();
});

const sessions = () => server.objects('bgpsessionstates.frrk8s.metallb.io').map((o) => o.status as Json).sort((a, b) => String(a.peer).localeCompare(String(b.peer)));
const writes = () => server.count((r) => r.method !== 'GET');

test('writes every kind once, then nothing while nothing changes', async () => {
  expect(sessions()).toEqual([
    { node: NODE, peer: '192.0.2.1', vrf: '', bgpStatus: 'Established', bfdStatus: 'Up' },
    { node: NODE, peer: '192.0.2.2', vrf: '', bgpStatus: 'Established', bfdStatus: 'N/A' },
  ]);
  expect(server.objects('servicebgpstatuses.metallb.io').map((o) => o.status)).toEqual([
    { node: NODE, serviceName: 'api', serviceNamespace: 'shop', peers: ['tor'] },
    { node: NODE, serviceName: 'web', serviceNamespace: 'shop', peers: ['tor'] },
  ]);
  expect(server.get('metallb.io/v1beta1', 'ConfigurationState', NS, `speaker-${NODE}`)?.status).toMatchObject({ result: 'Valid', errorSummary: '' });
  const nodeState = server.get('frrk8s.metallb.io/v1beta1', 'FRRNodeState', undefined, NODE)?.status as Json;
  expect(nodeState).toMatchObject({ lastConversionResult: 'success', lastReloadResult: 'success' });
  expect(nodeState.runningConfig).toContain('password <redacted>');
  expect(JSON.stringify(server.requests.map((r) => r.body))).not.toContain('hunter2');
  const patches = server.requests.filter((r) => r.method === 'PATCH');
  expect(patches.every((r) => r.subresource === 'status' && r.contentType === 'application/merge-patch+json')).toBe(true);

  server.resetRequests();
  for (let i = 0; i < 10; i++) await publisher.publishNow();
  expect(server.count()).toBe(0);
});

test('a session going down is one status patch; a removed peer and a withdrawn service are deleted', async () => {
  server.resetRequests();
  state = { ...state, neighbors: joinBfd([{ ...up('192.0.2.1', 'Down'), state: 'Active', established: false }, up('192.0.2.2', null)], []) };
  await publisher.publishNow();
  expect(server.requests.map((r) => `${r.method} ${r.resource} ${r.name ?? ''} ${r.subresource ?? ''}`.trim())).toEqual([
    'PATCH bgpsessionstates.frrk8s.metallb.io worker-0-192.0.2.1 status',
  ]);
  expect(sessions()[0]).toMatchObject({ bgpStatus: 'Active', bfdStatus: 'Down' });

  server.resetRequests();
  state = { ...state, neighbors: [state.neighbors[0]!] };
  snapshot = { ...snapshot, applied: view(['shop/web']) };
  await publisher.publishNow();
  expect(server.requests.map((r) => `${r.method} ${r.resource} ${r.name ?? ''}`)).toEqual([
    'DELETE bgpsessionstates.frrk8s.metallb.io worker-0-192.0.2.2',
    'DELETE servicebgpstatuses.metallb.io worker-0-shop-api',
  ]);
});

test('an invalid configuration turns ConfigurationState Invalid with the errors, and back', async () => {
  snapshot = { ...snapshot, status: { ...STATUS, conversion: { at: 5_000, valid: false, errors: ['BGPPeer metallb-system/tor: spec.password: has a space'], warnings: [] } } };
  await publisher.publishNow();
  const cs = server.get('metallb.io/v1beta1', 'ConfigurationState', NS, `speaker-${NODE}`)?.status as Json;
  expect(cs).toMatchObject({ result: 'Invalid', errorSummary: 'BGPPeer metallb-system/tor: spec.password: has a space' });
  expect((cs.conditions as Json[])[0]).toMatchObject({ type: 'configReconcilerValid', status: 'False', reason: 'ConfigurationError' });
  expect((server.get('frrk8s.metallb.io/v1beta1', 'FRRNodeState', undefined, NODE)?.status as Json).lastConversionResult).toMatch(/^failed: /);
  server.resetRequests();
  await publisher.publishNow();
  expect(writes()).toBe(0);
  snapshot = { ...snapshot, status: STATUS };
  await publisher.publishNow();
  expect((server.get('metallb.io/v1beta1', 'ConfigurationState', NS, `speaker-${NODE}`)?.status as Json).result).toBe('Valid');
});

test('FRR not answering leaves the session objects alone', async () => {
  server.resetRequests();
  state = { ...state, reachable: false, neighbors: [] };
  await publisher.publishNow();
  expect(server.count((r) => r.resource === 'bgpsessionstates.frrk8s.metallb.io')).toBe(0);
  expect(sessions()).toHaveLength(2);
});
