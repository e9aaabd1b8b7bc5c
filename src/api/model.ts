
/**
 * The validated, fully defaulted view of the objects the renderer reads.
 *
 * `api/` turns raw manifests (YAML/JSON, v1beta1 or v1beta2) into these records once, at the edge.
 * Everything downstream (`intent/`, `render/`) reads only these types and never checks raw fields
 * again: optional values are `undefined` exactly when the user did not set them and MetalLB has no
 * default, and every string that can reach frr.conf has already been checked against FRR's syntax.
 */

/** Where an object came from, for error messages: `BGPPeer metallb-system/peer1`. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** File the object was read from (folder mode), for "defined twice" errors. */
  readonly source?: string;
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/** A Kubernetes LabelSelector. An empty selector (no labels, no expressions) matches everything. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

/** `peerASN` or `dynamicASN`: exactly one is set on a valid peer. */
export type PeerAsn =
  | { readonly kind: 'number'; readonly asn: number }
  | { readonly kind: 'internal' }
  | { readonly kind: 'external' };

/** Hold and keepalive, in whole seconds, both set or both absent (MetalLB derives the missing one). */
export interface BgpTimers {
  readonly holdSeconds: number;
  readonly keepaliveSeconds: number;
}

/** Where the peer's TCP-MD5 password comes from. The cleartext is resolved in `intent/`. */
export type PasswordSource =
  | { readonly kind: 'none' }
  | { readonly kind: 'inline'; readonly value: string }
  | { readonly kind: 'secret'; readonly secretName: string; readonly secretNamespace: string };

/** BGPPeer, always in its v1beta2 shape (v1beta1 is converted on decode). */
export interface Peer {
  readonly ref: ObjectRef;
  /** The API version the object was written in, e.g. `metallb.io/v1beta1`. */
  readonly apiVersion: string;
  readonly myASN: number;
  readonly peerASN: PeerAsn;
  /** Local AS override (`local-as N no-prepend replace-as`), eBGP only. */
  readonly localASN: number | undefined;
  /** Canonical IP text (lower case, compressed IPv6). Exactly one of address / interface is set. */
  readonly address: string | undefined;
  readonly addressFamily: 'ipv4' | 'ipv6' | undefined;
  /** Unnumbered peering over this interface. */
  readonly interface: string | undefined;
  readonly sourceAddress: string | undefined;
  /** Always set: MetalLB's v1beta2 default is 179. */
  readonly port: number;
  readonly timers: BgpTimers | undefined;
  readonly connectTimeSeconds: number | undefined;
  readonly routerID: string | undefined;
  /** Empty list = every node. */
  readonly nodeSelectors: readonly LabelSelector[];
  readonly password: PasswordSource;
  readonly bfdProfile: string | undefined;
  readonly enableGracefulRestart: boolean;
  readonly ebgpMultiHop: boolean;
  /** `undefined` = the default VRF. */
  readonly vrf: string | undefined;
  readonly dualStackAddressFamily: boolean;
}

/** One entry of `spec.addresses`: a CIDR or a `start-end` range, summarised into CIDRs. */
export interface PoolRange {
  /** As written by the user, trimmed. */
  readonly text: string;
  readonly family: 'ipv4' | 'ipv6';
  /** The range as the smallest list of CIDRs, canonical text (e.g. `4.4.4.100/30`). */
  readonly cidrs: readonly string[];
  /** First and last address as bigint, for containment tests. */
  readonly first: bigint;
  readonly last: bigint;
}

export interface Pool {
  readonly ref: ObjectRef;
  readonly labels: Readonly<Record<string, string>>;
  readonly ranges: readonly PoolRange[];
}

/** A resolved community value: standard `A:B` (two uint16) or large `A:B:C` (three uint32). */
export type Community =
  | { readonly kind: 'standard'; readonly high: number; readonly low: number }
  | { readonly kind: 'large'; readonly global: number; readonly local1: number; readonly local2: number };

/**
 * One entry of `spec.communities` of a BGPAdvertisement, before alias resolution. MetalLB looks the
 * text up among the Community aliases first and parses it as a value only when no alias has that
 * name (internal/config/config.go `getCommunityValue`): `api/` keeps both readings, and
 * `resolveCommunity` applies that order.
 */
export type CommunityRef =
  /** The text is a community value (an alias of the same name would still win). */
  | { readonly kind: 'value'; readonly value: Community; readonly text: string }
  /** The text is no community value: an alias name, or nothing (`valueError` says why it is no value). */
  | { readonly kind: 'alias'; readonly name: string; readonly valueError?: string };

