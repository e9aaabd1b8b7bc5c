import { announceVerdict, createAnnounceCache, type AnnounceContext } from '../../../src/intent/announce.js';
import { adv, pool, service, slice } from '../../support/builders.js';

const node = { name: 'worker-0', labels: { 'kubernetes.io/hostname': 'worker-0' }, networkUnavailable: false, known: true };
const pools = [pool('p1', ['198.51.100.0/24', '2001:db8:1::/64'])];

function ctx(over: Partial<AnnounceContext> = {}): AnnounceContext {
  return { node, pools, advertisements: [adv('a1')], endpointSlices: [], assumeEndpointsReady: true, loadBalancerClass: undefined, ignoreExcludeLb: false, ...over };
}

const reason = (v: ReturnType<typeof announceVerdict>) => (v.announced ? 'announced' : v.reason);

describe('announceVerdict (MetalLB ShouldAnnounce, in its order)', () => {
  const svc = service('shop', 'web', ['198.51.100.10']);

  it('announces a LoadBalancer service of an advertised pool', () => {
    const v = announceVerdict(svc, ctx());
    expect(v.announced && v.pool.ref.name).toBe('p1');
  });

  it('skips other service types, classes and services without an IP', () => {
    expect(reason(announceVerdict(service('shop', 'web', ['198.51.100.10'], { type: 'ClusterIP' }), ctx()))).toBe('notLoadBalancer');
    expect(reason(announceVerdict(service('shop', 'web', ['198.51.100.10'], { loadBalancerClass: 'other' }), ctx()))).toBe('otherLoadBalancerClass');
    expect(reason(announceVerdict(service('shop', 'web', []), ctx()))).toBe('noIngressIP');
  });

  it('needs one pool containing every ingress IP', () => {
    expect(reason(announceVerdict(service('shop', 'web', ['203.0.113.1']), ctx()))).toBe('ipNotAllowed');
    expect(reason(announceVerdict(service('shop', 'web', ['198.51.100.1', '2001:db8:1::5']), ctx()))).toBe('announced');
    expect(reason(announceVerdict(service('shop', 'web', ['198.51.100.1', '2001:db8:2::5']), ctx()))).toBe('ipNotAllowed');
  });

  it('tells "no advertisement for this node" from "no advertisement at all"', () => {
    expect(reason(announceVerdict(svc, ctx({ advertisements: [] })))).toBe('poolNotAdvertised');
    const elsewhere = adv('a1', { nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'worker-1' }, matchExpressions: [] }] });
    const v = announceVerdict(svc, ctx({ advertisements: [elsewhere] }));
    expect(reason(v)).toBe('advertisementNotForNode');
    expect(v.announced ? '' : v.detail).toContain('do not select node worker-0');
  });

  it('applies serviceSelectors', () => {
    const selective = adv('a1', { serviceSelectors: [{ matchLabels: { tier: 'public' }, matchExpressions: [] }] });
    expect(reason(announceVerdict(svc, ctx({ advertisements: [selective] })))).toBe('noMatchingAdvertisement');
    expect(reason(announceVerdict({ ...svc, labels: { tier: 'public' } }, ctx({ advertisements: [selective] })))).toBe('announced');
  });

  it('refuses conflicting local preferences for the same prefixes', () => {
    const two = [adv('a1', { localPref: 100 }), adv('a2', { localPref: 200 })];
    const conflict = announceVerdict(svc, ctx({ advertisements: two }));
    expect(reason(conflict)).toBe('conflictingAdvertisements');
    expect(conflict.announced ? '' : conflict.detail).toMatch(/^BGPAdvertisement [^ ]+\/a2: spec\.localPref: localPref 200 conflicts with localPref 100 of BGPAdvertisement a1: /);
    const disjoint = [adv('a1', { localPref: 100, peers: ['p1'] }), adv('a2', { localPref: 200, peers: ['p2'] })];
    expect(reason(announceVerdict(svc, ctx({ advertisements: disjoint })))).toBe('announced');
  });

  it('honours the node conditions and the exclusion label', () => {
    expect(reason(announceVerdict(svc, ctx({ node: { ...node, networkUnavailable: true } })))).toBe('nodeNetworkUnavailable');
    const labels = { ...node.labels, 'node.kubernetes.io/exclude-from-external-load-balancers': '' };
    expect(reason(announceVerdict(svc, ctx({ node: { ...node, labels } })))).toBe('nodeLabeledExcludeBalancers');
  });

  it('externalTrafficPolicy Local needs a ready endpoint on this node; Cluster any ready endpoint', () => {
    const local = { ...svc, externalTrafficPolicy: 'Local' as const };
    const observed = { assumeEndpointsReady: false };
    expect(reason(announceVerdict(local, ctx({ ...observed, endpointSlices: [slice('shop', 'web', ['worker-1'])] })))).toBe('noLocalEndpoints');
    expect(reason(announceVerdict(local, ctx({ ...observed, endpointSlices: [slice('shop', 'web', ['worker-0'])] })))).toBe('announced');
    expect(reason(announceVerdict(local, ctx({ ...observed, endpointSlices: [slice('shop', 'web', ['worker-0'], false)] })))).toBe('noLocalEndpoints');
    expect(reason(announceVerdict(svc, ctx({ ...observed, endpointSlices: [slice('shop', 'web', ['worker-1'])] })))).toBe('announced');
    expect(reason(announceVerdict(svc, ctx({ ...observed, endpointSlices: [slice('other', 'web', ['worker-1'])] })))).toBe('noEndpoints');
  });
});

describe('announceVerdict keeps nothing between calls (issue 14, item 7)', () => {
  const svc = service('shop', 'web', ['198.51.100.10']);
  it('a context object given again with other contents is decided anew: no cache keyed by its identity', () => {
    const c = ctx() as { -readonly [K in keyof AnnounceContext]: AnnounceContext[K] };
    expect(reason(announceVerdict(svc, c))).toBe('announced');
    c.advertisements = [];
    expect(reason(announceVerdict(svc, c))).toBe('poolNotAdvertised');
  });
  it('the cache is the caller\'s: shared by the verdicts of one context when passed', () => {
    const cache = createAnnounceCache();
    expect(reason(announceVerdict(svc, ctx(), cache))).toBe('announced');
    expect(cache.pools.size).toBe(1);
  });
});
