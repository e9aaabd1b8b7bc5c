/**
 * Raw objects → validated Snapshot. Every object is decoded on its own (all of its problems are
 * reported, and an object with errors is left out), then the cross-object checks run.
 */
import { BGP_EXTRAS_CONFIGMAP, decodeBgpExtras, isBgpExtrasConfigMap } from './bgp-extras.js';
import { decodeBfdProfile } from './bfdprofile.js';
import { decodeBgpAdvertisement } from './bgpadvertisement.js';
import { decodeBgpPeer } from './bgppeer.js';
import { decodeCommunity } from './community.js';
import type { DecodeOptions, RawObject } from './decode.js';
import { decodeEndpointSlice } from './endpointslice.js';
import { decodeIpAddressPool } from './ipaddresspool.js';
import { checkObjectName } from './k8s-names.js';
import { FieldReader, isMap } from './fields.js';
import { decodeSelectorList } from './label-selector.js';
import type {
  Advertisement, BfdProfile, BgpExtras, CommunityAlias, EndpointSlice, Node, ObjectRef, Peer, Pool, RejectedObject, Secret, Service, Snapshot,
} from './model.js';
import { decodeNode } from './node.js';
import { nodeScope } from './node-scope.js';
import { MAX_CLUSTER_OBJECTS_PER_KIND, MAX_METALLB_OBJECTS_PER_KIND } from './limits.js';
import { type Problem, Problems, q } from './problems.js';
import { decodeSecret } from './secret.js';
import { decodeService } from './service.js';
import { validateCross } from './validate-cross.js';

export interface SnapshotOptions {
  readonly metallbNamespace: string;
  /**
   * The node being rendered: problems between objects that meet only on other nodes are then
   * warnings (see `validateCross`). Undefined: every node counts (`check` of a whole folder).
   */
  readonly node?: string;
  /** Read MetalLB's bgpextras ConfigMap (`--bgp-extras`); other ConfigMaps are never read. */
  readonly bgpExtras?: boolean;
}

const METALLB_GROUP = 'metallb.io';
/**
 * MetalLB kinds we read, with the API versions Kubernetes serves for them. Maps, not object
 * literals: the kind is user text, and `constructor` or `__proto__` must find nothing.
 */
const METALLB_KINDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['BGPPeer', ['v1beta1', 'v1beta2']],
  ['IPAddressPool', ['v1beta1']],
  ['BGPAdvertisement', ['v1beta1']],
  ['BFDProfile', ['v1beta1']],
  ['Community', ['v1beta1']],
]);
/** Other kinds we read: kind → apiVersion, and whether objects of the kind have a namespace. */
const CORE_KINDS: ReadonlyMap<string, { apiVersion: string; namespaced: boolean }> = new Map([
  ['Service', { apiVersion: 'v1', namespaced: true }],
  ['EndpointSlice', { apiVersion: 'discovery.k8s.io/v1', namespaced: true }],
  ['Node', { apiVersion: 'v1', namespaced: false }],
  ['Secret', { apiVersion: 'v1', namespaced: true }],
]);
/** Lower-cased kind → kind, to recognise near misses such as `kind: bgppeer`. */
const KIND_BY_LOWER: ReadonlyMap<string, string> = new Map(
  [...METALLB_KINDS.keys(), ...CORE_KINDS.keys()].map((k) => [k.toLowerCase(), k]),
);

/** How many objects of a kind are read before the rest is refused with an error. */
function kindLimit(kind: string): { max: number; name: string } {
  return METALLB_KINDS.has(kind)
    ? { max: MAX_METALLB_OBJECTS_PER_KIND, name: 'MAX_METALLB_OBJECTS_PER_KIND' }
    : { max: MAX_CLUSTER_OBJECTS_PER_KIND, name: 'MAX_CLUSTER_OBJECTS_PER_KIND' };
}

interface Collected {
  rejected: RejectedObject[];
  peers: Peer[];
  pools: Pool[];
  advertisements: Advertisement[];
  bfdProfiles: BfdProfile[];
  communityAliases: CommunityAlias[];
  services: Service[];
  endpointSlices: EndpointSlice[];
  nodes: Node[];
  secrets: Secret[];
}

