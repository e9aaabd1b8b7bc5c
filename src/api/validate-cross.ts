/**
 * Checks between objects that do not depend on the node being rendered: overlapping pools,
 * aliases, duplicate advertisements, aggregation lengths, BFD echo with IPv6, references to other
 * objects, and localPref conflicts.
 */
import { poolsOfAdvertisement } from './advertisement-pools.js';
import { communityRefText } from './community-values.js';
import { checkObjectNameRef } from './k8s-names.js';
import { parseCidr } from './ip.js';
import { selectorKey } from './label-selector.js';
import { checkLocalPrefCompatibility } from './localpref-conflicts.js';
import type { Advertisement, Pool, PoolRange, Snapshot } from './model.js';
import { makeShareNode } from './node-sharing.js';
import { ignoredOn, selectsScope, type NodeScope } from './node-scope.js';
import { formatRef, Problems, q } from './problems.js';


/**
 * `scope`: the node being rendered. Checks between a peer and an advertisement, or between two
 * advertisements, then report as errors only what happens on that node; what happens only on
 * other nodes is a warning (MetalLB's speaker validates only the BGPPeers and BGPAdvertisements
 * that select its node). Without a scope (`check` of a whole folder) every node counts.
 */
export function validateCross(s: Snapshot, problems: Problems, metallbNamespace: string, scope?: NodeScope): void {
  checkPoolOverlaps(s.pools, problems);
  checkAliasNames(s, problems);
  checkDuplicateAdvertisements(s.advertisements, problems);
  checkAggregationLengths(s.advertisements, s.pools, problems);
  checkReferences(s, problems, metallbNamespace);
  checkBfdEcho(s, problems, scope);
  const shareNode = makeShareNode(s.nodes);
  checkLocalPrefCompatibility(
    s.advertisements.filter((a) => a.serviceSelectors.length === 0),
    s.pools,
    shareNode,
    problems,
    scope,
  );
}

/**
 * An address can belong to one pool only. The entries of all pools are swept in address order,
 * keeping the one that reaches highest so far: an entry that starts before that reach overlaps it.
 * n log n in the number of entries (pairwise was 8 s at 40,000), and each entry gets at most one
 * error, on whichever of the two comes later in pool order, naming the other.
 */
export function checkPoolOverlaps(pools: readonly Pool[], problems: Problems): void {
  interface Entry { readonly pool: Pool; readonly index: number; readonly range: PoolRange; readonly order: number }
  const entries: Entry[] = [];
  for (const pool of pools) pool.ranges.forEach((range, index) => entries.push({ pool, index, range, order: entries.length }));
  const reported = new Set<number>();
  for (const family of ['ipv4', 'ipv6'] as const) {
    const sorted = entries
      .filter((e) => e.range.family === family)
      .sort((a, b) => (a.range.first < b.range.first ? -1 : a.range.first > b.range.first ? 1 : a.order - b.order));
    let reach: Entry | undefined;
    for (const e of sorted) {
      if (reach !== undefined && reach.range.last >= e.range.first) {
        const [later, earlier] = e.order > reach.order ? [e, reach] : [reach, e];
        if (!reported.has(later.order)) {
          reported.add(later.order);
          const [mine, theirs] = overlappingCidrs(later.range.cidrs, earlier.range.cidrs);
          problems.error(
            later.pool.ref,
            `spec.addresses[${later.index}]`,
            `CIDR ${mine} in pool ${later.pool.ref.name} overlaps with CIDR ${theirs} in pool ${earlier.pool.ref.name}: an address can belong to one pool only; remove the overlap`,
          );
        }
      }
      if (reach === undefined || e.range.last > reach.range.last) reach = e;
    }
  }
}

function cidrBounds(cidr: string): [bigint, bigint] {
  const c = parseCidr(cidr);
  return c.ok ? [c.value.first, c.value.last] : [0n, -1n];
}

function overlappingCidrs(a: readonly string[], b: readonly string[]): [string, string] {
  for (const x of a) {
    const [xf, xl] = cidrBounds(x);
    for (const y of b) {
      const [yf, yl] = cidrBounds(y);
      if (xf <= yl && yf <= xl) return [x, y];
    }
  }
  return [a[0]!, b[0]!];
}

function checkAliasNames(s: Snapshot, problems: Problems): void {
  const first = new Map<string, string>();
  const indexInObject = new Map<string, number>();
  for (const alias of s.communityAliases) {
    const objKey = formatRef(alias.ref);
    const index = indexInObject.get(objKey) ?? 0;
    indexInObject.set(objKey, index + 1);
    const owner = first.get(alias.name);
    if (owner !== undefined && owner !== objKey) {
      problems.error(
        alias.ref,
        `spec.communities[${index}].name`,
        `duplicate alias ${q(alias.name)}: it is already defined by ${owner}; alias names must be unique across all Community objects`,
      );
    } else first.set(alias.name, objKey);
  }
}

function advertisementSpecKey(a: Advertisement): string {
  const sels = (l: Advertisement['nodeSelectors']): string[] => l.map(selectorKey);
  return JSON.stringify([
    a.aggregationLength, a.aggregationLengthV6, a.localPref,
    a.communities.map(communityRefText),
    a.ipAddressPools, sels(a.ipAddressPoolSelectors), sels(a.nodeSelectors), a.peers, sels(a.serviceSelectors),
  ]);
}

/**
 * Two advertisements with the same spec announce the same thing twice, which changes nothing.
 * MetalLB accepts them: its duplicate check (`validateDuplicateBGPAdvertisements`) compares whole
 * objects, names included, so distinct objects never match. A warning, for the redundancy.
 */
