/**
 * The Kubernetes source, with the real client-node, against the fake API server: convergence from
 * empty and after every fault (dropped watches, 410 Gone, 500s, a silent watch, empty watch
 * responses), secret rotation, and a bounded request rate while faults last.
 */
import { buildSnapshot } from '../../src/api/snapshot.js';
import { nodeResources } from '../../src/sources/k8s/index.js';
import { FakeApiServer, onResource, type Json } from './fake-apiserver.js';
import { NS, NODE, b64, converged, expected, held, isList, isWatch, secret, seedCluster, service, sleep, startSource, waitFor, type Harness } from './k8s-support.js';

const RESOURCES = nodeResources(NS, NODE).length;

let server: FakeApiServer;
let h: Harness | undefined;

beforeEach(async () => {
  server = await FakeApiServer.start({ bookmarkIntervalMs: 100 });
  h = undefined;
});

afterEach(async () => {
  await h?.stop();
  await server.close();
});

test('syncs an empty cluster, then follows adds, updates and deletes', async () => {
  h = await startSource(server);
  await converged(h, server);
  expect(h.source.state()).toEqual({ objects: [], problems: [], synced: true });
  expect(h.events.filter((e) => e.type === 'synced').map((e) => e.resource).sort()).toEqual(nodeResources(NS, NODE).map((r) => r.id).sort());

  await seedCluster(server);
  await converged(h, server);
  server.put(service('web', '192.168.10.99'));
  server.remove('metallb.io/v1beta1', 'IPAddressPool', NS, 'pool2');
  await converged(h, server);
  expect(h.events.filter((e) => e.type === 'restart' || e.type === 'relist')).toEqual([]);
});

test('is not synced until every resource did its first list', async () => {
  await seedCluster(server);
  const removeFault = server.fault({ match: onResource('bgppeers.metallb.io', (r) => !r.watch), action: { status: 503 } });
  h = await startSource(server);
  await waitFor(() => h!.events.filter((e) => e.type === 'synced').length === RESOURCES - 1, 3000, 'all but bgppeers synced');
  await sleep(50);
  expect(h.source.state().synced).toBe(false);
  expect(h.source.state().objects.length).toBeGreaterThan(0);
  removeFault();
  await converged(h, server);
  expect(h.events.some((e) => e.type === 'restart' && e.resource === 'bgppeers.metallb.io' && e.error.includes('503'))).toBe(true);
});

test('hands the decoders the wire JSON, limited to what the node needs', async () => {
  await seedCluster(server);
  h = await startSource(server);
  await converged(h, server);
  const objects = h.source.state().objects;

  for (const o of objects) {
    expect(o.source).toBe('k8s');
    expect(typeof o.apiVersion).toBe('string');
    expect(typeof o.kind).toBe('string');
    expect(typeof o.metadata.creationTimestamp).toBe('string'); // not a Date
    expect(o.metadata.managedFields).toBeUndefined();
  }
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  expect(byKind('BGPPeer').map((o) => [o.apiVersion, o.metadata.name]).sort()).toEqual([
    ['metallb.io/v1beta2', 'peer1'],
    ['metallb.io/v1beta2', 'peer2'],
    ['metallb.io/v1beta2', 'peer3'],
  ]);
  expect(byKind('Node').map((o) => o.metadata.name)).toEqual([NODE]);
  expect(byKind('Secret').map((o) => [o.metadata.namespace, o.metadata.name, o.data])).toEqual([[NS, 'peer1-password', { password: b64('s3cret') }]]);
  const web = byKind('Service').find((o) => o.metadata.name === 'web')!;
  expect((web.status as Json).loadBalancer).toEqual(server.get('v1', 'Service', 'shop', 'web')!.status && (server.get('v1', 'Service', 'shop', 'web')!.status as Json).loadBalancer);
  const slice = byKind('EndpointSlice').find((o) => o.metadata.name === 'web-abcde')!;
  expect(slice.endpoints).toEqual(server.get('discovery.k8s.io/v1', 'EndpointSlice', 'shop', 'web-abcde')!.endpoints);

  const { snapshot, problems } = buildSnapshot(objects, { metallbNamespace: NS });
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  expect(snapshot.peers.map((p) => p.ref.name).sort()).toEqual(['peer1', 'peer2', 'peer3']);
  expect(snapshot.secrets.map((s) => s.data)).toEqual([{ password: 's3cret' }]);
  expect(snapshot.services.flatMap((s) => s.ingress.map((i) => i.ip)).length).toBeGreaterThan(0);
  expect(snapshot.endpointSlices.flatMap((s) => s.endpoints).some((e) => e.canServe)).toBe(true);
  expect(snapshot.bfdProfiles.map((b) => b.ref.name)).toEqual(['fast']);
  expect(snapshot.nodes.map((n) => n.ref.name)).toEqual([NODE]);
});

