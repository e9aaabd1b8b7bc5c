/**
 * `--source k8s`: the objects this node needs, from Kubernetes, through supervised list/watch
 * loops (see `reflector.ts`). `state().objects` are the wire JSON objects with `apiVersion`, `kind`
 * and `source: 'k8s'` set, exactly what `api/` decodes from a folder.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { RawObject } from '../../api/decode.js';
import type { Source, SourceEvent, SourceState } from '../source.js';
import type { Backoff } from '../../ops/backoff.js';
import { realClock, type Clock } from '../../ops/clock.js';
import { Reflector, type ReflectorStatus } from './reflector.js';
import { nodeResources, type ResourceSpec } from './resources.js';
import { createKubeTransport, type KubeTransport } from './transport.js';

export interface KubernetesSourceOptions {
  readonly kubeConfig: KubeConfig;
  /** This node's name: only its Node object is watched. */
  readonly node: string;
  /** Where MetalLB's objects and the peers' Secrets live. */
  readonly metallbNamespace: string;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Restart a watch that received nothing (no event, no bookmark) for this long. Default 10 min. */
  readonly watchdogMs?: number;
  /** Restart backoff (exponential, equal jitter: `ops/backoff.ts`). Default 500 ms doubling to 60 s. */
  readonly backoff?: Backoff;
  /** Base of the server-side watch timeout (randomised up to twice that). Default 240 s. */
  readonly watchTimeoutSeconds?: number;
  /** A watch that ends cleanly after this long is normal even with no event. Default 30 s. */
  readonly healthyWatchMs?: number;
  /** `limit` of list pages. Default 500. */
  readonly pageSize?: number;
  /** Per list request. Default 60 s. */
  readonly listTimeoutMs?: number;
  /** Replaces the client-node transport (tests). */
  readonly transport?: KubeTransport;
  /** Replaces the watched resources (default: `nodeResources(metallbNamespace, node)`). */
  readonly resources?: readonly ResourceSpec[];
}

export interface KubernetesSource extends Source {
  /** Per resource: synced, object count, resourceVersion, restarts, relists (for /readyz and metrics). */
  resourceStatus(): ReflectorStatus[];
}

export function createKubernetesSource(opts: KubernetesSourceOptions): KubernetesSource {
  const transport =
    opts.transport ??
    createKubeTransport(opts.kubeConfig, opts.listTimeoutMs === undefined ? {} : { listTimeoutMs: opts.listTimeoutMs });
  const specs = opts.resources ?? nodeResources(opts.metallbNamespace, opts.node);
  let reflectors: Reflector[] = [];
  let started = false;
  let version = 0;
  let cached: { version: number; state: SourceState } | undefined;

  return {
    async start(onChange: () => void, onEvent?: (e: SourceEvent) => void): Promise<void> {
      if (started) throw new Error('the Kubernetes source is already started');
      started = true;
      const changed = (): void => {
        version++;
        try {
          onChange();
        } catch {
          // The reconciler's failure is not the watch's.
        }
      };
      reflectors = specs.map(
        (spec) =>
          new Reflector({
            transport,
            spec,
            clock: opts.clock ?? realClock,
            random: opts.random ?? Math.random,
            watchdogMs: opts.watchdogMs ?? 600_000,
            backoff: opts.backoff ?? { initialMs: 500, maxMs: 60_000 },
            watchTimeoutSeconds: opts.watchTimeoutSeconds ?? 240,
            healthyWatchMs: opts.healthyWatchMs ?? 30_000,
            pageSize: opts.pageSize ?? 500,
            onChange: changed,
            onEvent: (e) => onEvent?.(e),
          }),
      );
      for (const r of reflectors) r.start();
    },

    state(): SourceState {
      if (cached?.version === version) return cached.state;
      const objects: RawObject[] = [];
      for (const r of reflectors) for (const o of r.objects()) objects.push(o); // no spread: 100,000+ objects
      const synced = reflectors.length > 0 && reflectors.every((r) => r.synced);
      const state: SourceState = { objects, problems: [], synced };
      cached = { version, state };
      return state;
    },

    async stop(): Promise<void> {
      for (const r of reflectors) r.stop();
    },

    resourceStatus(): ReflectorStatus[] {
      return reflectors.map((r) => r.status());
    },
  };
}
