/**
 * Issue 13, item 3: a v1beta1 BGPPeer renders the same from a folder as in the cluster. In the
 * cluster the API server stores it as v1beta2 through MetalLB's conversion webhook, and the sidecar
 * reads the converted object; a folder is converted by src/api. For every golden case with a
 * v1beta1 BGPPeer, the folder render and the render of what the Kubernetes source (real
 * client-node) reads from the fake API server, running MetalLB's conversion, must be identical
 * bytes (or both rejected). The control shows the comparison can fail: without the webhook's 0s
 * timers the cluster side renders differently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawObject } from '../../src/api/decode.js';
import { loadRenderer, renderDirectory, renderObjects, type RenderOptions } from '../../src/pipeline.js';
import { readFolder } from '../../src/sources/read-folder.js';
import { createKubernetesSource } from '../../src/sources/k8s/index.js';
import { loadCases, type GoldenCase } from '../support/fixtures.js';
import { FakeApiServer, type Json } from './fake-apiserver.js';
import { seeded, waitFor } from './k8s-support.js';
import { convertBgpPeer } from './metallb-conversion.js';

const NS = 'metallb-system';
const METALLB_KINDS = new Set(['BGPPeer', 'IPAddressPool', 'BGPAdvertisement', 'BFDProfile', 'Community']);

/** Every golden case whose input holds a metallb.io/v1beta1 BGPPeer. */
function v1beta1Cases(): GoldenCase[] {
  return loadCases().filter((c) => {
    const text = readdirRecursive(c.inputDir).map((f) => readFileSync(f, 'utf8')).join('\n---\n');
    return /apiVersion: metallb\.io\/v1beta1\s*\nkind: BGPPeer/.test(text);
  });
}

function readdirRecursive(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? readdirRecursive(join(dir, e.name)) : [join(dir, e.name)]));
}

/** What `kubectl apply -f DIR` would store: namespaces defaulted as the folder reads them. */
function asStored(o: RawObject): Json {
  const { source: _source, ...rest } = o;
  const meta = { ...(rest.metadata as Json) };
  if (METALLB_KINDS.has(o.kind) || o.kind === 'Secret' || o.kind === 'ConfigMap') meta.namespace ??= NS;
  else if (o.kind === 'Service' || o.kind === 'EndpointSlice') meta.namespace ??= 'default';
  return { ...rest, metadata: meta } as Json;
}

async function renderThroughCluster(c: GoldenCase, opts: RenderOptions, convert: ((stored: Json, v: string) => Json) | undefined): Promise<string | undefined> {
  const server = await FakeApiServer.start({ bookmarkIntervalMs: 100 });
  if (convert) server.register({ group: 'metallb.io', resource: 'bgppeers', kind: 'BGPPeer', namespaced: true, convert });
  try {
    const { objects } = await readFolder(c.inputDir);
    const known = objects.filter((o) => METALLB_KINDS.has(o.kind) || ['Service', 'EndpointSlice', 'Node', 'Secret'].includes(o.kind));
    for (const o of known) server.put(asStored(o));
    const source = createKubernetesSource({ kubeConfig: server.kubeConfig(), node: c.node, metallbNamespace: NS, random: seeded(), backoff: { initialMs: 20, maxMs: 200 } });
    await source.start(() => undefined);
    try {
      await waitFor(() => source.state().synced, 5000, 'the source to sync');
      const state = source.state();
      expect(state.objects.filter((o) => o.kind === 'BGPPeer').every((o) => o.apiVersion === 'metallb.io/v1beta2')).toBe(true);
      return renderObjects(state.objects, opts, state.problems, await loadRenderer()).config;
    } finally {
      await source.stop();
    }
  } finally {
    await server.close();
  }
}

const cases = v1beta1Cases();

describe('v1beta1 BGPPeers: folder and cluster render the same', () => {
  it('finds the v1beta1 golden cases (no timers, hold only, keepalive only)', () => {
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining(['bgppeer-v1beta1', 'bgppeer-v1beta1-hold-only', 'reject-bgppeer-v1beta1-keepalive-only']));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const opts: RenderOptions = { node: c.node, redactPasswords: true, ...c.options };
    const folder = await renderDirectory(c.inputDir, opts);
    const cluster = await renderThroughCluster(c, opts, convertBgpPeer);
    expect(cluster).toBe(folder.config);
    expect(folder.config === undefined).toBe(c.rejected);
  });

  it("the webhook's JSON is Go's: Durations as time.Duration.String(), unset timers 0s", () => {
    expect(['0s', '90s', '9m0s', '1h', '1.5s', '500ms'].map((d) => convertBgpPeer({ apiVersion: 'metallb.io/v1beta1', spec: { holdTime: d } }, 'v1beta2').spec)).toEqual(
      ['0s', '1m30s', '9m0s', '1h0m0s', '1.5s', '500ms'].map((holdTime) => ({ holdTime, keepaliveTime: '0s', passwordSecret: {} })),
    );
  });

  it('control: a cluster without the webhook\'s 0s timers would render differently (the check can fail)', async () => {
    const c = cases.find((x) => x.name === 'bgppeer-v1beta1')!;
    const opts: RenderOptions = { node: c.node, redactPasswords: true };
    const folder = await renderDirectory(c.inputDir, opts);
    const naive = await renderThroughCluster(c, opts, (stored, v) => (stored.apiVersion === 'metallb.io/v1beta1' && v === 'v1beta2' ? { ...stored, apiVersion: 'metallb.io/v1beta2' } : stored));
    expect(folder.config).toContain(' neighbor 192.0.2.1 timers 0 0\n');
    expect(naive).not.toContain('timers 0 0');
  });
});
