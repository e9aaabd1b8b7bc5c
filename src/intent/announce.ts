import { anySelectorMatches } from '../api/label-selector.js';
import type { Advertisement, EndpointSlice, Pool, Service, ServiceIngress } from '../api/model.js';
import { advertisementAppliesTo } from '../api/advertisement-pools.js';
import { keyOf } from './keys.js';
import { describeLocalPrefConflict, localPrefConflicts } from '../api/localpref-conflicts.js';
import { EXCLUDE_LB_LABEL, type NodeContext } from './node-context.js';

/**
 * Why a service is not announced from this node: MetalLB's reasons, plus the ones before them.
 * The one set of reasons: `status/explain.ts` reports these values as they are, never by reading
 * the detail text. MetalLB's `notOwner` is two reasons here: no advertisement for the pool at all
 * (`poolNotAdvertised`), or none that selects this node (`advertisementNotForNode`).
 */
export type NotAnnouncedReason =
  | 'notLoadBalancer'
  | 'otherLoadBalancerClass'
  | 'noIngressIP'
  | 'ipNotAllowed'
  | 'poolNotAdvertised'
  | 'advertisementNotForNode'
  | 'noMatchingAdvertisement'
  | 'conflictingAdvertisements'
  | 'nodeNetworkUnavailable'
  | 'nodeLabeledExcludeBalancers'
  | 'noLocalEndpoints'
  | 'noEndpoints';

export type AnnounceVerdict =
  | { readonly announced: true; readonly pool: Pool; readonly advertisements: readonly Advertisement[]; readonly ingress: readonly ServiceIngress[] }
  | { readonly announced: false; readonly reason: NotAnnouncedReason; readonly detail: string };

export interface AnnounceContext {
  readonly node: NodeContext;
  readonly pools: readonly Pool[];
  /** All advertisements of the cluster (to tell "no advertisement" from "not for this node"). */
  readonly advertisements: readonly Advertisement[];
  readonly endpointSlices: readonly EndpointSlice[];
  /** Folder mode without any EndpointSlice: treat every service as having ready endpoints everywhere. */
  readonly assumeEndpointsReady: boolean;
  /** The speaker's `--lb-class`; undefined = only services without a class. */
  readonly loadBalancerClass: string | undefined;
  /** The speaker's `--ignore-exclude-lb`: the exclude-from-external-load-balancers label is not looked at. */
  readonly ignoreExcludeLb: boolean;
}

/**
 * Does this node announce the service, and with which advertisements? Checks run in MetalLB's
 * order (speaker `ShouldAnnounce`), and the first failing one gives the reason, so `explain` can
 * say exactly why a service is missing.
 */
export function announceVerdict(svc: Service, ctx: AnnounceContext, cache: AnnounceCache = createAnnounceCache()): AnnounceVerdict {
  const no = (reason: NotAnnouncedReason, detail: string): AnnounceVerdict => ({ announced: false, reason, detail });

  if (svc.type !== 'LoadBalancer') return no('notLoadBalancer', `type is ${svc.type}, not LoadBalancer`);
  // MetalLB's filterByLoadBalancerClass: with --lb-class only that class, without it only Services
  // that have no class.
  if (svc.loadBalancerClass !== ctx.loadBalancerClass) {
    const handled = ctx.loadBalancerClass === undefined ? 'only Services without a class (no --lb-class)' : `only loadBalancerClass ${ctx.loadBalancerClass} (--lb-class)`;
    return no('otherLoadBalancerClass', `loadBalancerClass ${svc.loadBalancerClass ?? '(none)'} is not handled by this speaker, which announces ${handled}`);
  }
  if (svc.ingress.length === 0) return no('noIngressIP', 'status.loadBalancer.ingress has no IP yet');

  const pool = ctx.pools.find((p) => svc.ingress.every((i) => poolContains(p, i.value, i.family)));
  if (!pool) return no('ipNotAllowed', `no IPAddressPool contains ${svc.ingress.map((i) => i.ip).join(', ')}`);

  const perPool = poolAdvertisements(cache, pool, ctx);
  const { ofPool, onNode } = perPool;
  if (ofPool.length === 0) return no('poolNotAdvertised', `no BGPAdvertisement selects pool ${pool.ref.name}`);
  if (onNode.length === 0) {
    return no('advertisementNotForNode', `the BGPAdvertisements of pool ${pool.ref.name} (${ofPool.map(keyOf).join(', ')}) do not select node ${ctx.node.name}`);
  }
  // Without serviceSelectors every service of the pool gets the same list (and the same verdict
  // on localPref), computed once per pool.
  const matching = perPool.noServiceSelectors
    ? onNode
    : onNode.filter((a) => a.serviceSelectors.length === 0 || anySelectorMatches(a.serviceSelectors, svc.labels));
  if (matching.length === 0) {
    return no('noMatchingAdvertisement', `the serviceSelectors of ${onNode.map(keyOf).join(', ')} do not match the service's labels`);
  }
  let conflict: string | undefined;
  if (perPool.noServiceSelectors) {
    if (perPool.conflict === null) perPool.conflict = localPrefConflict(matching, pool);
    conflict = perPool.conflict;
  } else {
    conflict = localPrefConflict(matching, pool);
  }
  if (conflict) return no('conflictingAdvertisements', conflict);

  if (ctx.node.networkUnavailable) return no('nodeNetworkUnavailable', `node ${ctx.node.name} has condition NetworkUnavailable=True`);
  if (!ctx.ignoreExcludeLb && EXCLUDE_LB_LABEL in ctx.node.labels) {
    return no('nodeLabeledExcludeBalancers', `node ${ctx.node.name} has label ${EXCLUDE_LB_LABEL} (the speaker runs without --ignore-exclude-lb)`);
  }

  if (!ctx.assumeEndpointsReady) {
    const endpoints = slicesOf(cache, ctx, svc)
      .flatMap((s) => s.endpoints)
      .filter((e) => e.hasAddresses && e.canServe);
    if (svc.externalTrafficPolicy === 'Local') {
      if (!endpoints.some((e) => e.nodeName === ctx.node.name)) {
        return no('noLocalEndpoints', `externalTrafficPolicy is Local and no ready endpoint runs on node ${ctx.node.name}`);
      }
    } else if (endpoints.length === 0) {
      return no('noEndpoints', 'the service has no ready endpoint');
    }
  }
  return { announced: true, pool, advertisements: matching, ingress: svc.ingress };
}

