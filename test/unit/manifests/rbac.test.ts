/**
 * The speaker's RBAC against the API calls the code makes, recorded rather than listed by hand:
 * the Kubernetes source (every resource of `nodeResources()`) and the status writer (every kind of
 * `KINDS`, through every `StatusApi` call) run with the real client-node against the fake API
 * server, and each recorded request becomes (API group, resource, verb, namespace). The roles bound
 * to the DaemonSet's service account must allow every one of them, and grant nothing that no
 * request used: no wildcard, no verb or resource the code does not call, nothing cluster-wide that
 * the code only asks for in MetalLB's namespace.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { nodeResources } from '../../../src/sources/k8s/resources.js';
import { createK8sStatusApi } from '../../../src/status/k8s-status-api.js';
import { KINDS, MANAGED_BY, MANAGED_BY_LABEL, type KindName, type StatusObject } from '../../../src/status/objects.js';
import { StatusWriter, type StatusApi } from '../../../src/status/writer.js';
import { FakeApiServer, type RequestRecord } from '../../integration/fake-apiserver.js';
import { NODE, NS, converged, seedCluster, startSource, waitFor } from '../../integration/k8s-support.js';
import { NAMESPACE, REPO, build, find, optionalObjects, podSpec, type Json } from './kustomize.js';

interface Call {
  readonly group: string;
  /** `resource` or `resource/subresource`. */
  readonly resource: string;
  readonly verb: string;
  /** undefined: cluster-scoped or across all namespaces. */
  readonly namespace: string | undefined;
}

interface Grant extends Call {
  /** `*`: every namespace (ClusterRoleBinding). */
  readonly scope: string;
  readonly from: string;
}

const show = (c: Call) => `${c.verb} ${c.group || 'core'}/${c.resource}${c.namespace === undefined ? ' (cluster-wide)' : ` in ${c.namespace}`}`;
const showGrant = (g: Grant) => `${g.verb} ${g.group || 'core'}/${g.resource} ${g.scope === '*' ? 'cluster-wide' : `in ${g.scope}`} (${g.from})`;

function toCall(r: RequestRecord): Call {
  const parts = r.path.split('/').filter(Boolean);
  const group = parts[0] === 'api' ? '' : parts[1]!;
  const resource = group === '' ? r.resource! : r.resource!.slice(0, -(group.length + 1));
  const verb =
    r.method === 'GET' ? (r.watch ? 'watch' : r.name === undefined ? 'list' : 'get')
    : r.method === 'POST' ? 'create'
    : r.method === 'PUT' ? 'update'
    : r.method === 'PATCH' ? 'patch'
    : r.method === 'DELETE' ? (r.name === undefined ? 'deletecollection' : 'delete')
    : r.method.toLowerCase();
  return { group, resource: r.subresource ? `${resource}/${r.subresource}` : resource, verb, namespace: r.namespace };
}

function unique(calls: readonly Call[]): Call[] {
  const seen = new Map<string, Call>();
  for (const c of calls) seen.set(show(c), c);
  return [...seen.values()].sort((a, b) => show(a).localeCompare(show(b)));
}

/** Every request the source makes while it syncs the seed cluster and follows a change. */
async function sourceCalls(): Promise<Call[]> {
  const server = await FakeApiServer.start({ bookmarkIntervalMs: 100 });
  try {
    await seedCluster(server);
    const h = await startSource(server);
    try {
      await converged(h, server);
      await waitFor(() => nodeResources(NS, NODE).every((r) => server.openWatches(r.id) > 0), 5000, 'a watch on every resource');
      server.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'late', namespace: 'shop' }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '192.168.10.77' }] } } });
      await converged(h, server);
    } finally {
      await h.stop();
    }
    expect(server.requests.filter((r) => r.resource === undefined).map((r) => r.path)).toEqual([]);
    return unique(server.requests.map(toCall));
  } finally {
    await server.close();
  }
}

/**
 * Every request the status writer makes for every kind: it lists, creates a missing object,
 * patches the labels and the status of an existing one, and deletes one that no longer applies.
 * Which `StatusApi` methods ran is checked against the methods the real API object has, so a new
 * kind of call cannot slip past this test.
 */