export function buildSnapshot(objects: readonly RawObject[], opts: SnapshotOptions): { snapshot: Snapshot; problems: Problem[] } {
  const problems = new Problems();
  const out: Collected = {
    rejected: [], peers: [], pools: [], advertisements: [], bfdProfiles: [], communityAliases: [],
    services: [], endpointSlices: [], nodes: [], secrets: [],
  };
  const defined = new Map<string, string>();
  const perKind = new Map<string, number>();
  let bgpExtras: BgpExtras | undefined;
  for (const obj of objects) {
    const errorsBefore = problems.errorCount;
    readObject(obj);
    if (problems.errorCount > errorsBefore && NODE_SCOPED_KINDS.has(obj.kind)) out.rejected.push(rejectedObject(obj, opts));
  }

  function readObject(obj: RawObject): void {
    if (opts.bgpExtras && isBgpExtrasConfigMap(obj, opts.metallbNamespace)) {
      const ref: ObjectRef = { kind: 'ConfigMap', namespace: opts.metallbNamespace, name: BGP_EXTRAS_CONFIGMAP, source: obj.source };
      if (bgpExtras !== undefined || defined.has('ConfigMap')) problems.error(ref, '', `is defined twice, in ${q(defined.get('ConfigMap') ?? '')} and in ${q(obj.source)}: keep one definition`);
      else bgpExtras = decodeBgpExtras(obj, ref, problems);
      defined.set('ConfigMap', obj.source);
      return;
    }
    const ref = refFor(obj, opts, problems);
    if (!ref) return;
    const count = (perKind.get(ref.kind) ?? 0) + 1;
    perKind.set(ref.kind, count);
    const limit = kindLimit(ref.kind);
    if (count > limit.max) {
      // Reported once, on the first object refused; the rest is skipped without a word.
      if (count === limit.max + 1) {
        problems.error(ref, '', `is one ${ref.kind} too many: at most ${limit.max} ${ref.kind} objects are read (${limit.name}); the others are ignored and nothing is rendered`);
      }
      return;
    }
    const key = `${ref.kind}\u0000${ref.namespace}\u0000${ref.name}`;
    const firstSource = defined.get(key);
    if (firstSource !== undefined) {
      problems.error(ref, '', `is defined twice, in ${q(firstSource)} and in ${q(obj.source)}: keep one definition`);
      return;
    }
    defined.set(key, obj.source);
    decodeInto(obj, ref, opts, problems, out);
  }
  const snapshot: Snapshot = {
    peers: sortByRef(out.peers),
    pools: sortByRef(out.pools),
    advertisements: sortByRef(out.advertisements),
    bfdProfiles: sortByRef(out.bfdProfiles),
    communityAliases: sortByRef(out.communityAliases),
    services: sortByRef(out.services),
    endpointSlices: sortByRef(out.endpointSlices),
    nodes: sortByRef(out.nodes),
    secrets: sortByRef(out.secrets),
    ...(bgpExtras === undefined ? {} : { bgpExtras }),
    rejected: sortByRef(out.rejected),
  };
  validateCross(snapshot, problems, opts.metallbNamespace, opts.node === undefined ? undefined : nodeScope(snapshot.nodes, opts.node));
  return { snapshot, problems: problems.list };
}

/** Kinds a speaker reads only when their nodeSelectors select its node (MetalLB's speaker). */
const NODE_SCOPED_KINDS: ReadonlySet<string> = new Set(['BGPPeer', 'BGPAdvertisement']);

/**
 * A BGPPeer or BGPAdvertisement left out for its errors, with its nodeSelectors read on their own
 * (their own errors were filed with the object's). The ref is the one its problems carry: MetalLB
 * kinds without a namespace are in the MetalLB namespace.
 */
function rejectedObject(obj: RawObject, opts: SnapshotOptions): RejectedObject {
  const ref: ObjectRef = { kind: obj.kind, namespace: obj.metadata.namespace ?? opts.metallbNamespace, name: obj.metadata.name || '(unnamed)' };
  const spec = isMap(obj.spec) ? obj.spec : {};
  const scratch = new Problems();
  const nodeSelectors = decodeSelectorList(new FieldReader(ref, scratch), spec['nodeSelectors'], 'spec.nodeSelectors');
  return { ref, nodeSelectors: scratch.hasErrors() ? undefined : nodeSelectors };
}

/** The ref of an object we read, or undefined for kinds we ignore and objects that cannot be named. */
function refFor(obj: RawObject, opts: SnapshotOptions, problems: Problems): ObjectRef | undefined {
  const { group, version } = splitApiVersion(obj.apiVersion);
  const metallbVersions = group === METALLB_GROUP ? METALLB_KINDS.get(obj.kind) : undefined;
  const core = CORE_KINDS.get(obj.kind);
  if (!metallbVersions && !(core && core.apiVersion === obj.apiVersion)) {
    warnNearMiss(obj, problems);
    return undefined;
  }
  const namespace = metallbVersions
    ? (obj.metadata.namespace ?? opts.metallbNamespace)
    : core!.namespaced
      ? (obj.metadata.namespace ?? (obj.kind === 'Secret' ? opts.metallbNamespace : 'default'))
      : '';
  const name = obj.metadata.name;
  const ref: ObjectRef = { kind: obj.kind, namespace, name: name || '(unnamed)', source: obj.source };
  // MetalLB lists its kinds in its own namespace only, so it never sees this object: ignore it
  // as MetalLB would, and say so (a folder may hold other namespaces' copies on purpose).
  if (metallbVersions && namespace !== opts.metallbNamespace) {
    problems.warn(ref, 'metadata.namespace', `${q(namespace)} is not ${q(opts.metallbNamespace)}, the only namespace MetalLB reads ${obj.kind} objects from, so this object is ignored: move it there or remove metadata.namespace to use it`);
    return undefined;
  }
  if (metallbVersions && (version === undefined || !metallbVersions.includes(version))) {
    problems.error(ref, 'apiVersion', `${q(obj.apiVersion)} is not served for ${obj.kind}: use ${metallbVersions.map((v) => q(`${METALLB_GROUP}/${v}`)).join(' or ')}`);
    return undefined;
  }
  if (obj.kind === 'Secret' && namespace !== opts.metallbNamespace) return undefined; // MetalLB reads only its own Secrets
  if (!name) {
    problems.error(ref, 'metadata.name', `is missing: every object needs a name (in ${q(obj.source)})`);
    return undefined;
  }
  if (metallbVersions) {
    const nameProblem = checkObjectName(name);
    if (nameProblem) {
      problems.error(ref, 'metadata.name', nameProblem);
      return undefined;
    }
  }
  return ref;
}