function checkDuplicateAdvertisements(advs: readonly Advertisement[], problems: Problems): void {
  const seen = new Map<string, Advertisement>();
  for (const adv of advs) {
    const key = advertisementSpecKey(adv);
    const other = seen.get(key);
    if (other) {
      problems.warn(adv.ref, 'spec', `is the same as the spec of BGPAdvertisement ${other.ref.name}: both apply and announce the same prefixes with the same attributes; one of them can go`);
    } else seen.set(key, adv);
  }
}

/** The aggregation length may not be shorter than the shortest prefix of any address entry of a pool. */
function checkAggregationLengths(advs: readonly Advertisement[], pools: readonly Pool[], problems: Problems): void {
  for (const adv of advs) {
    for (const pool of poolsOfAdvertisement(adv, pools)) {
      for (const family of ['ipv4', 'ipv6'] as const) {
        const length = family === 'ipv4' ? adv.aggregationLength : adv.aggregationLengthV6;
        let worst: { cidr: string; mask: number; text: string } | undefined;
        for (const range of pool.ranges) {
          if (range.family !== family) continue;
          for (const cidr of range.cidrs) {
            const mask = Number(cidr.split('/')[1]);
            // The shortest mask of this entry decides; keep the entry that needs the longest one.
            const shortest = Math.min(...range.cidrs.map((c) => Number(c.split('/')[1])));
            if (mask === shortest && length < mask && (!worst || mask > worst.mask)) worst = { cidr, mask, text: range.text };
          }
        }
        if (!worst) continue;
        const field = family === 'ipv4' ? 'spec.aggregationLength' : 'spec.aggregationLengthV6';
        const from = worst.text === worst.cidr ? '' : ` (from ${q(worst.text)})`;
        problems.error(
          adv.ref,
          field,
          `${length} is shorter than prefix ${worst.cidr}${from} of pool ${pool.ref.name}: the aggregate would cover addresses outside the pool; use at least ${worst.mask}`,
        );
      }
    }
  }
}

/** `, and can never name one: ...` for a name no object can have, else nothing. */
function neverAName(name: string, kind: string): string {
  const problem = checkObjectNameRef(name, kind);
  return problem === undefined ? '' : ` (${problem.replace(`${q(name)} `, 'it ')})`;
}

function checkReferences(s: Snapshot, problems: Problems, ns: string): void {
  const peerNames = new Set(s.peers.map((p) => p.ref.name));
  const poolNames = new Set(s.pools.map((p) => p.ref.name));
  const aliasNames = new Set(s.communityAliases.map((a) => a.name));
  const bfdNames = new Set(s.bfdProfiles.map((b) => b.ref.name));
  for (const adv of s.advertisements) {
    // Names that match nothing are MetalLB's "no such peer / pool" (it never checks them), even
    // names no object can have: the entry still narrows the advertisement to the names listed.
    adv.peers.forEach((name, i) => {
      if (!peerNames.has(name)) {
        problems.warn(adv.ref, `spec.peers[${i}]`, `${q(name)} names no BGPPeer in ${ns}${neverAName(name, 'BGPPeer')}: the advertisement will reach no such peer`, 'reference');
      }
    });
    adv.ipAddressPools.forEach((name, i) => {
      if (!poolNames.has(name)) {
        problems.warn(adv.ref, `spec.ipAddressPools[${i}]`, `${q(name)} names no IPAddressPool in ${ns}${neverAName(name, 'IPAddressPool')}: nothing is advertised from it`, 'reference');
      }
    });
    adv.communities.forEach((c, i) => {
      if (c.kind === 'alias' && !aliasNames.has(c.name)) {
        problems.error(
          adv.ref,
          `spec.communities[${i}]`,
          c.valueError
            ? `${c.valueError}, and no Community object defines an alias with this name`
            : `${q(c.name)} is not a community value and no Community object defines an alias with this name: define the alias, or use "A:B" or "large:A:B:C"`,
          'reference',
        );
      }
    });
  }
  for (const peer of s.peers) {
    if (peer.bfdProfile !== undefined && !bfdNames.has(peer.bfdProfile)) {
      problems.error(peer.ref, 'spec.bfdProfile', `${q(peer.bfdProfile)} names no BFDProfile in ${ns}: create the profile or remove spec.bfdProfile`, 'reference');
    }
  }
}

/** BFD echo mode does not work for IPv6: no IPv6 pool may be advertised to a peer whose profile has it. */
function checkBfdEcho(s: Snapshot, problems: Problems, scope: NodeScope | undefined): void {
  const echo = new Set(s.bfdProfiles.filter((b) => b.echoMode).map((b) => b.ref.name));
  if (echo.size === 0) return;
  const shareNode = makeShareNode(s.nodes);
  for (const adv of s.advertisements) {
    const v6Pools = poolsOfAdvertisement(adv, s.pools).filter((p) => p.ranges.some((r) => r.family === 'ipv6'));
    if (v6Pools.length === 0) continue;
    for (const peer of s.peers) {
      if (peer.bfdProfile === undefined || !echo.has(peer.bfdProfile)) continue;
      if (adv.peers.length > 0 && !adv.peers.includes(peer.ref.name)) continue;
      if (!shareNode(adv, peer)) continue;
      const i = adv.peers.indexOf(peer.ref.name);
      const field = i >= 0 ? `spec.peers[${i}]` : 'spec';
      const message = `advertises IPv6 pool ${v6Pools[0]!.ref.name} to BGPPeer ${peer.ref.name}, whose BFD profile ${q(peer.bfdProfile)} has echoMode enabled, which does not work with IPv6: disable echoMode or do not advertise IPv6 pools to this peer`;
      if (scope === undefined || (selectsScope(scope, adv) && selectsScope(scope, peer))) problems.error(adv.ref, field, message);
      else problems.warn(adv.ref, field, `${message}${ignoredOn(scope)}`);
    }
  }
}
