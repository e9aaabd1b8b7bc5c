/** Service: only what announcing needs (type, class, traffic policy, labels, ingress IPs). */
import type { RawObject } from './decode.js';
import { FieldReader, isMap } from './fields.js';
import { parseIp } from './ip.js';
import { decodeLabels } from './metadata.js';
import type { ObjectRef, Service, ServiceIngress } from './model.js';
import { Problems, q } from './problems.js';

export function decodeService(obj: RawObject, ref: ObjectRef, problems: Problems): Service | undefined {
  const r = new FieldReader(ref, problems);
  const before = problems.errorCount;
  const labels = decodeLabels(r, obj.metadata.labels);
  const spec = r.map(obj.spec, 'spec');
  const type = r.string(spec.type, 'spec.type') ?? 'ClusterIP';
  const loadBalancerClass = r.string(spec.loadBalancerClass, 'spec.loadBalancerClass') || undefined;
  const etp = r.string(spec.externalTrafficPolicy, 'spec.externalTrafficPolicy') || 'Cluster';
  if (etp !== 'Cluster' && etp !== 'Local') {
    r.error('spec.externalTrafficPolicy', `${q(etp)} is not valid: use "Cluster" or "Local"`);
  }
  const status = r.map(obj.status, 'status');
  const lb = r.map(status.loadBalancer, 'status.loadBalancer');
  const ingress: ServiceIngress[] = [];
  r.list(lb.ingress, 'status.loadBalancer.ingress').forEach((entry, i) => {
    const field = `status.loadBalancer.ingress[${i}].ip`;
    if (!isMap(entry) || entry.ip === undefined || entry.ip === null || entry.ip === '') return; // hostname-only entries
    const text = typeof entry.ip === 'string' ? entry.ip : String(entry.ip);
    const ip = parseIp(text);
    if (!ip.ok) {
      r.warn(field, `${ip.error}; this entry is ignored`);
      return;
    }
    if (!ingress.some((x) => x.ip === ip.value.text)) ingress.push({ ip: ip.value.text, family: ip.value.family, value: ip.value.value });
  });
  if (problems.errorCount !== before) return undefined;
  return {
    ref,
    labels,
    type,
    loadBalancerClass,
    externalTrafficPolicy: etp === 'Local' ? 'Local' : 'Cluster',
    ingress,
  };
}
