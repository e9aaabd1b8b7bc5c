import { anySelectorMatches } from '../api/label-selector.js';
import type { Advertisement, EndpointSlice, Pool, Service, ServiceIngress } from '../api/model.js';
import { advertisementAppliesTo } from '../api/advertisement-pools.js';
import { keyOf } from './keys.js';
import { localPrefConflict } from './local-pref.js';
import { EXCLUDE_LB_LABEL, type NodeContext } from './node-context.js';
import { ipToBigInt } from './prefixes.js';

/** Why a service is not announced from this node: MetalLB's reasons, plus the ones before them. */
export type NotAnnouncedReason =
  | 'notLoadBalancer'
  | 'otherLoadBalancerClass'
  | 'noIngressIP'
  | 'ipNotAllowed'
  | 'notOwner'
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
}

/**
 * Does this node announce the service, and with which advertisements? Checks run in MetalLB's
 * order (speaker `ShouldAnnounce`), and the first failing one gives the reason, so `explain` can
 * say exactly why a service is missing.
 */
export function announceVerdict(svc: Service, ctx: AnnounceContext): AnnounceVerdict {
  const no = (reason: NotAnnouncedReason, detail: string): AnnounceVerdict => ({ announced: false, reason, detail });

  if (svc.type !== 'LoadBalancer') return no('notLoadBalancer', `type is ${svc.type}, not LoadBalancer`);
  if (svc.loadBalancerClass !== ctx.loadBalancerClass) {
    return no('otherLoadBalancerClass', `loadBalancerClass ${svc.loadBalancerClass ?? '(none)'} is not handled by this speaker`);
  }
  if (svc.ingress.length === 0) return no('noIngressIP', 'status.loadBalancer.ingress has no IP yet');

  const pool = ctx.pools.find((p) => svc.ingress.every((i) => poolContains(p, i.ip, i.family)));
  if (!pool) return no('ipNotAllowed', `no IPAddressPool contains ${svc.ingress.map((i) => i.ip).join(', ')}`);

  const ofPool = ctx.advertisements.filter((a) => advertisementAppliesTo(a, pool));
  const onNode = ofPool.filter((a) => anySelectorMatches(a.nodeSelectors, ctx.node.labels));
  if (onNode.length === 0) {
    const detail = ofPool.length === 0
      ? `no BGPAdvertisement selects pool ${pool.ref.name}`
      : `the BGPAdvertisements of pool ${pool.ref.name} (${ofPool.map(keyOf).join(', ')}) do not select node ${ctx.node.name}`;
    return no('notOwner', detail);
  }
  const matching = onNode.filter((a) => a.serviceSelectors.length === 0 || anySelectorMatches(a.serviceSelectors, svc.labels));
  if (matching.length === 0) {
    return no('noMatchingAdvertisement', `the serviceSelectors of ${onNode.map(keyOf).join(', ')} do not match the service's labels`);
  }
  const conflict = localPrefConflict(matching, pool);
  if (conflict) return no('conflictingAdvertisements', conflict);

  if (ctx.node.networkUnavailable) return no('nodeNetworkUnavailable', `node ${ctx.node.name} has condition NetworkUnavailable=True`);
  if (EXCLUDE_LB_LABEL in ctx.node.labels) return no('nodeLabeledExcludeBalancers', `node ${ctx.node.name} has label ${EXCLUDE_LB_LABEL}`);

  if (!ctx.assumeEndpointsReady) {
    const endpoints = ctx.endpointSlices
      .filter((s) => s.ref.namespace === svc.ref.namespace && s.serviceName === svc.ref.name)
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

function poolContains(pool: Pool, ip: string, family: 'ipv4' | 'ipv6'): boolean {
  const n = ipToBigInt(ip);
  return pool.ranges.some((r) => r.family === family && r.first <= n && n <= r.last);
}
