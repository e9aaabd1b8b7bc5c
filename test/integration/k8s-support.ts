/** Helpers for tests of the Kubernetes source against the fake API server. */
import { readFolder } from '../../src/sources/read-folder.js';
import type { SourceEvent } from '../../src/sources/source.js';
import { createKubernetesSource, nodeResources, type KubernetesSource, type KubernetesSourceOptions, type ResourceSpec } from '../../src/sources/k8s/index.js';
import type { FakeApiServer, Json } from './fake-apiserver.js';

export const NS = 'metallb-system';
export const NODE = 'worker-0';

/** Deterministic `random()` (mulberry32). */
export function seeded(seed = 42): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Harness {
  readonly source: KubernetesSource;
  readonly events: SourceEvent[];
  changes: number;
  stop(): Promise<void>;
}

export async function startSource(server: FakeApiServer, over: Partial<KubernetesSourceOptions> = {}): Promise<Harness> {
  const source = createKubernetesSource({
    kubeConfig: server.kubeConfig(),
    node: NODE,
    metallbNamespace: NS,
    random: seeded(),
    watchdogMs: 1000,
    backoff: { initialMs: 20, maxMs: 200 },
    healthyWatchMs: 200,
    ...over,
  });
  const h: Harness = {
    source,
    events: [],
    changes: 0,
    stop: () => source.stop(),
  };
  await source.start(
    () => {
      h.changes++;
    },
    (e) => h.events.push(e),
  );
  return h;
}

/** `Kind ns/name@rv` of what the source holds. */
export function held(source: KubernetesSource): string[] {
  return source
    .state()
    .objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}@${String(o.metadata.resourceVersion)}`)
    .sort();
}

/** `Kind ns/name@rv` of what the server holds, limited to what the source should watch. */
export function expected(server: FakeApiServer, specs: readonly ResourceSpec[] = nodeResources(NS, NODE)): string[] {
  const out: string[] = [];
  for (const spec of specs) {
    for (const o of server.objects(spec.id)) {
      const meta = o.metadata as Json;
      if (spec.namespace !== undefined && meta.namespace !== spec.namespace) continue;
      if (spec.fieldSelector?.startsWith('metadata.name=') && meta.name !== spec.fieldSelector.slice('metadata.name='.length)) continue;
      out.push(`${spec.kind} ${String(meta.namespace ?? '')}/${String(meta.name)}@${String(meta.resourceVersion)}`);
    }
  }
  return out.sort();
}

export async function converged(h: Harness, server: FakeApiServer, timeoutMs = 5000): Promise<void> {
  try {
    await waitFor(() => h.source.state().synced && sameList(held(h.source), expected(server)), timeoutMs, 'convergence');
  } catch (err) {
    // Show the difference.
    expect(held(h.source)).toEqual(expected(server));
    throw err;
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The bundled seed example, plus what it lacks: Secret, BFDProfile, Community, and objects the node must not see. */
export async function seedCluster(server: FakeApiServer): Promise<void> {
  const { objects, problems } = await readFolder(new URL('../../examples/seed', import.meta.url).pathname);
  expect(problems).toEqual([]);
  for (const o of objects) {
    const { source: _source, ...obj } = o;
    server.put(obj as Json);
  }
  server.put(secret('peer1-password', 's3cret'));
  server.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'elsewhere', namespace: 'default' }, type: 'Opaque', data: { password: b64('no') } });
  server.put({ apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name: 'fast', namespace: NS }, spec: { receiveInterval: 300, transmitInterval: 300 } });
  server.put({ apiVersion: 'metallb.io/v1beta1', kind: 'Community', metadata: { name: 'communities', namespace: NS }, spec: { communities: [{ name: 'no-export', value: '65535:65281' }] } });
  // Stored as v1beta1, served as v1beta2 (the fake's "conversion").
  server.put({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPPeer', metadata: { name: 'peer3', namespace: NS }, spec: { myASN: 64500, peerASN: 64503, peerAddress: '192.0.2.3' } });
  server.put({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'other-ns', namespace: 'default' }, spec: { myASN: 64500, peerASN: 64509, peerAddress: '192.0.2.9' } });
  server.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', labels: { 'kubernetes.io/hostname': 'worker-1' } } });
}

export function secret(name: string, password: string): Json {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NS }, type: 'kubernetes.io/basic-auth', data: { password: b64(password) } };
}

export function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

export function service(name: string, ip: string, namespace = 'shop'): Json {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    status: { loadBalancer: { ingress: [{ ip }] } },
  };
}

export const isWatch = (resource?: string) => (r: { watch: boolean; resource?: string }) =>
  r.watch && (resource === undefined || r.resource === resource);
export const isList = (resource?: string) => (r: { watch: boolean; method: string; resource?: string; name?: string }) =>
  !r.watch && r.method === 'GET' && r.name === undefined && (resource === undefined || r.resource === resource);
