/** EndpointSlice (discovery.k8s.io/v1): per endpoint, its node and whether it can serve. */
import type { RawObject } from './decode.js';
import { FieldReader, isMap, typeName } from './fields.js';
import type { Endpoint, EndpointSlice, ObjectRef } from './model.js';
import { Problems } from './problems.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function decodeEndpointSlice(obj: RawObject, ref: ObjectRef, problems: Problems): EndpointSlice | undefined {
  const r = new FieldReader(ref, problems);
  const before = problems.errorCount;
  const labels = r.map(obj.metadata.labels, 'metadata.labels');
  const serviceName = typeof labels[SERVICE_NAME_LABEL] === 'string' ? (labels[SERVICE_NAME_LABEL] as string) : undefined;
  const endpoints: Endpoint[] = [];
  r.list(obj.endpoints, 'endpoints').forEach((raw, i) => {
    const field = `endpoints[${i}]`;
    if (!isMap(raw)) {
      r.error(field, `must be an object, not ${typeName(raw)}`);
      return;
    }
    const nodeName = r.string(raw.nodeName, `${field}.nodeName`) || undefined;
    const addresses = r.list(raw.addresses, `${field}.addresses`);
    const conditions = r.map(raw.conditions, `${field}.conditions`);
    const ready = r.boolean(conditions.ready, `${field}.conditions.ready`);
    const serving = r.boolean(conditions.serving, `${field}.conditions.serving`);
    endpoints.push({
      nodeName,
      hasAddresses: addresses.length > 0,
      // MetalLB's EndpointCanServe: ready unset or true, or serving true.
      canServe: ready === undefined || ready || serving === true,
    });
  });
  if (problems.errorCount !== before) return undefined;
  return { ref, serviceName, endpoints };
}
