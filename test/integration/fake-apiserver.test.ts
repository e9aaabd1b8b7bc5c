/**
 * The fake API server with client-node's own typed APIs and informer: what the status writers and
 * other callers will rely on (create/delete, the status subresource with a merge patch, conflicts,
 * content types), and that client-node's stock informer speaks the same protocol.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
  type KubernetesObject,
  type V1Service,
} from '@kubernetes/client-node';
import { FakeApiServer, type Json } from './fake-apiserver.js';
import { NS, waitFor } from './k8s-support.js';

let server: FakeApiServer;

beforeEach(async () => {
  server = await FakeApiServer.start();
});

afterEach(async () => {
  await server.close();
});

const STATUS = { group: 'metallb.io', version: 'v1beta1', namespace: NS, plural: 'servicebgpstatuses' };

test('create, get, patch status with a merge patch, conflict, delete (CustomObjectsApi)', async () => {
  const api = server.kubeConfig().makeApiClient(CustomObjectsApi);
  const created = (await api.createNamespacedCustomObject({
    ...STATUS,
    body: { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceBGPStatus', metadata: { name: 'web-worker-0' }, spec: { x: 1 } },
  })) as Json;
  expect((created.metadata as Json).namespace).toBe(NS);

  const patched = (await api.patchNamespacedCustomObjectStatus(
    { ...STATUS, name: 'web-worker-0', body: { status: { node: 'worker-0', peers: ['peer1'] }, spec: { x: 2 } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as Json;
  expect(patched.status).toEqual({ node: 'worker-0', peers: ['peer1'] });
  expect(patched.spec).toEqual({ x: 1 }); // the status subresource changes only status
  const patch = server.requests.find((r) => r.method === 'PATCH')!;
  expect(patch.path).toBe(`/apis/metallb.io/v1beta1/namespaces/${NS}/servicebgpstatuses/web-worker-0/status`);
  expect(patch.subresource).toBe('status');
  expect(patch.contentType).toBe('application/merge-patch+json');

  // The same patch again is a no-op: no new resourceVersion.
  const rv = (patched.metadata as Json).resourceVersion;
  const again = (await api.patchNamespacedCustomObjectStatus(
    { ...STATUS, name: 'web-worker-0', body: { status: { node: 'worker-0', peers: ['peer1'] } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as Json;
  expect((again.metadata as Json).resourceVersion).toBe(rv);

  // A write against an old resourceVersion is a conflict.
  await expect(
    api.replaceNamespacedCustomObjectStatus({
      ...STATUS,
      name: 'web-worker-0',
      body: { ...patched, metadata: { ...(patched.metadata as Json), resourceVersion: '1' }, status: { node: 'x' } },
    }),
  ).rejects.toMatchObject({ code: 409 });

  await api.deleteNamespacedCustomObject({ ...STATUS, name: 'web-worker-0' });
  expect(server.objects('servicebgpstatuses.metallb.io')).toEqual([]);
  await expect(api.getNamespacedCustomObject({ ...STATUS, name: 'web-worker-0' })).rejects.toMatchObject({ code: 404 });
});

test('a patch without the merge-patch content type is sent as a JSON patch', async () => {
  const api = server.kubeConfig().makeApiClient(CustomObjectsApi);
  server.put({ apiVersion: 'metallb.io/v1beta1', kind: 'ServiceBGPStatus', metadata: { name: 's', namespace: NS } });
  // client-node 1.3 defaults PATCH bodies to application/json-patch+json: an object body is refused.
  await expect(api.patchNamespacedCustomObjectStatus({ ...STATUS, name: 's', body: { status: { a: 1 } } })).rejects.toMatchObject({ code: 400 });
  expect(server.requests.at(-1)!.contentType).toBe('application/json-patch+json');
  const ok = (await api.patchNamespacedCustomObjectStatus({ ...STATUS, name: 's', body: [{ op: 'add', path: '/status', value: { a: 1 } }] })) as Json;
  expect(ok.status).toEqual({ a: 1 });
});

test('typed core APIs: create a Service, write its status, list with a field selector', async () => {
  const core = server.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedService({ namespace: 'shop', body: { metadata: { name: 'web' }, spec: { type: 'LoadBalancer' } } });
  const svc = await core.patchNamespacedServiceStatus(
    { namespace: 'shop', name: 'web', body: { status: { loadBalancer: { ingress: [{ ip: '192.168.10.1' }] } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  expect(svc.status?.loadBalancer?.ingress?.[0]?.ip).toBe('192.168.10.1');
  // Typed deserialisation turns timestamps into Dates: why the source reads raw JSON.
  expect(svc.metadata?.creationTimestamp).toBeInstanceOf(Date);
  server.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'a' } });
  server.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'b' } });
  const nodes = await core.listNode({ fieldSelector: 'metadata.name=b' });
  expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['b']);
});

test('a paged list is one snapshot: later pages hold the objects of the first page\'s revision, in key order', async () => {
  const core = server.kubeConfig().makeApiClient(CoreV1Api);
  for (const name of ['c', 'a', 'B', 'b']) server.put({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
  const first = await core.listNode({ limit: 2 });
  expect(first.items.map((n) => n.metadata?.name)).toEqual(['B', 'a']); // bytes, as etcd orders keys
  server.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'aa' } }); // after the first page
  server.remove('v1', 'Node', undefined, 'c');
  const second = await core.listNode({ limit: 2, _continue: first.metadata!._continue! });
  expect(second.items.map((n) => n.metadata?.name)).toEqual(['b', 'c']);
  expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  expect(second.metadata?._continue).toBeUndefined();
  // A new list sees the changes.
  const fresh = await core.listNode({});
  expect(fresh.items.map((n) => n.metadata?.name)).toEqual(['B', 'a', 'aa', 'b']);
  expect(Number(fresh.metadata?.resourceVersion)).toBeGreaterThan(Number(first.metadata?.resourceVersion));
});

test("client-node's stock informer works against the fake (and stops on a dropped watch)", async () => {
  const kc = server.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Service>(kc, '/api/v1/services', () => core.listServiceForAllNamespaces());
  const seen: string[] = [];
  const errors: unknown[] = [];
  informer.on('add', (o: KubernetesObject) => seen.push(`add ${o.metadata?.name}`));
  informer.on('update', (o: KubernetesObject) => seen.push(`update ${o.metadata?.name}`));
  informer.on('error', (e: unknown) => errors.push(e));
  server.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'one', namespace: 'a' } });
  await informer.start();
  await waitFor(() => server.openWatches('services') === 1);
  server.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'one', namespace: 'a' }, spec: { type: 'LoadBalancer' } });
  await waitFor(() => seen.length === 2);
  expect(seen).toEqual(['add one', 'update one']);
  // A dropped connection is an error to the stock informer, and it does not restart by itself:
  // the reason `src/sources/k8s` supervises its own list/watch loops.
  server.dropWatches();
  await waitFor(() => errors.length === 1);
  await new Promise((r) => setTimeout(r, 100));
  expect(server.openWatches('services')).toBe(0);
  await informer.stop();
});

test('dropConnections() ends hanging requests and watches, as a restarted server does', async () => {
  const kc = server.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const clear = server.fault({ match: (r) => !r.watch, action: { hang: true } });
  const hanging = core.listServiceForAllNamespaces().then(
    () => 'answered',
    () => 'failed',
  );
  await waitFor(() => server.count((r) => r.resource === 'services' && !r.watch) === 1);
  clear();
  expect(server.dropConnections()).toBeGreaterThanOrEqual(1);
  expect(await hanging).toBe('failed');
  // The server itself keeps serving.
  await expect(core.listServiceForAllNamespaces()).resolves.toBeDefined();
});