async function statusCalls(): Promise<{ calls: Call[]; used: Set<string>; methods: string[]; bodies: unknown[] }> {
  const server = await FakeApiServer.start();
  server.register({ group: 'metallb.io', resource: 'configurationstates', kind: 'ConfigurationState', namespaced: true });
  try {
    const real = createK8sStatusApi(server.kubeConfig());
    const used = new Set<string>();
    const api = Object.fromEntries(
      Object.entries(real).map(([name, f]) => [
        name,
        (...args: unknown[]) => {
          used.add(name);
          return (f as (...a: unknown[]) => unknown)(...args);
        },
      ]),
    ) as unknown as StatusApi;
    const writer = new StatusWriter(api, { resyncMs: 0, now: () => 0, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'frr-renderer-abcde', uid: '1234' }] });
    for (const kind of Object.keys(KINDS) as KindName[]) {
      const k = KINDS[kind];
      const apiVersion = `${k.group}/${k.version}`;
      const namespace = k.namespaced ? NS : undefined;
      const obj = (name: string, labels: Record<string, string>, status: Json): StatusObject => ({
        apiVersion,
        kind,
        metadata: { name, ...(namespace ? { namespace } : {}), labels: { [MANAGED_BY_LABEL]: MANAGED_BY, ...labels } },
        status,
      });
      const { status: _s1, ...stale } = obj(`${NODE}-stale`, {}, {});
      const { status: _s2, ...existing } = obj(`${NODE}-existing`, {}, {});
      server.put({ ...stale, status: { node: NODE } });
      server.put({ ...existing, status: { node: NODE } });
      const scope = { ...(namespace ? { namespace } : {}), labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` };
      const result = await writer.sync(kind, scope, () => [obj(`${NODE}-existing`, { extra: 'x' }, { node: 'changed' }), obj(`${NODE}-new`, {}, { node: NODE })]);
      expect([kind, result]).toEqual([kind, { created: 1, patched: 2, deleted: 1 }]);
    }
    const bodies = server.requests.filter((r) => r.method === 'POST').map((r) => r.body);
    return { calls: unique(server.requests.map(toCall)), used, methods: Object.keys(real).sort(), bodies };
  } finally {
    await server.close();
  }
}

/** What the roles bound to `sa` allow, one grant per group x resource x verb x scope. */
function grantsOf(objects: Json[], sa: { name: string; namespace: string }): { grants: Grant[]; unbound: string[]; wildcards: string[] } {
  const meta = (o: Json) => o.metadata as Json;
  const grants: Grant[] = [];
  const wildcards: string[] = [];
  const bound = new Set<string>();
  for (const b of objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    const subjects = (b.subjects ?? []) as Json[];
    if (!subjects.some((s) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace)) continue;
    const ref = b.roleRef as Json;
    const role = objects.find((o) => o.kind === ref.kind && meta(o).name === ref.name && (o.kind === 'ClusterRole' || meta(o).namespace === meta(b).namespace));
    if (!role) continue;
    bound.add(`${String(role.kind)}/${String(meta(role).name)}`);
    const scope = b.kind === 'ClusterRoleBinding' ? '*' : String(meta(b).namespace);
    for (const rule of (role.rules ?? []) as Json[]) {
      const from = `${String(role.kind)} ${String(meta(role).name)} via ${String(b.kind)} ${String(meta(b).name)}`;
      if (rule.resourceNames !== undefined || rule.nonResourceURLs !== undefined) wildcards.push(`${from}: resourceNames/nonResourceURLs are not expected`);
      for (const group of rule.apiGroups as string[]) {
        for (const resource of rule.resources as string[]) {
          for (const verb of rule.verbs as string[]) {
            if ([group, resource, verb].some((x) => x.includes('*'))) wildcards.push(`${from}: ${verb} ${group}/${resource}`);
            grants.push({ group, resource, verb, namespace: scope === '*' ? undefined : scope, scope, from });
          }
        }
      }
    }
  }
  const unbound = objects
    .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
    .map((o) => `${String(o.kind)}/${String(meta(o).name)}`)
    .filter((k) => !bound.has(k));
  return { grants, unbound, wildcards };
}

const allows = (g: Grant, c: Call) => g.group === c.group && g.resource === c.resource && g.verb === c.verb && (g.scope === '*' || g.scope === c.namespace);
/** A grant is needed when a call needs exactly its scope: cluster-wide only for cluster-wide calls. */
const needs = (c: Call, g: Grant) => g.group === c.group && g.resource === c.resource && g.verb === c.verb && (g.scope === '*' ? c.namespace === undefined : g.scope === c.namespace);

let source: Call[];
let status: Awaited<ReturnType<typeof statusCalls>>;
const { objects } = build();
const all = objects.map((m) => m.object);
const [daemonSet] = find(objects, 'DaemonSet', 'frr-renderer');
const sa = { name: String(podSpec(daemonSet!)!.serviceAccountName), namespace: String((daemonSet!.metadata as Json).namespace) };

beforeAll(async () => {
  source = await sourceCalls();
  status = await statusCalls();
}, 30_000);

describe('what the code calls', () => {
  it('the source lists and watches exactly the resources of nodeResources(), in their scope', () => {
    const expected = nodeResources(NS, NODE).flatMap((r) =>
      ['list', 'watch'].map((verb) => ({ group: r.group, resource: r.resource, verb, namespace: r.namespace })),
    );
    expect(source.map(show)).toEqual(unique(expected).map(show));
  });

  it('the status writer used every StatusApi method, for every kind', () => {
    expect([...status.used].sort()).toEqual(status.methods);
    for (const kind of Object.values(KINDS)) expect(status.calls.some((c) => c.group === kind.group && c.resource === kind.plural)).toBe(true);
  });

  it('owner references never ask for blockOwnerDeletion (that would need more RBAC on pods)', () => {
    expect(JSON.stringify(status.bodies)).not.toContain('blockOwnerDeletion');
  });

  it('only the source transport and the status API talk to the API server', () => {
    // A new caller of client-node needs its calls recorded here before its RBAC can be derived.
    const files = sourceFiles(join(REPO, 'src')).filter((f) => {
      const text = readFileSync(f, 'utf8');
      return /^import\s+(?!type\b)[^;]*from\s+'@kubernetes\/client-node'/m.test(text) || /await import\('@kubernetes\/client-node'\)/.test(text);
    });
    expect(files.map((f) => relative(REPO, f)).sort()).toEqual(['src/cli/run-command.ts', 'src/sources/k8s/transport.ts', 'src/status/k8s-status-api.ts']);
    // run-command.ts only loads the KubeConfig from it.
    const run = readFileSync(join(REPO, 'src/cli/run-command.ts'), 'utf8');
    expect([...run.matchAll(/const \{ ([^}]+) \} = await import\('@kubernetes\/client-node'\)/g)].map((m) => m[1]!.trim())).toEqual(['KubeConfig']);
  });
});

describe('the RBAC of manifests/', () => {
  it('binds every role to the DaemonSet service account, with no wildcard', () => {
    const { unbound, wildcards } = grantsOf(all, sa);
    expect(sa).toEqual({ name: 'frr-renderer', namespace: NAMESPACE });
    expect(unbound).toEqual([]);
    expect(wildcards).toEqual([]);
  });

  it('allows every call the code makes', () => {
    const { grants } = grantsOf(all, sa);
    const denied = [...source, ...status.calls].filter((c) => !grants.some((g) => allows(g, c)));
    expect(denied.map(show)).toEqual([]);
  });

  it('grants nothing the code does not call (verbs, resources, or a wider scope)', () => {
    const { grants } = grantsOf(all, sa);
    const calls = [...source, ...status.calls];
    const unused = grants.filter((g) => !calls.some((c) => needs(c, g)));
    expect(unused.map(showGrant)).toEqual([]);
  });

  it('never writes what the code only reads', () => {
    const { grants } = grantsOf(all, sa);
    const written = new Set(status.calls.filter((c) => c.verb !== 'list' && c.verb !== 'watch' && c.verb !== 'get').map((c) => `${c.group}/${c.resource.split('/')[0]!}`));
    const readOnly = grants.filter((g) => !['list', 'watch', 'get'].includes(g.verb) && !written.has(`${g.group}/${g.resource.split('/')[0]!}`));
    expect(readOnly.map(showGrant)).toEqual([]);
  });
});

/** Every request the source makes with `--bgp-extras` (MetalLB's bgpextras ConfigMap watched too). */
async function sourceCallsWithBgpExtras(): Promise<Call[]> {
  const server = await FakeApiServer.start({ bookmarkIntervalMs: 100 });
  try {
    await seedCluster(server);
    server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bgpextras', namespace: NS }, data: { extras: 'ip prefix-list x seq 5 permit 203.0.113.0/24\n' } });
    const resources = nodeResources(NS, NODE, { bgpExtras: true });
    const h = await startSource(server, { resources });
    try {
      await waitFor(() => h.source.state().synced && resources.every((r) => server.openWatches(r.id) > 0), 5000, 'a watch on every resource');
      expect(h.source.state().objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name)).toEqual(['bgpextras']);
    } finally {
      await h.stop();
    }
    return unique(server.requests.map(toCall));
  } finally {
    await server.close();
  }
}

describe('manifests/optional/bgp-extras-rbac.yaml (only with --bgp-extras)', () => {
  const optional = optionalObjects().filter((m) => m.file.endsWith('bgp-extras-rbac.yaml')).map((m) => m.object);
  let calls: Call[];
  beforeAll(async () => {
    calls = await sourceCallsWithBgpExtras();
  }, 30_000);

  it('the source adds exactly list and watch of ConfigMaps in the MetalLB namespace', () => {
    const extra = calls.filter((c) => !source.some((s) => show(s) === show(c)));
    expect(extra.map(show)).toEqual(['list core/configmaps in metallb-system', 'watch core/configmaps in metallb-system']);
  });

  it('with the default roles it allows every call; it grants nothing else; without it those calls are denied', () => {
    const { grants } = grantsOf([...all, ...optional], sa);
    expect(calls.filter((c) => !grants.some((g) => allows(g, c))).map(show)).toEqual([]);
    const { grants: extraGrants, unbound, wildcards } = grantsOf(optional, sa);
    expect([unbound, wildcards]).toEqual([[], []]);
    expect(extraGrants.filter((g) => !calls.some((c) => needs(c, g))).map(showGrant)).toEqual([]);
    const { grants: base } = grantsOf(all, sa);
    expect(calls.filter((c) => !base.some((g) => allows(g, c))).map(show)).toEqual(['list core/configmaps in metallb-system', 'watch core/configmaps in metallb-system']);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}
