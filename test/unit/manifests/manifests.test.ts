/**
 * manifests/: every file parses, is listed by a kustomization (and every listed file exists), and
 * every object has what the API server requires of its kind. When kubectl is installed, its
 * `kubectl kustomize` build equals what these tests read.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { MANIFESTS, NAMESPACE, REPO, build, find, isJson, manifestFiles, optionalObjects, podSpec, readYamlDocuments, type Json } from './kustomize.js';

const { objects, kustomizations } = build();
const all = objects.map((m) => m.object);
const meta = (o: Json) => o.metadata as Json;
const CLUSTER_SCOPED = new Set(['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Namespace']);
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(?=.{0,63}$)(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('kustomization', () => {
  it('lists every manifest file under manifests/, and only files that exist', () => {
    const listed = new Set<string>();
    for (const k of kustomizations) for (const r of k.resources) listed.add(relative(REPO, join(REPO, dirname(k.file), r)));
    const optional = new Set(optionalObjects().map((m) => m.file));
    const files = manifestFiles().filter((f) => !f.endsWith('kustomization.yaml') && !optional.has(f));
    expect(files.filter((f) => !listed.has(f))).toEqual([]);
    // Opt-in files are never built by default.
    expect([...optional].filter((f) => listed.has(f))).toEqual([]);
    // Listed folders are kustomizations themselves (build() reads them); listed files exist (build() throws otherwise).
    expect(files.length).toBeGreaterThan(0);
  });

  it('builds objects with unique kind/namespace/name', () => {
    const keys = all.map((o) => `${String(o.kind)} ${String(meta(o).namespace ?? '')}/${String(meta(o).name)}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  (hasKubectl() ? it : it.skip)('equals what `kubectl kustomize manifests` builds', () => {
    const out = execFileSync('kubectl', ['kustomize', MANIFESTS], { encoding: 'utf8' });
    const key = (o: Json) => `${String(o.kind)} ${String(meta(o).namespace ?? '')}/${String(meta(o).name)}`;
    const theirs = new Map(
      out
        .split(/^---$/m)
        .flatMap((d) => readYamlDocumentsFromText(d))
        .map((o) => [key(o), o]),
    );
    const ours = new Map(all.map((o) => [key(o), o]));
    expect([...theirs.keys()].sort()).toEqual([...ours.keys()].sort());
    for (const [k, o] of ours) expect([k, theirs.get(k)]).toEqual([k, o]);
  });
});

function readYamlDocumentsFromText(text: string): Json[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter(isJson);
}

describe('every object', () => {
  it.each([...objects, ...optionalObjects()].map((m) => [`${m.file}: ${String(m.object.kind)} ${String(meta(m.object)?.name)}`, m.object] as const))('%s has apiVersion, kind, a valid name and the right namespace', (_, o) => {
    expect(typeof o.apiVersion).toBe('string');
    expect(typeof o.kind).toBe('string');
    expect(isJson(o.metadata)).toBe(true);
    expect(String(meta(o).name)).toMatch(o.kind === 'ServiceAccount' || o.kind === 'ConfigMap' || o.kind === 'DaemonSet' ? DNS_LABEL : DNS_SUBDOMAIN);
    if (CLUSTER_SCOPED.has(String(o.kind))) expect(meta(o).namespace).toBeUndefined();
    else expect(meta(o).namespace).toBe(NAMESPACE);
    for (const [k, v] of Object.entries((meta(o).labels ?? {}) as Record<string, unknown>)) {
      expect(typeof v).toBe('string');
      expect([k, v]).toEqual([k, expect.stringMatching(LABEL_VALUE)]);
    }
  });

  it('parses as YAML file by file (no stray documents or mappings)', () => {
    for (const f of manifestFiles()) expect(() => readYamlDocuments(join(REPO, f))).not.toThrow();
  });
});

describe('RBAC objects', () => {
  it('roles have rules with apiGroups, resources and verbs; bindings name an existing role and service account', () => {
    for (const r of [...find(objects, 'Role'), ...find(objects, 'ClusterRole')]) {
      expect(Array.isArray(r.rules)).toBe(true);
      for (const rule of r.rules as Json[]) {
        for (const k of ['apiGroups', 'resources', 'verbs']) expect([meta(r).name, k, Array.isArray(rule[k]) && (rule[k] as unknown[]).length > 0]).toEqual([meta(r).name, k, true]);
      }
    }
    for (const b of [...find(objects, 'RoleBinding'), ...find(objects, 'ClusterRoleBinding')]) {
      const ref = b.roleRef as Json;
      expect(ref.apiGroup).toBe('rbac.authorization.k8s.io');
      const role = all.find((o) => o.kind === ref.kind && meta(o).name === ref.name && (ref.kind === 'ClusterRole' || meta(o).namespace === meta(b).namespace));
      expect([meta(b).name, role !== undefined]).toEqual([meta(b).name, true]);
      for (const s of b.subjects as Json[]) {
        expect(s.kind).toBe('ServiceAccount');
        const sa = find(objects, 'ServiceAccount', String(s.name)).find((o) => meta(o).namespace === s.namespace);
        expect([meta(b).name, `${String(s.namespace)}/${String(s.name)}`, sa !== undefined]).toEqual([meta(b).name, `${String(s.namespace)}/${String(s.name)}`, true]);
      }
    }
  });
});

describe('CustomResourceDefinitions', () => {
  it.each(find(objects, 'CustomResourceDefinition').map((c) => [String(meta(c).name), c] as const))('%s is complete', (name, crd) => {
    const spec = crd.spec as Json;
    const names = spec.names as Json;
    expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(name).toBe(`${String(names.plural)}.${String(spec.group)}`);
    expect(typeof names.kind).toBe('string');
    expect(['Namespaced', 'Cluster']).toContain(spec.scope);
    const versions = spec.versions as Json[];
    expect(versions.filter((v) => v.storage === true)).toHaveLength(1);
    for (const v of versions) {
      expect(typeof v.name).toBe('string');
      expect(typeof v.served).toBe('boolean');
      expect(((v.schema as Json)?.openAPIV3Schema as Json)?.type).toBe('object');
    }
  });
});

describe('workloads', () => {
  const workloads = all.filter((o) => podSpec(o) !== undefined);

  it('exist: the speaker DaemonSet', () => {
    expect(workloads.map((o) => `${String(o.kind)}/${String(meta(o).name)}`)).toEqual(['DaemonSet/frr-renderer']);
  });

  it.each(workloads.map((w) => [String(meta(w).name), w] as const))('%s: selector, containers with images, volumes, service account, config maps', (_, w) => {
    const spec = w.spec as Json;
    const template = spec.template as Json;
    const selector = (spec.selector as Json).matchLabels as Record<string, string>;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    expect((template.metadata as Json).labels).toMatchObject(selector);
    const pod = podSpec(w)!;
    const containers = [...((pod.initContainers ?? []) as Json[]), ...(pod.containers as Json[])];
    expect((pod.containers as Json[]).length).toBeGreaterThan(0);
    const names = containers.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    const volumes = new Map(((pod.volumes ?? []) as Json[]).map((v) => [String(v.name), v]));
    for (const c of containers) {
      expect(String(c.name)).toMatch(DNS_LABEL);
      expect(String(c.image)).toMatch(/^[a-z0-9./_-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/);
      expect(String(c.image)).not.toMatch(/:latest$/);
      for (const m of (c.volumeMounts ?? []) as Json[]) expect([c.name, m.name, volumes.has(String(m.name))]).toEqual([c.name, m.name, true]);
      const res = c.resources as Json;
      for (const k of ['requests', 'limits']) for (const r of ['cpu', 'memory']) expect([c.name, k, r, typeof (res?.[k] as Json)?.[r]]).toEqual([c.name, k, r, 'string']);
    }
    // Every volume is used.
    const used = new Set(containers.flatMap((c) => ((c.volumeMounts ?? []) as Json[]).map((m) => String(m.name))));
    expect([...volumes.keys()].filter((v) => !used.has(v))).toEqual([]);
    for (const v of volumes.values()) {
      if (isJson(v.configMap)) expect(find(objects, 'ConfigMap', String(v.configMap.name)).length).toBe(1);
    }
    expect(find(objects, 'ServiceAccount', String(pod.serviceAccountName))).toHaveLength(1);
  });
});

describe('FRR startup ConfigMap', () => {
  const [cm] = find(objects, 'ConfigMap', 'frr-renderer-startup');
  const data = (cm?.data ?? {}) as Record<string, string>;

  it('starts bgpd and bfdd, every daemon bound to 127.0.0.1 for its vty', () => {
    const lines = data.daemons!.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(lines).toEqual(expect.arrayContaining(['bgpd=yes', 'bfdd=yes', 'vtysh_enable=yes']));
    const options = lines.filter((l) => /^\w+_options=/.test(l));
    // mgmtd: FRR 10 always starts it, and its vty must not listen on the node's addresses either.
    expect(options.map((l) => l.split('=')[0])).toEqual(expect.arrayContaining(['zebra_options', 'bgpd_options', 'bfdd_options', 'staticd_options', 'mgmtd_options']));
    for (const l of options) expect(l).toMatch(/-A 127\.0\.0\.1\b/);
    // The templates render BFD profiles (`bfd` / `profile`), which only bfdd accepts.
    expect(readFileSync(join(REPO, 'templates', 'partials', 'bfd-profiles.hbs'), 'utf8')).toMatch(/^\s*profile /m);
  });

  it('makes vtysh and frr-reload.py use the integrated frr.conf', () => {
    expect(data['vtysh.conf']!.trim().split('\n')).toContain('service integrated-vtysh-config');
    expect(data['frr.conf']).toBeDefined();
  });
});
