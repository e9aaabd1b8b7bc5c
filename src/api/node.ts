/** Node: labels (for nodeSelectors) and the NetworkUnavailable condition. */
import type { RawObject } from './decode.js';
import { FieldReader, isMap } from './fields.js';
import { decodeLabels } from './metadata.js';
import type { Node, ObjectRef } from './model.js';
import { Problems } from './problems.js';

export function decodeNode(obj: RawObject, ref: ObjectRef, problems: Problems): Node | undefined {
  const r = new FieldReader(ref, problems);
  const before = problems.errorCount;
  const labels = decodeLabels(r, obj.metadata.labels);
  const status = r.map(obj.status, 'status');
  const conditions = r.list(status.conditions, 'status.conditions');
  const networkUnavailable = conditions.some(
    (c) => isMap(c) && c.type === 'NetworkUnavailable' && c.status === 'True',
  );
  if (problems.errorCount !== before) return undefined;
  return { ref, labels, networkUnavailable };
}
