/**
 * Values that come from the command line or the environment rather than from objects, checked like
 * fields: the node name and the host name are written into frr.conf (`! frr.conf of node N`,
 * `hostname H`), the namespace selects objects, the pathspace becomes a path under /etc/frr.
 * Each check returns undefined when the value is valid, or a one-line message (value quoted).
 */
import { checkLabelKey, isObjectName } from './k8s-names.js';
import { q } from './problems.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** RFC 1123 host names (upper case and '_' allowed, as Linux allows them), 1-253 characters. */
const HOST_LABEL = /^[A-Za-z0-9]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?$/;
/** FRR's `-N` pathspace: one path component (vtysh and the daemons join it under /etc/frr and /var/run/frr). */
const PATHSPACE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** A Kubernetes node name: a DNS-1123 subdomain, as the Node object's name. */
export function checkNodeName(s: string): string | undefined {
  if (isObjectName(s)) return undefined;
  return `${q(s)} is not a valid node name: Kubernetes node names are lowercase DNS-1123 (a-z, 0-9, '-', '.', starting and ending with a letter or digit, at most 253)`;
}

/** The host name FRR writes as `hostname NAME`: an RFC 1123 host name. */
export function checkHostname(s: string): string | undefined {
  if (s.length >= 1 && s.length <= 253 && s.split('.').every((label) => HOST_LABEL.test(label))) return undefined;
  return `${q(s)} is not a valid host name: use letters, digits, '-' and '_' in dot-separated labels of 1-63 characters, at most 253 in all`;
}

/** A namespace: a DNS-1123 label. */
export function checkNamespaceName(s: string): string | undefined {
  if (DNS1123_LABEL.test(s)) return undefined;
  return `${q(s)} is not a valid namespace: namespaces are lowercase DNS-1123 labels (a-z, 0-9, '-', at most 63)`;
}

export function checkPathspace(s: string): string | undefined {
  if (PATHSPACE.test(s)) return undefined;
  return `${q(s)} is not a valid FRR pathspace: use 1-64 letters, digits, '_', '-', '.', not starting with '-' or '.'`;
}

/**
 * `--lb-class`: what a Service's `spec.loadBalancerClass` can be, a label-style key (an optional
 * DNS prefix and `/`, then a name), as Kubernetes validates that field.
 */
export function checkLoadBalancerClass(s: string): string | undefined {
  if (checkLabelKey(s) === undefined) return undefined;
  return `${q(s)} is not a valid load balancer class: Kubernetes takes a label-style key (an optional DNS prefix and "/", then 1-63 letters, digits, '-', '_', '.'), e.g. "example.com/internal-vip"`;
}
