/** The resources the renderer reads from Kubernetes, limited to what one node needs. */
import { BGP_EXTRAS_CONFIGMAP } from '../../api/bgp-extras.js';

export interface ResourceSpec {
  /** Short id for events, logs and metrics: `bgppeers.metallb.io`, `services`, ... */
  readonly id: string;
  /** API group, `''` for core. */
  readonly group: string;
  readonly version: string;
  /** Plural resource name in the URL. */
  readonly resource: string;
  readonly kind: string;
  /** Watch only this namespace; undefined for cluster-wide (or cluster-scoped kinds). */
  readonly namespace?: string;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
}

export function apiVersionOf(r: ResourceSpec): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** The collection URL path: `/api/v1/namespaces/ns/secrets`, `/apis/discovery.k8s.io/v1/endpointslices`. */
export function collectionPath(r: ResourceSpec): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const ns = r.namespace === undefined ? '' : `/namespaces/${encodeURIComponent(r.namespace)}`;
  return `${base}${ns}/${r.resource}`;
}

/**
 * What the renderer watches: MetalLB kinds and Secrets in the MetalLB namespace, Services and
 * EndpointSlices cluster-wide, and this node's Node object only. BGPPeer is read as v1beta2: the API
 * server converts v1beta1 objects (MetalLB's conversion webhook).
 */
export function nodeResources(metallbNamespace: string, node: string, opts: { readonly bgpExtras?: boolean } = {}): ResourceSpec[] {
  const metallb = (resource: string, kind: string, version = 'v1beta1'): ResourceSpec => ({
    id: `${resource}.metallb.io`,
    group: 'metallb.io',
    version,
    resource,
    kind,
    namespace: metallbNamespace,
  });
  return [
    metallb('bgppeers', 'BGPPeer', 'v1beta2'),
    metallb('ipaddresspools', 'IPAddressPool'),
    metallb('bgpadvertisements', 'BGPAdvertisement'),
    metallb('bfdprofiles', 'BFDProfile'),
    metallb('communities', 'Community'),
    { id: 'secrets', group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespace: metallbNamespace },
    { id: 'services', group: '', version: 'v1', resource: 'services', kind: 'Service' },
    {
      id: 'endpointslices.discovery.k8s.io',
      group: 'discovery.k8s.io',
      version: 'v1',
      resource: 'endpointslices',
      kind: 'EndpointSlice',
    },
    {
      id: 'nodes',
      group: '',
      version: 'v1',
      resource: 'nodes',
      kind: 'Node',
      fieldSelector: `metadata.name=${node}`,
    },
    // `--bgp-extras`: MetalLB's bgpextras ConfigMap, and no other (manifests/optional/bgp-extras-rbac.yaml).
    ...(opts.bgpExtras
      ? [{ id: 'configmaps', group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespace: metallbNamespace, fieldSelector: `metadata.name=${BGP_EXTRAS_CONFIGMAP}` }]
      : []),
  ];
}