test('lists and watches the way the API server expects', async () => {
  await seedCluster(server);
  h = await startSource(server, { pageSize: 2 });
  await converged(h, server);
  await waitFor(() => server.openWatches() === RESOURCES, 2000, 'one watch per resource');

  for (const r of server.requests) expect(r.authorization).toBe('Bearer fake-token');
  const paths = new Set(server.requests.map((r) => r.path));
  expect([...paths].sort()).toEqual(
    [
      `/apis/metallb.io/v1beta2/namespaces/${NS}/bgppeers`,
      `/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools`,
      `/apis/metallb.io/v1beta1/namespaces/${NS}/bgpadvertisements`,
      `/apis/metallb.io/v1beta1/namespaces/${NS}/bfdprofiles`,
      `/apis/metallb.io/v1beta1/namespaces/${NS}/communities`,
      `/api/v1/namespaces/${NS}/secrets`,
      '/api/v1/services',
      '/apis/discovery.k8s.io/v1/endpointslices',
      '/api/v1/nodes',
    ].sort(),
  );
  const watches = server.requests.filter(isWatch());
  expect(watches).toHaveLength(RESOURCES);
  for (const w of watches) {
    expect(w.query.allowWatchBookmarks).toBe('true');
    expect(Number(w.query.resourceVersion)).toBeGreaterThan(0);
    expect(Number(w.query.timeoutSeconds)).toBeGreaterThanOrEqual(240);
  }
  const nodeReqs = server.requests.filter((r) => r.resource === 'nodes');
  for (const r of nodeReqs) expect(r.query.fieldSelector).toBe(`metadata.name=${NODE}`);
  // Paged lists: 2 services, limit 2 → one page; 3 peers → two pages.
  expect(server.count(isList('bgppeers.metallb.io'))).toBe(2);

  // Another node's changes do not reach this one.
  const before = h.changes;
  server.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', labels: { changed: 'yes' } } });
  await sleep(100);
  expect(h.changes).toBe(before);
});

test('resumes from its resourceVersion after dropped watch connections, without relisting', async () => {
  await seedCluster(server);
  h = await startSource(server);
  await converged(h, server);
  await waitFor(() => server.openWatches() === RESOURCES);
  const lists = server.count(isList());

  expect(server.dropWatches()).toBe(RESOURCES);
  server.put(service('web', '192.168.10.77'));
  server.put(secret('peer1-password', 'rotated-during-the-gap'));
  server.remove('discovery.k8s.io/v1', 'EndpointSlice', 'shop', 'api-fghij');
  await converged(h, server);
  await waitFor(() => server.openWatches() === RESOURCES);
  expect(server.count(isList())).toBe(lists);
  expect(h.events.filter((e) => e.type === 'restart').length).toBeGreaterThanOrEqual(1);
  expect(h.events.filter((e) => e.type === 'relist')).toEqual([]);
});

test('re-watches at once after a clean end of a watch (server timeout)', async () => {
  await seedCluster(server);
  h = await startSource(server);
  await converged(h, server);
  await waitFor(() => server.openWatches() === RESOURCES);
  await sleep(250); // bookmarks arrived: the watches are healthy
  const watches = server.count(isWatch());
  server.closeWatches();
  server.put(service('api', '192.168.10.78'));
  await converged(h, server);
  await waitFor(() => server.openWatches() === RESOURCES);
  expect(server.count(isWatch())).toBe(watches + RESOURCES);
  expect(h.events.filter((e) => e.type !== 'synced')).toEqual([]);
});

