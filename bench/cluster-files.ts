/**
 * The synthetic cluster of `synth.ts` as a user has it on disk: Services with their EndpointSlices
 * (as Kubernetes writes them), peers, pools, advertisements and the node, written as YAML in the
 * three layouts `render --dir` and `run --source dir:` read:
 * - `multi`: one multi-document file (`---` between objects), like `kubectl get -o yaml` piped out
 *   object by object or a kustomize build;
 * - `files`: one file per object (a git folder of manifests, a ConfigMap volume);
 * - `list`: one `kind: List` document holding every object (`kubectl get ... -o yaml`).
 * Block-style YAML as kubectl prints it (js-yaml `dump`), not JSON, so the decoder is timed on what
 * users feed it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import type { RawObject } from '../src/api/decode.js';
import { NODE, serviceObject, synthObjects, type SynthOptions } from './synth.js';

export type Layout = 'multi' | 'files' | 'list';
export const LAYOUTS: readonly Layout[] = ['multi', 'files', 'list'];

export const LAYOUT_NAMES: Record<Layout, string> = {
  multi: 'one multi-document file',
  files: 'one file per object',
  list: 'one kind: List',
};

/** A plain Kubernetes object (without the decoder's `source` field). */
export type Manifest = Record<string, unknown>;

function manifest(o: RawObject): Manifest {
  const { source: _source, ...rest } = o;
  return rest;
}

/** The EndpointSlice Kubernetes keeps for service i: one ready endpoint on one of 20 nodes. */
export function endpointSliceOf(i: number, service: RawObject): Manifest {
  const name = service.metadata.name;
  const v6 = String((service['status'] as { loadBalancer: { ingress: { ip: string }[] } }).loadBalancer.ingress[0]!.ip).includes(':');
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-${(i * 2654435761 >>> 0).toString(36).slice(0, 5)}`, namespace: service.metadata.namespace, labels: { 'kubernetes.io/service-name': name } },
    addressType: v6 ? 'IPv6' : 'IPv4',
    endpoints: [
      {
        addresses: [v6 ? `2001:db8:ffff::${(i & 0xffff).toString(16)}` : `10.${128 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: i % 20 === 0 ? NODE : `worker-${i % 20}`,
      },
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

/** Every object of the cluster, Services each followed by its EndpointSlice. */
export function clusterManifests(opts: SynthOptions, serviceIndexes?: readonly number[]): Manifest[] {
  const out: Manifest[] = [];
  for (const o of synthObjects(opts, serviceIndexes)) {
    out.push(manifest(o));
    if (o.kind === 'Service') {
      const i = Number(o.metadata.name.slice('svc-'.length));
      out.push(endpointSliceOf(i, o));
    }
  }
  return out;
}

/** Service i and its EndpointSlice, as the one file the "edited file" measurements add. */
export function serviceManifests(i: number, opts: Pick<SynthOptions, 'v6Every' | 'mix'>): Manifest[] {
  const svc = serviceObject(i, opts);
  return [manifest(svc), endpointSliceOf(i, svc)];
}

const yaml = (o: unknown): string => dump(o, { noRefs: true, lineWidth: -1 });

/** Path-safe file name of an object in the `files` layout, in a stable order. */
export function fileNameOf(m: Manifest, index: number): string {
  const meta = m['metadata'] as { name: string; namespace?: string };
  return `${String(index).padStart(6, '0')}-${String(m['kind']).toLowerCase()}-${meta.namespace ?? 'cluster'}-${meta.name}.yaml`;
}

/** Writes the manifests into `dir` (created) in one layout; returns the bytes written. */
export async function writeLayout(dir: string, layout: Layout, manifests: readonly Manifest[]): Promise<number> {
  await mkdir(dir, { recursive: true });
  if (layout === 'files') {
    let bytes = 0;
    // Sequential in small batches: 100,000 parallel writes would exhaust file descriptors.
    for (let i = 0; i < manifests.length; i += 256) {
      const batch = manifests.slice(i, i + 256).map((m, j) => {
        const text = yaml(m);
        bytes += Buffer.byteLength(text);
        return writeFile(join(dir, fileNameOf(m, i + j)), text);
      });
      await Promise.all(batch);
    }
    return bytes;
  }
  const text = layout === 'list' ? yaml({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: manifests }) : manifests.map(yaml).join('---\n');
  await writeFile(join(dir, 'cluster.yaml'), text);
  return Buffer.byteLength(text);
}