/**
 * MetalLB's speaker-time check: the advertisements that match one service (after serviceSelectors)
 * must agree on localPref for the prefixes they share. They all select this node, so they share it.
 * The first conflict in words, or undefined.
 */
function localPrefConflict(advs: readonly Advertisement[], pool: Pool): string | undefined {
  const first = localPrefConflicts(advs, [pool], () => true)[0];
  return first === undefined ? undefined : `BGPAdvertisement ${keyOf(first.second)}: spec.localPref: ${describeLocalPrefConflict(first)}`;
}

function poolContains(pool: Pool, n: bigint, family: 'ipv4' | 'ipv6'): boolean {
  return pool.ranges.some((r) => r.family === family && r.first <= n && n <= r.last);
}

/**
 * What is the same for every service of one `buildIntent` call, computed on first use: the
 * advertisements of each pool, and the EndpointSlices by service. The caller creates one per
 * context (`createAnnounceCache`) and passes it with every verdict of that context: nothing is
 * kept between calls, and a new context gets a new cache.
 */
export interface AnnounceCache {
  readonly pools: Map<Pool, PoolAdvertisements>;
  slicesByService: Map<string, EndpointSlice[]> | undefined;
}

interface PoolAdvertisements {
  readonly ofPool: readonly Advertisement[];
  readonly onNode: readonly Advertisement[];
  readonly noServiceSelectors: boolean;
  /** localPref conflict of `onNode` when `noServiceSelectors`; null = not computed yet. */
  conflict: string | undefined | null;
}

export function createAnnounceCache(): AnnounceCache {
  return { pools: new Map(), slicesByService: undefined };
}

function poolAdvertisements(cache: AnnounceCache, pool: Pool, ctx: AnnounceContext): PoolAdvertisements {
  let entry = cache.pools.get(pool);
  if (entry === undefined) {
    const ofPool = ctx.advertisements.filter((a) => advertisementAppliesTo(a, pool));
    const onNode = ofPool.filter((a) => anySelectorMatches(a.nodeSelectors, ctx.node.labels));
    entry = { ofPool, onNode, noServiceSelectors: onNode.every((a) => a.serviceSelectors.length === 0), conflict: null };
    cache.pools.set(pool, entry);
  }
  return entry;
}

/** The service's EndpointSlices, in snapshot order. */
function slicesOf(cache: AnnounceCache, ctx: AnnounceContext, svc: Service): readonly EndpointSlice[] {
  if (cache.slicesByService === undefined) {
    cache.slicesByService = new Map();
    for (const s of ctx.endpointSlices) {
      const key = `${s.ref.namespace}/${s.serviceName}`;
      const list = cache.slicesByService.get(key);
      if (list) list.push(s);
      else cache.slicesByService.set(key, [s]);
    }
  }
  return cache.slicesByService.get(`${svc.ref.namespace}/${svc.ref.name}`) ?? [];
}
