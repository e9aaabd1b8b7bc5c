/**
 * Sends the status objects: diffs the desired objects against what exists (its own, found by label
 * or name), creates the missing ones, merge-patches `status` through the status subresource only
 * when it differs, and deletes the ones that no longer apply. What exists is listed once and then
 * remembered (re-listed every `resyncMs` and after any failed write), so polling while nothing
 * changes sends no request at all.
 */
import type { KindName, StatusObject } from './objects.js';

export interface ExistingObject {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly status: Readonly<Record<string, unknown>> | undefined;
}

export interface Scope {
  /** Undefined for cluster-scoped kinds. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

/** The API calls the writer makes; `k8s-status-api.ts` implements them with client-node. */
export interface StatusApi {
  list(kind: KindName, scope: Scope): Promise<ExistingObject[]>;
  /** Creates the object without status (the API server drops it on create when status is a subresource). */
  create(kind: KindName, obj: { readonly apiVersion: string; readonly kind: string; readonly metadata: Record<string, unknown> }): Promise<void>;
  /** Merge patch on `/status`. */
  patchStatus(kind: KindName, namespace: string | undefined, name: string, status: Record<string, unknown>): Promise<void>;
  /** Merge patch of `metadata.labels` on the object. */
  patchLabels(kind: KindName, namespace: string | undefined, name: string, labels: Record<string, string>): Promise<void>;
  delete(kind: KindName, namespace: string | undefined, name: string): Promise<void>;
}

export interface SyncResult {
  readonly created: number;
  readonly patched: number;
  readonly deleted: number;
}

/** JSON with sorted keys: two values are equal when their canonical texts are. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Objects diffed between two turns of the event loop. The ServiceBGPStatus diff at 10,000
 * services took 100-200 ms in one synchronous run after every apply; the sidecar's HTTP endpoints
 * (`/healthz`, and `explain`'s `/intent?service=`) waited for it. 500 objects are a few ms.
 */
const DIFF_SLICE = 500;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Cached {
  at: number;
  objects: Map<string, ExistingObject>;
}

export class StatusWriter {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly api: StatusApi,
    private readonly opts: { readonly resyncMs: number; readonly now: () => number; readonly ownerReferences?: readonly OwnerReference[] },
  ) {}

  /** True when the next `sync` of this scope lists again (never listed, failed, or `resyncMs` passed). */
  listDue(kind: KindName, scope: Scope): boolean {
    const cached = this.cache.get(cacheKey(kind, scope));
    return cached === undefined || this.opts.now() - cached.at >= this.opts.resyncMs;
  }

  /** Forgets what exists: the next sync lists again. */
  invalidate(kind?: KindName): void {
    if (kind === undefined) this.cache.clear();
    else for (const k of [...this.cache.keys()]) if (k.startsWith(`${kind}|`)) this.cache.delete(k);
  }

  /**
   * Makes the objects of `kind` within `scope` equal `desired(existing statuses by name)`.
   * On any failure the cache of the kind is dropped (re-listed next time) and the error rethrown.
   */
  async sync(
    kind: KindName,
    scope: Scope,
    desired: (existing: ReadonlyMap<string, ExistingObject>) => readonly StatusObject[],
  ): Promise<SyncResult> {
    const key = cacheKey(kind, scope);
    let cached = this.cache.get(key);
    const now = this.opts.now();
    try {
      if (cached === undefined || now - cached.at >= this.opts.resyncMs) {
        const listed = await this.api.list(kind, scope);
        cached = { at: now, objects: new Map(listed.map((o) => [o.name, o])) };
        this.cache.set(key, cached);
      }
      const objects = cached.objects;
      const want = desired(objects);
      let created = 0;
      let patched = 0;
      let deleted = 0;
      const wanted = new Set<string>();
      let diffed = 0;
      for (const obj of want) {
        if (++diffed % DIFF_SLICE === 0) await nextTurn();
        const name = obj.metadata.name;
        wanted.add(name);
        const existing = objects.get(name);
        const labels = { ...obj.metadata.labels };
        if (existing === undefined) {
          await this.api.create(kind, {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            metadata: {
              name,
              ...(obj.metadata.namespace !== undefined ? { namespace: obj.metadata.namespace } : {}),
              labels,
              // The speaker Pod owns namespaced objects (garbage-collected with it). A cluster-scoped
              // object (FRRNodeState) cannot have a namespaced owner: Kubernetes would ignore it.
              ...(this.opts.ownerReferences?.length && obj.metadata.namespace !== undefined
                ? { ownerReferences: this.opts.ownerReferences.map((o) => ({ ...o, controller: false })) }
                : {}),
            },
          });
          objects.set(name, { name, labels, status: undefined });
          created++;
        } else if (!Object.entries(labels).every(([k, v]) => existing.labels[k] === v)) {
          await this.api.patchLabels(kind, obj.metadata.namespace, name, labels);
          objects.set(name, { ...existing, labels: { ...existing.labels, ...labels } });
        }
        const current = objects.get(name)!;
        if (canonical(current.status ?? {}) !== canonical(obj.status)) {
          const patch: Record<string, unknown> = { ...obj.status };
          for (const k of Object.keys(current.status ?? {})) if (!(k in obj.status)) patch[k] = null;
          await this.api.patchStatus(kind, obj.metadata.namespace, name, patch);
          objects.set(name, { ...current, status: structuredClone(obj.status) });
          patched++;
        }
      }
      for (const [name] of [...objects]) {
        if (wanted.has(name)) continue;
        await this.api.delete(kind, scope.namespace, name);
        objects.delete(name);
        deleted++;
      }
      return { created, patched, deleted };
    } catch (err) {
      this.cache.delete(key);
      throw err;
    }
  }
}

function cacheKey(kind: KindName, scope: Scope): string {
  return `${kind}|${scope.namespace ?? ''}|${scope.labelSelector ?? ''}|${scope.fieldSelector ?? ''}`;
}
