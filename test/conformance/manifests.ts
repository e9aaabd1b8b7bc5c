/**
 * Builders for the manifests of the conformance scenarios: MetalLB CRs and the cluster objects
 * they refer to, as YAML text (what `renderDirectory` reads). Only the fields a scenario sets
 * are written, so each scenario reads like the seed document's examples.
 */
import { stringify } from 'yaml';

type Spec = Record<string, unknown>;

const METALLB = 'metallb-system';

function doc(apiVersion: string, kind: string, name: string, namespace: string | undefined, body: Spec): string {
  const metadata: Spec = { name };
  if (namespace !== undefined) metadata.namespace = namespace;
  return stringify({ apiVersion, kind, metadata, ...body });
}

export function bgpPeer(name: string, spec: Spec): string {
  return doc('metallb.io/v1beta2', 'BGPPeer', name, METALLB, { spec });
}

export function pool(name: string, addresses: readonly string[], extra: Spec = {}): string {
  return doc('metallb.io/v1beta1', 'IPAddressPool', name, METALLB, { spec: { addresses, ...extra } });
}

export function advertisement(name: string, spec: Spec = {}): string {
  return doc('metallb.io/v1beta1', 'BGPAdvertisement', name, METALLB, { spec });
}

export function bfdProfile(name: string, spec: Spec = {}): string {
  return doc('metallb.io/v1beta1', 'BFDProfile', name, METALLB, { spec });
}

export function communityAliases(name: string, aliases: ReadonlyArray<readonly [string, string]>): string {
  return doc('metallb.io/v1beta1', 'Community', name, METALLB, {
    spec: { communities: aliases.map(([n, value]) => ({ name: n, value })) },
  });
}

export function passwordSecret(name: string, password: string): string {
  return doc('v1', 'Secret', name, METALLB, { type: 'kubernetes.io/basic-auth', stringData: { password } });
}

export function node(name: string, labels: Record<string, string> = {}): string {
  return doc('v1', 'Node', name, undefined, { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } } });
}

/** A LoadBalancer Service with the IPs MetalLB's controller assigned it (status.loadBalancer.ingress). */
export function service(name: string, ips: readonly string[], extra: Spec = {}, namespace = 'demo'): string {
  return doc('v1', 'Service', name, namespace, {
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ...extra },
    status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
  });
}

/** An EndpointSlice of `serviceName` with one endpoint per (node, ready) pair. */
export function endpointSlice(serviceName: string, endpoints: ReadonlyArray<{ node: string; ready: boolean; address: string }>, namespace = 'demo'): string {
  return doc('discovery.k8s.io/v1', 'EndpointSlice', `${serviceName}-slice`, namespace, {
    metadata: { name: `${serviceName}-slice`, namespace, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({ addresses: [e.address], conditions: { ready: e.ready }, nodeName: e.node })),
  });
}

/** Several documents in one file. */
export function all(...docs: readonly string[]): string {
  return docs.join('---\n');
}