/** `group/version` or a core `version`; anything else (`a/b/c`, empty parts) has no version. */
function splitApiVersion(apiVersion: string): { group: string; version: string | undefined } {
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0] || undefined };
  if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') return { group: parts[0]!, version: parts[1] };
  return { group: parts[0] ?? '', version: undefined };
}

/**
 * An object we ignore that looks like one we read (`kind: bgppeer`, `METALLB.IO/v1beta2`,
 * `metallb.io/v1beta2/extra`, `apiVersion: V1` for a Service) is named in a warning: silently
 * dropping it would render a config without it. Other groups' kinds of the same name (Calico's
 * BGPPeer, Knative's Service) are not near misses and stay silent.
 */
function warnNearMiss(obj: RawObject, problems: Problems): void {
  const kind = KIND_BY_LOWER.get(obj.kind.trim().toLowerCase());
  if (kind === undefined) return;
  const apiVersion = obj.apiVersion.trim().toLowerCase();
  const metallb = METALLB_KINDS.get(kind);
  const core = CORE_KINDS.get(kind);
  const wanted = metallb ? metallb.map((v) => `${METALLB_GROUP}/${v}`) : [core!.apiVersion];
  const groupLooksRight = metallb ? apiVersion.startsWith(`${METALLB_GROUP}/`) || apiVersion === METALLB_GROUP : wanted.some((w) => apiVersion.startsWith(w));
  if (!groupLooksRight) return;
  const ref: ObjectRef = { kind: obj.kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name || '(unnamed)', source: obj.source };
  const fix = kind === obj.kind ? '' : `kind ${q(kind)} `;
  problems.warn(
    ref,
    kind === obj.kind ? 'apiVersion' : 'kind',
    `${q(obj.kind)} with apiVersion ${q(obj.apiVersion)} is not a kind frr-renderer reads, so this object is ignored: write ${fix}${fix ? 'with ' : ''}apiVersion ${wanted.map((w) => q(w)).join(' or ')} (names are case-sensitive)`,
  );
}

function decodeInto(obj: RawObject, ref: ObjectRef, opts: DecodeOptions, problems: Problems, out: Collected): void {
  const push = <T>(list: T[], item: T | undefined): void => {
    if (item !== undefined) list.push(item);
  };
  switch (obj.kind) {
    case 'BGPPeer':
      return push(out.peers, decodeBgpPeer(obj, ref, opts, problems));
    case 'IPAddressPool':
      return push(out.pools, decodeIpAddressPool(obj, ref, opts, problems));
    case 'BGPAdvertisement':
      return push(out.advertisements, decodeBgpAdvertisement(obj, ref, opts, problems));
    case 'BFDProfile':
      return push(out.bfdProfiles, decodeBfdProfile(obj, ref, opts, problems));
    case 'Community':
      for (const alias of decodeCommunity(obj, ref, opts, problems) ?? []) out.communityAliases.push(alias);
      return;
    case 'Service':
      return push(out.services, decodeService(obj, ref, problems));
    case 'EndpointSlice':
      return push(out.endpointSlices, decodeEndpointSlice(obj, ref, problems));
    case 'Node':
      return push(out.nodes, decodeNode(obj, ref, problems));
    case 'Secret':
      return push(out.secrets, decodeSecret(obj, ref, problems));
  }
}

function sortByRef<T extends { readonly ref: ObjectRef }>(list: T[]): T[] {
  // Keys built once per item, not per comparison: at 50,000 Services the comparator's string
  // building was a quarter of the snapshot's time.
  const keyed = list.map((item) => ({ key: `${item.ref.namespace}\u0000${item.ref.name}`, item }));
  // Stable sort: aliases of one Community object keep their order.
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (let i = 0; i < keyed.length; i++) list[i] = keyed[i]!.item;
  return list;
}
