/**
 * Raw objects → validated Snapshot. Every object is decoded on its own (all of its problems are
 * reported, and an object with errors is left out), then the cross-object checks run.
 */
import { decodeBfdProfile } from './bfdprofile.js';
import { decodeBgpAdvertisement } from './bgpadvertisement.js';
import { decodeBgpPeer, type DecodeOptions } from './bgppeer.js';
import { decodeCommunity } from './community.js';
import type { RawObject } from './decode.js';
import { decodeEndpointSlice } from './endpointslice.js';
import { decodeIpAddressPool } from './ipaddresspool.js';
import { checkObjectName } from './k8s-names.js';
import type {
  Advertisement, BfdProfile, CommunityAlias, EndpointSlice, Node, ObjectRef, Peer, Pool, Secret, Service, Snapshot,
} from './model.js';
import { decodeNode } from './node.js';
import { type Problem, Problems, q } from './problems.js';
import { decodeSecret } from './secret.js';
import { decodeService } from './service.js';
import { validateCross } from './validate-cross.js';

export interface SnapshotOptions {
  readonly metallbNamespace: string;
}

const METALLB_GROUP = 'metallb.io';
/** MetalLB kinds we read, with the API versions Kubernetes serves for them. */
const METALLB_KINDS: Readonly<Record<string, readonly string[]>> = {
  BGPPeer: ['v1beta1', 'v1beta2'],
  IPAddressPool: ['v1beta1'],
  BGPAdvertisement: ['v1beta1'],
  BFDProfile: ['v1beta1'],
  Community: ['v1beta1'],
};
/** Other kinds we read: kind → apiVersion, and the namespace an object without one lands in. */
const CORE_KINDS: Readonly<Record<string, { apiVersion: string; namespaced: boolean }>> = {
  Service: { apiVersion: 'v1', namespaced: true },
  EndpointSlice: { apiVersion: 'discovery.k8s.io/v1', namespaced: true },
  Node: { apiVersion: 'v1', namespaced: false },
  Secret: { apiVersion: 'v1', namespaced: true },
};

interface Collected {
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
    peers: [], pools: [], advertisements: [], bfdProfiles: [], communityAliases: [],
    services: [], endpointSlices: [], nodes: [], secrets: [],
  };
  const defined = new Map<string, string>();
  for (const obj of objects) {
    const ref = refFor(obj, opts, problems);
    if (!ref) continue;
    const key = `${ref.kind}\u0000${ref.namespace}\u0000${ref.name}`;
    const firstSource = defined.get(key);
    if (firstSource !== undefined) {
      problems.error(ref, '', `is defined twice, in ${q(firstSource)} and in ${q(obj.source)}: keep one definition`);
      continue;
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
  };
  validateCross(snapshot, problems, opts.metallbNamespace);
  return { snapshot, problems: problems.list };
}

/** The ref of an object we read, or undefined for kinds we ignore and objects that cannot be named. */
function refFor(obj: RawObject, opts: SnapshotOptions, problems: Problems): ObjectRef | undefined {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/', 2) : ['', obj.apiVersion];
  const metallbVersions = group === METALLB_GROUP ? METALLB_KINDS[obj.kind] : undefined;
  const core = CORE_KINDS[obj.kind];
  if (!metallbVersions && !(core && core.apiVersion === obj.apiVersion)) return undefined;
  const namespace = metallbVersions
    ? (obj.metadata.namespace ?? opts.metallbNamespace)
    : core!.namespaced
      ? (obj.metadata.namespace ?? (obj.kind === 'Secret' ? opts.metallbNamespace : 'default'))
      : '';
  const name = obj.metadata.name;
  const ref: ObjectRef = { kind: obj.kind, namespace, name: name || '(unnamed)', source: obj.source };
  if (metallbVersions && !metallbVersions.includes(version ?? '')) {
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
    if (namespace !== opts.metallbNamespace) {
      problems.error(ref, 'metadata.namespace', `must be in namespace ${opts.metallbNamespace}, where MetalLB reads it: move it there or remove metadata.namespace`);
      return undefined;
    }
  }
  return ref;
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
      out.communityAliases.push(...(decodeCommunity(obj, ref, opts, problems) ?? []));
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
  const key = (x: T): string => `${x.ref.namespace}\u0000${x.ref.name}`;
  // Stable sort: aliases of one Community object keep their order.
  return list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
