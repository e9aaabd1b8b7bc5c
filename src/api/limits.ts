/**
 * Input limits. Each one turns what would be a hang, a quadratic path or an out-of-memory into an
 * error that names the limit. They are set well above what a cluster of 100,000 LoadBalancer
 * Services needs (README "Limits" lists them with the reasoning).
 */

/** Bytes of one manifest file. 100,000 Services with their EndpointSlices are ~48 MB; split them. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** YAML documents in one file (each `kind: List` counts once): 100,000 Services + slices is 200,000. */
export const MAX_DOCUMENTS_PER_FILE = 500_000;

/** Errors reported about one file's documents before the rest of the file is skipped. */
export const MAX_ERRORS_PER_FILE = 1_000;

/** Nesting depth of a document; Kubernetes objects stay far below it (a Service is ~6 deep). */
export const MAX_NESTING_DEPTH = 64;

/** Objects of one Kubernetes kind we read (Service, EndpointSlice, Node, Secret). */
export const MAX_CLUSTER_OBJECTS_PER_KIND = 250_000;

/** Objects of one MetalLB kind (BGPPeer, IPAddressPool, BGPAdvertisement, BFDProfile, Community). */
export const MAX_METALLB_OBJECTS_PER_KIND = 10_000;

/** Entries of one IPAddressPool's `spec.addresses`. */
export const MAX_POOL_ENTRIES = 100_000;

/** Characters of one string field we read (names are at most 253, passwords 80). */
export const MAX_STRING_LENGTH = 4_096;

/**
 * Distinct sets of BGPAdvertisements that announce prefixes from one node: each set is a tag
 * (route-map `metallb-tag-N`, N in 1..65000) and an entry in every outbound route-map.
 */
export const MAX_ADVERTISEMENT_SETS = 65_000;

/** Bytes of MetalLB's bgpextras lines (`--bgp-extras`): a ConfigMap holds at most 1 MiB. */
export const MAX_BGP_EXTRAS_BYTES = 1024 * 1024;
