import type { Advertisement, Peer, ServiceIngress, Snapshot } from '../api/model.js';
import { formatRef, type Problem, Problems, sortProblems } from '../api/problems.js';
import { bgpExtrasText, type BgpExtrasOptions } from './bgp-extras.js';
import { keyOf } from './keys.js';
import { announceVerdict, createAnnounceCache, type AnnounceVerdict } from './announce.js';
import { bfdProfileIntent } from './bfd-profiles.js';
import type { BfdProfileIntent, NodeForwarding, NodeIntent, TagIntent } from './model.js';
import { neighborSession } from './neighbor-session.js';
import { nodeContext } from './node-context.js';
import { scopeProblemsToNode } from './node-problems.js';
import { checkPeersOfNode, warnUnnumberedWithoutRouterId, neighborId, peersOnNode, resolvePassword } from './node-peers.js';
import { aggregateKeyed, compareStrings, type KeyedPrefix } from './prefixes.js';
import { buildRouters, type PrefixSources } from './routers.js';
import { assignTagIds, checkAdvertisementSets, TAG_ROUTE_MAP_SEQ, tagRouteMapName } from './tags.js';
import { formatRelease, type ReleaseForms } from './frr-release.js';
import { frrLogLines, type FrrLogLevel } from './frr-log-level.js';

export interface IntentOptions {
  readonly node: string;
  readonly redactPasswords: boolean;
  readonly hostname: string | null;
  /** Folder mode without EndpointSlices: every service counts as having ready endpoints on every node. */
  readonly assumeEndpointsReady: boolean;
  /** The speaker's `--lb-class`: only Services of that class; undefined = only Services without one. */
  readonly loadBalancerClass?: string;
  /** The speaker's `--ignore-exclude-lb`: announce from nodes labelled exclude-from-external-load-balancers too. */
  readonly ignoreExcludeLb?: boolean;
  /** FRR's log level (`log stdout`); default informational (the speaker's default `info`). */
  readonly frrLogLevel?: FrrLogLevel;
  /** Append MetalLB's bgpextras lines (`--bgp-extras`), with FRR's verdict on them when there is one. */
  readonly bgpExtras?: BgpExtrasOptions;
  /** The FRR release rendered for, resolved to its forms (`formsFor`). */
  readonly frr: ReleaseForms;
  /** The node's IP forwarding as FRR reports it; default on (a router's). */
  readonly forwarding?: NodeForwarding;
}

export interface ServiceVerdict {
  readonly service: string;
  readonly verdict: AnnounceVerdict;
  /** The service's LoadBalancer IPs, announced or not (so `explain` can name them). */
  readonly ingress: readonly ServiceIngress[];
}

export interface IntentResult {
  /** Undefined when the configuration has errors: the caller keeps the last good config. */
  readonly intent: NodeIntent | undefined;
  readonly services: readonly ServiceVerdict[];
  readonly problems: readonly Problem[];
}

/**
 * snapshot + node -> what this node's FRR must say. Pure: same inputs, same result, in any order.
 * `snapshotProblems` (what `buildSnapshot` found) are scoped to the node here and returned with the
 * intent's own; an error among them leaves the intent undefined like any other.
 */