export interface Advertisement {
  readonly ref: ObjectRef;
  /** Defaults 32 and 128. */
  readonly aggregationLength: number;
  readonly aggregationLengthV6: number;
  /** 0 = not set. */
  readonly localPref: number;
  readonly communities: readonly CommunityRef[];
  readonly ipAddressPools: readonly string[];
  readonly ipAddressPoolSelectors: readonly LabelSelector[];
  /** Empty = every node. */
  readonly nodeSelectors: readonly LabelSelector[];
  /** BGPPeer names. Empty = every peer of the node. */
  readonly peers: readonly string[];
  /** ORed. Empty = every service of the pools. */
  readonly serviceSelectors: readonly LabelSelector[];
}

/** BFDProfile. `undefined` fields are left to FRR's defaults and not rendered. */
export interface BfdProfile {
  readonly ref: ObjectRef;
  readonly receiveInterval: number | undefined;
  readonly transmitInterval: number | undefined;
  readonly detectMultiplier: number | undefined;
  readonly echoInterval: number | undefined;
  readonly echoMode: boolean;
  readonly passiveMode: boolean;
  readonly minimumTtl: number | undefined;
}

/** One alias of a Community object. */
export interface CommunityAlias {
  readonly ref: ObjectRef;
  readonly name: string;
  readonly value: Community;
}

export interface ServiceIngress {
  readonly ip: string;
  readonly family: 'ipv4' | 'ipv6';
  /** The address as a number, parsed once here so `intent/` never parses text again. */
  readonly value: bigint;
}

export interface Service {
  readonly ref: ObjectRef;
  readonly labels: Readonly<Record<string, string>>;
  readonly type: string;
  readonly loadBalancerClass: string | undefined;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** `status.loadBalancer.ingress[].ip`, canonical text. Entries that are not IPs are dropped. */
  readonly ingress: readonly ServiceIngress[];
}

export interface Endpoint {
  readonly nodeName: string | undefined;
  readonly hasAddresses: boolean;
  /** `ready` nil or true, or `serving` true (MetalLB's EndpointCanServe). */
  readonly canServe: boolean;
}

export interface EndpointSlice {
  readonly ref: ObjectRef;
  /** From the `kubernetes.io/service-name` label. */
  readonly serviceName: string | undefined;
  readonly endpoints: readonly Endpoint[];
}

export interface Node {
  readonly ref: ObjectRef;
  readonly labels: Readonly<Record<string, string>>;
  /** The `NetworkUnavailable` condition is True. */
  readonly networkUnavailable: boolean;
}

/** A Secret; only what the renderer needs. `data` is decoded from base64 and merged with `stringData`. */
export interface Secret {
  readonly ref: ObjectRef;
  readonly type: string;
  readonly data: Readonly<Record<string, string>>;
}

/** Every object the renderer reads, decoded and validated one by one. Cross-object checks come later. */
export interface Snapshot {
  readonly peers: readonly Peer[];
  readonly pools: readonly Pool[];
  readonly advertisements: readonly Advertisement[];
  readonly bfdProfiles: readonly BfdProfile[];
  readonly communityAliases: readonly CommunityAlias[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly nodes: readonly Node[];
  readonly secrets: readonly Secret[];
  /** MetalLB's bgpextras ConfigMap, when it is read (`--bgp-extras`) and holds lines. */
  readonly bgpExtras?: BgpExtras;
  /**
   * The BGPPeers and BGPAdvertisements left out for their errors, with their nodeSelectors: the
   * intent stage decides per node whether those errors block it (`intent/node-problems.ts`).
   */
  readonly rejected: readonly RejectedObject[];
}

/** An object left out of the snapshot for its errors, kept for what later stages still ask of it. */
export interface RejectedObject {
  readonly ref: ObjectRef;
  /** Undefined when its nodeSelectors are broken too (its errors then count on every node). */
  readonly nodeSelectors: readonly LabelSelector[] | undefined;
}

/** MetalLB's bgpextras ConfigMap (`--bgp-extras`): lines appended to frr.conf as they are (`api/bgp-extras.ts` reads it). */
export interface BgpExtras {
  readonly ref: ObjectRef;
  /** The lines as written, ending with a newline. */
  readonly text: string;
  readonly lines: number;
}
