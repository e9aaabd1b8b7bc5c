/** `StatusApi` on client-node's CustomObjectsApi: merge patches, the status subresource for status. */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { KINDS, type KindName } from './objects.js';
import type { ExistingObject, Scope, StatusApi } from './writer.js';

type Json = Record<string, unknown>;

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function isNotFound(err: unknown): boolean {
  return (err as { code?: number })?.code === 404;
}

export function createK8sStatusApi(kubeConfig: KubeConfig): StatusApi {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const base = (kind: KindName) => ({ group: KINDS[kind].group, version: KINDS[kind].version, plural: KINDS[kind].plural });
  return {
    async list(kind: KindName, scope: Scope): Promise<ExistingObject[]> {
      const sel = {
        ...(scope.labelSelector ? { labelSelector: scope.labelSelector } : {}),
        ...(scope.fieldSelector ? { fieldSelector: scope.fieldSelector } : {}),
      };
      const res = (KINDS[kind].namespaced
        ? await api.listNamespacedCustomObject({ ...base(kind), namespace: scope.namespace ?? 'default', ...sel })
        : await api.listClusterCustomObject({ ...base(kind), ...sel })) as Json;
      const items = Array.isArray(res.items) ? (res.items as Json[]) : [];
      return items.map((o) => {
        const meta = (o.metadata ?? {}) as Json;
        return {
          name: String(meta.name),
          labels: (meta.labels ?? {}) as Record<string, string>,
          status: (o.status ?? undefined) as Json | undefined,
        };
      });
    },
    async create(kind, obj) {
      const ns = obj.metadata.namespace as string | undefined;
      if (KINDS[kind].namespaced) await api.createNamespacedCustomObject({ ...base(kind), namespace: ns ?? 'default', body: obj });
      else await api.createClusterCustomObject({ ...base(kind), body: obj });
    },
    async patchStatus(kind, namespace, name, status) {
      const body = { status };
      if (KINDS[kind].namespaced) await api.patchNamespacedCustomObjectStatus({ ...base(kind), namespace: namespace ?? 'default', name, body }, MERGE);
      else await api.patchClusterCustomObjectStatus({ ...base(kind), name, body }, MERGE);
    },
    async patchLabels(kind, namespace, name, labels) {
      const body = { metadata: { labels } };
      if (KINDS[kind].namespaced) await api.patchNamespacedCustomObject({ ...base(kind), namespace: namespace ?? 'default', name, body }, MERGE);
      else await api.patchClusterCustomObject({ ...base(kind), name, body }, MERGE);
    },
    async delete(kind, namespace, name) {
      try {
        if (KINDS[kind].namespaced) await api.deleteNamespacedCustomObject({ ...base(kind), namespace: namespace ?? 'default', name });
        else await api.deleteClusterCustomObject({ ...base(kind), name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}