export function buildIntent(snapshot: Snapshot, opts: IntentOptions, snapshotProblems: readonly Problem[] = []): IntentResult {
  const problems = new Problems();
  const node = nodeContext(snapshot, opts.node);
  for (const p of scopeProblemsToNode(snapshotProblems, snapshot, node)) problems.add(p);

  const peers = peersOnNode(snapshot.peers, node).sort((a, b) => compareStrings(neighborId(a), neighborId(b)) || compareStrings(keyOf(a), keyOf(b)));
  checkPeersOfNode(peers, node, problems);
  warnUnnumberedWithoutRouterId(peers, problems);
  const passwords = new Map(peers.map((p) => [p, resolvePassword(p, snapshot.secrets, problems)] as const));

  // Keys computed once: a comparator building them on every call is slow at thousands of services.
  const services = snapshot.services
    .map((s) => ({ s, key: keyOf(s) }))
    .sort((a, b) => compareStrings(a.key, b.key));
  const ctx = {
    node,
    pools: snapshot.pools,
    advertisements: snapshot.advertisements,
    endpointSlices: snapshot.endpointSlices,
    assumeEndpointsReady: opts.assumeEndpointsReady,
    loadBalancerClass: opts.loadBalancerClass,
    ignoreExcludeLb: opts.ignoreExcludeLb ?? false,
  };
  const cache = createAnnounceCache();
  const verdicts = services.map(({ s, key }) => ({ service: key, ingress: s.ingress, verdict: announceVerdict(s, ctx, cache) }));
  const sources = prefixSources(verdicts);
  checkAdvertisementSets([...sources.values()].map((s) => s.tagKey), opts.node, problems);

  if (problems.hasErrors()) {
    return { intent: undefined, services: verdicts, problems: sortProblems(problems.list) };
  }

  const tagIds = assignTagIds([...sources.values()].map((s) => s.tagKey));
  const advsByKey = new Map<string, Advertisement>(snapshot.advertisements.map((a) => [keyOf(a), a]));
  const routers = buildRouters({
    peers,
    sessions: new Map(peers.map((p: Peer) => [p, neighborSession(p, passwords.get(p) ?? null, opts.redactPasswords, opts.frr.forms)])),
    sources,
    tagIds,
    advsByKey,
    aliases: snapshot.communityAliases,
    forms: opts.frr.forms,
    problems,
  });

  const tags: TagIntent[] = [...new Map([...sources.values()].map((s) => [s.tagKey, s.advertisements])).entries()]
    .map(([key, advertisements]) => ({ id: tagIds.get(key)!, routeMap: tagRouteMapName(tagIds.get(key)!), seq: TAG_ROUTE_MAP_SEQ, advertisements }))
    .filter((t) => routers.some((r) => [r.ipv4, r.ipv6].some((af) => af?.networks.some((n) => n.routeMap === t.routeMap))))
    .sort((a, b) => a.id - b.id);

  const referenced = new Set(peers.flatMap((p) => (p.bfdProfile ? [p.bfdProfile] : [])));
  const bfdProfiles: BfdProfileIntent[] = snapshot.bfdProfiles
    .filter((p) => referenced.has(p.ref.name))
    .map(bfdProfileIntent)
    .sort((a, b) => compareStrings(a.name, b.name));

  const log = frrLogLines(opts.frrLogLevel ?? 'informational');
  const extrasText = bgpExtrasText(snapshot.bgpExtras, opts.bgpExtras, problems);
  const intent: NodeIntent = {
    node: opts.node,
    hostname: opts.hostname,
    logLevel: log.level,
    debugLines: log.debug,
    frrRelease: formatRelease(opts.frr.basis),
    nhtResolveViaDefault: opts.frr.forms.nhtResolveViaDefault,
    forwarding: opts.forwarding ?? { ipv4: true, ipv6: true },
    tags,
    routers,
    bfdProfiles,
    // The template ends the text with its own newline.
    extras: extrasText === null || snapshot.bgpExtras === undefined ? null : { source: formatRef(snapshot.bgpExtras.ref), text: extrasText.replace(/\n$/, '') },
  };
  return { intent, services: verdicts, problems: sortProblems(problems.list) };
}

/** Every prefix this node announces, with the advertisements and services behind it. */
function prefixSources(verdicts: readonly { service: string; verdict: AnnounceVerdict }[]): Map<string, PrefixSources> {
  // Arrays instead of sets: a prefix usually has one service and one or two advertisements.
  // Verdicts come in service order, so a service repeats only right after itself.
  const collected = new Map<string, { key: KeyedPrefix; advs: string[]; svcs: string[] }>();
  const advKeys = new Map<Advertisement, string>();
  for (const { service, verdict } of verdicts) {
    if (!verdict.announced) continue;
    for (const { ip, family, value: big } of verdict.ingress) {
      const value = family === 'ipv4' ? Number(big) : big;
      for (const adv of verdict.advertisements) {
        let advKey = advKeys.get(adv);
        if (advKey === undefined) advKeys.set(adv, (advKey = keyOf(adv)));
        const key = aggregateKeyed(ip, value, family, family === 'ipv4' ? adv.aggregationLength : adv.aggregationLengthV6);
        const entry = collected.get(key.prefix);
        if (entry === undefined) {
          collected.set(key.prefix, { key, advs: [advKey], svcs: [service] });
          continue;
        }
        if (!entry.advs.includes(advKey)) entry.advs.push(advKey);
        if (entry.svcs[entry.svcs.length - 1] !== service) entry.svcs.push(service);
      }
    }
  }
  const out = new Map<string, PrefixSources>();
  // Prefixes with the same advertisements share one (readonly) list and key string.
  const interned = new Map<string, readonly string[]>();
  for (const [prefix, { key, advs, svcs }] of collected) {
    const tagKey = advs.length === 1 ? advs[0]! : advs.sort(compareStrings).join(',');
    let advertisements = interned.get(tagKey);
    if (advertisements === undefined) interned.set(tagKey, (advertisements = advs));
    out.set(prefix, { prefix, key, advertisements, tagKey, services: sortedUnique(svcs) });
  }
  return out;
}

/** The list sorted and without duplicates; it usually is already (services come in order). */
function sortedUnique(list: string[]): string[] {
  for (let i = 1; i < list.length; i++) {
    if (!(list[i - 1]! < list[i]!)) return [...new Set(list)].sort(compareStrings);
  }
  return list;
}