describe('410 Gone', () => {
  test('relists when the resourceVersion was compacted while disconnected (in-stream ERROR)', async () => {
    await seedCluster(server);
    h = await startSource(server);
    await converged(h, server);
    await waitFor(() => server.openWatches() === RESOURCES);
    const lists = server.count(isList());

    server.fault({ match: isWatch(), times: RESOURCES * 3, action: { drop: true } }); // stay away a while
    server.dropWatches();
    server.remove('metallb.io/v1beta1', 'BGPAdvertisement', NS, 'bgpadvertisement-2');
    server.put(service('web', '192.168.10.80'));
    server.compact();
    await converged(h, server);
    await waitFor(() => server.openWatches() === RESOURCES);
    expect(h.source.state().objects.some((o) => o.metadata.name === 'bgpadvertisement-2')).toBe(false);
    const relists = h.events.filter((e) => e.type === 'relist');
    expect(relists.length).toBe(RESOURCES);
    expect(relists.every((e) => e.type === 'relist' && e.reason.includes('410'))).toBe(true);
    expect(server.count(isList())).toBe(lists + RESOURCES);
  });

  test('a relist keeps the objects it holds whose resourceVersion did not change, and takes the changed ones', async () => {
    // Memory: the relist at 10,000 Services held a second copy of the whole store (the sidecar's peak RSS).
    await seedCluster(server);
    h = await startSource(server);
    await converged(h, server);
    await waitFor(() => server.openWatches() === RESOURCES);
    const before = new Map(h.source.state().objects.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
    server.silence('services');
    server.put(service('web', '192.168.10.82')); // missed by the silent watch: only the relist brings it
    server.compact();
    server.expireWatches('services');
    await waitFor(() => h!.events.some((e) => e.type === 'relist'), 5000, 'the relist');
    await converged(h, server);
    const after = h.source.state().objects;
    const services = after.filter((o) => o.kind === 'Service');
    expect(services.length).toBeGreaterThan(1);
    for (const o of services) {
      const held = before.get(`Service/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      if (o.metadata.name === 'web') expect(o).not.toBe(held);
      else expect(o).toBe(held);
    }
    const web = services.find((o) => o.metadata.name === 'web')!;
    expect(JSON.stringify(web)).toContain('192.168.10.82');
  });

  test('relists on an ERROR 410 event on an open watch', async () => {
    await seedCluster(server);
    h = await startSource(server);
    await converged(h, server);
    await waitFor(() => server.openWatches() === RESOURCES);
    server.silence('services');
    server.put(service('web', '192.168.10.81')); // missed by the silent watch
    server.compact();
    server.expireWatches('services');
    await converged(h, server);
    expect(h.events.filter((e) => e.type === 'relist').map((e) => e.resource)).toEqual(['services']);
  });

  test('relists on HTTP 410 when connecting a watch', async () => {
    await server.close();
    server = await FakeApiServer.start({ bookmarkIntervalMs: 100, expiredWatch: 'status' });
    await seedCluster(server);
    h = await startSource(server);
    await converged(h, server);
    await waitFor(() => server.openWatches() === RESOURCES);
    server.fault({ match: isWatch(), times: RESOURCES, action: { drop: true } });
    server.dropWatches();
    server.put(secret('peer1-password', 'after-compaction'));
    server.compact();
    await converged(h, server);
    expect(h.events.filter((e) => e.type === 'relist').length).toBe(RESOURCES);
  });
});

test('backs off on 500s with a bounded request rate, then converges', async () => {
  await seedCluster(server);
  h = await startSource(server);
  await converged(h, server);
  await waitFor(() => server.openWatches() === RESOURCES);

  const windowMs = 1000;
  const removeFault = server.fault({ action: { status: 500, message: 'etcd is sad' } });
  const start = server.requests.length;
  server.dropWatches();
  server.put(service('web', '192.168.10.90'));
  await sleep(windowMs);
  const during = server.requests.length - start;
  removeFault();
  await converged(h, server);

  // backoff 20 ms doubling to 200 ms (jittered to half..full): ~7 attempts per resource in 1 s.
  // Without backoff this would be thousands.
  expect(during).toBeGreaterThanOrEqual(RESOURCES * 3);
  expect(during).toBeLessThanOrEqual(RESOURCES * 12);
  const delays = h.events.filter((e) => e.type === 'restart' && e.resource === 'services').map((e) => (e.type === 'restart' ? e.delayMs : 0));
  expect(delays.length).toBeGreaterThanOrEqual(3);
  expect(Math.max(...delays)).toBeLessThanOrEqual(200);
  expect(delays[delays.length - 1]!).toBeGreaterThan(delays[0]!);
  expect(h.events.some((e) => e.type === 'restart' && e.error.includes('500'))).toBe(true);
});

test('backs off on watches that end at once with nothing (empty 200), bounded', async () => {
  await seedCluster(server);
  h = await startSource(server);
  await converged(h, server);
  await waitFor(() => server.openWatches() === RESOURCES);
  const removeFault = server.fault({ match: isWatch(), action: { empty: true } });
  const start = server.requests.length;
  server.closeWatches();
  await sleep(1000);
  const during = server.requests.length - start;
  removeFault();
  server.put(service('web', '192.168.10.91'));
  await converged(h, server);
  expect(during).toBeLessThanOrEqual(RESOURCES * 12);
  expect(h.events.some((e) => e.type === 'restart' && e.error.includes('without any event'))).toBe(true);
});

test('a watchdog restarts a watch that went silent', async () => {
  await seedCluster(server);
  h = await startSource(server, { watchdogMs: 300 });
  await converged(h, server);
  await waitFor(() => server.openWatches() === RESOURCES);

  server.silence('services'); // the connection stays open, nothing arrives, not even bookmarks
  server.put(service('web', '192.168.10.92'));
  await sleep(100);
  expect(held(h.source)).not.toEqual(expected(server));
  await converged(h, server, 3000);
  const restarts = h.events.filter((e) => e.type === 'restart');
  expect(restarts.map((e) => e.resource)).toEqual(['services']);
  expect(restarts[0]!.type === 'restart' && restarts[0]!.error).toMatch(/watchdog/);
  expect(h.events.filter((e) => e.type === 'relist')).toEqual([]);
});

test('a watchdog keeps restarting, with backoff, while every watch stays silent', async () => {
  await seedCluster(server);
  h = await startSource(server, { watchdogMs: 100, backoff: { initialMs: 50, maxMs: 400 } });
  await converged(h, server);
  await waitFor(() => server.openWatches() === RESOURCES);
  const start = server.count(isWatch('services'));
  server.silence('services', true);
  await sleep(1500);
  const during = server.count(isWatch('services')) - start;
  // watchdog 100 + backoff 25..50, 50..100, 100..200, 200..400 ...: a handful, not dozens.
  expect(during).toBeGreaterThanOrEqual(3);
  expect(during).toBeLessThanOrEqual(8);
  server.unsilence();
  server.put(service('web', '192.168.10.93'));
  await converged(h, server, 3000);
});

test('applies a rotated Secret', async () => {
  await seedCluster(server);
  h = await startSource(server);
  await converged(h, server);
  server.put(secret('peer1-password', 'rotated'));
  await converged(h, server);
  const { snapshot } = buildSnapshot(h.source.state().objects, { metallbNamespace: NS });
  expect(snapshot.secrets.map((s) => s.data.password)).toEqual(['rotated']);
});

test('stop() ends every watch and timer', async () => {
  await seedCluster(server);
  h = await startSource(server);
  await converged(h, server);
  await waitFor(() => server.openWatches() === RESOURCES);
  await h.stop();
  await waitFor(() => server.openWatches() === 0, 2000, 'watches closed');
  const count = server.requests.length;
  await sleep(300);
  expect(server.requests.length).toBe(count);
});

test('stop() while requests are failing or hanging leaves nothing behind', async () => {
  server.fault({ match: isWatch(), action: { hang: true } });
  await seedCluster(server);
  h = await startSource(server, { watchdogMs: 100 });
  await waitFor(() => h!.source.state().synced);
  await sleep(250); // watchdog fired on hung connects
  await h.stop();
  // client-node's Watch cannot be cancelled before the response headers: a connect already on its
  // way may still arrive; nothing is started after that.
  await sleep(100);
  const count = server.requests.length;
  await sleep(300);
  expect(server.requests.length).toBe(count);
});
