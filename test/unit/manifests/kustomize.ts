/**
 * Reads `manifests/` as `kubectl kustomize` builds it, for the features the project uses:
 * `resources` (files, multi-document, and folders holding a kustomization.yaml), `labels`
 * (metadata only) and `images`. Anything else in a kustomization is an error here, so a new feature
 * gets handled on purpose. `manifests.test.ts` compares the result with `kubectl kustomize` when
 * kubectl is installed.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export type Json = Record<string, unknown>;

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const MANIFESTS = join(REPO, 'manifests');
/** Where everything namespaced goes (MetalLB's namespace). */
export const NAMESPACE = 'metallb-system';

export interface Manifest {
  /** Path relative to the repository. */
  readonly file: string;
  readonly object: Json;
}

export interface Kustomization {
  readonly file: string;
  readonly resources: readonly string[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'labels', 'images']);

export function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every document of a YAML file; parse errors throw with the file name. */
export function readYamlDocuments(path: string): Json[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  const out: Json[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(`${relative(REPO, path)}: ${d.errors.map((e) => e.message).join('; ')}`);
    const v: unknown = d.toJS();
    if (v === null || v === undefined) continue;
    if (!isJson(v)) throw new Error(`${relative(REPO, path)}: a document is not a mapping`);
    out.push(v);
  }
  return out;
}

/** The kustomizations (top first) and the objects they build. */
export function build(dir = MANIFESTS): { objects: Manifest[]; kustomizations: Kustomization[] } {
  const kustomizations: Kustomization[] = [];
  const objects = load(dir, kustomizations);
  return { objects, kustomizations };
}

function load(dir: string, seen: Kustomization[]): Manifest[] {
  const file = join(dir, 'kustomization.yaml');
  const [k] = readYamlDocuments(file);
  if (!k) throw new Error(`${relative(REPO, file)} is empty`);
  for (const key of Object.keys(k)) {
    if (!SUPPORTED.has(key)) throw new Error(`${relative(REPO, file)}: "${key}" is not handled by test/unit/manifests/kustomize.ts`);
  }
  const resources = (k.resources ?? []) as string[];
  seen.push({ file: relative(REPO, file), resources });
  let out: Manifest[] = [];
  for (const r of resources) {
    const path = join(dir, r);
    if (!existsSync(path)) throw new Error(`${relative(REPO, file)}: resource ${r} does not exist`);
    if (statSync(path).isDirectory()) out.push(...load(path, seen));
    else out.push(...readYamlDocuments(path).map((object) => ({ file: relative(REPO, path), object })));
  }
  for (const l of (k.labels ?? []) as Json[]) {
    if (l.includeSelectors === true || l.includeTemplates === true) throw new Error('labels: only metadata labels are handled');
    out = out.map((m) => ({ ...m, object: withLabels(m.object, l.pairs as Record<string, string>) }));
  }
  for (const img of (k.images ?? []) as Json[]) out = out.map((m) => ({ ...m, object: withImage(m.object, img) }));
  return out;
}

function withLabels(o: Json, pairs: Record<string, string>): Json {
  const meta = (o.metadata ?? {}) as Json;
  return { ...o, metadata: { ...meta, labels: { ...((meta.labels ?? {}) as Json), ...pairs } } };
}

/** The image name without tag or digest. */
export function imageName(image: string): string {
  const at = image.indexOf('@');
  const noDigest = at < 0 ? image : image.slice(0, at);
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

function withImage(o: Json, img: Json): Json {
  const spec = podSpec(o);
  if (!spec) return o;
  const fix = (c: Json): Json => {
    const image = String(c.image);
    if (imageName(image) !== img.name) return c;
    const name = (img.newName as string | undefined) ?? imageName(image);
    const tag = img.digest ? `@${String(img.digest)}` : img.newTag ? `:${String(img.newTag)}` : image.slice(imageName(image).length);
    return { ...c, image: `${name}${tag}` };
  };
  const next = structuredClone(o);
  const s = podSpec(next)!;
  for (const key of ['containers', 'initContainers'] as const) if (Array.isArray(s[key])) s[key] = (s[key] as Json[]).map(fix);
  return next;
}

/** The pod spec of a workload (DaemonSet, Deployment, ...), or undefined. */
export function podSpec(o: Json): Json | undefined {
  const spec = o.spec as Json | undefined;
  const template = spec?.template as Json | undefined;
  return template?.spec as Json | undefined;
}

/** Every `*.yaml`/`*.yml` under `manifests/`, relative to the repository. */
export function manifestFiles(dir = MANIFESTS): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...manifestFiles(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(relative(REPO, p));
  }
  return out.sort();
}

/**
 * `manifests/optional/`: objects applied by hand for an opt-in feature (README), on purpose not in
 * the default build. Each must also be correct on its own (manifests.test.ts, rbac.test.ts).
 */
export const OPTIONAL = join(MANIFESTS, 'optional');

export function optionalObjects(): Manifest[] {
  return manifestFiles(OPTIONAL).flatMap((file) => readYamlDocuments(join(REPO, file)).map((object) => ({ file, object })));
}

export function find(objects: readonly Manifest[], kind: string, name?: string): Json[] {
  return objects.map((m) => m.object).filter((o) => o.kind === kind && (name === undefined || (o.metadata as Json).name === name));
}
