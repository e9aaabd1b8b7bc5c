/** Secret: type and data, with `data` decoded from base64 and `stringData` merged over it. */
import type { RawObject } from './decode.js';
import { FieldReader } from './fields.js';
import type { ObjectRef, Secret } from './model.js';
import { fieldPath, Problems } from './problems.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Messages never quote the Secret's values, nor any other value of it: only its keys, escaped. */
export function decodeSecret(obj: RawObject, ref: ObjectRef, problems: Problems): Secret | undefined {
  const r = new FieldReader(ref, problems, { hideValues: true });
  const before = problems.errorCount;
  const type = r.string(obj.type, 'type') || 'Opaque';
  // Null prototype: a key such as `__proto__` is stored as a key, never as the object's prototype.
  const data: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(r.map(obj.data, 'data'))) {
    const field = fieldPath('data', key);
    if (typeof value !== 'string') {
      r.error(field, 'must be a base64 string');
      continue;
    }
    const compact = value.replace(/\s+/g, '');
    if (!BASE64.test(compact)) {
      r.error(field, 'is not valid base64: encode the value with `base64 -w0`, or put the plain text under stringData');
      continue;
    }
    data[key] = Buffer.from(compact, 'base64').toString('utf8');
  }
  for (const [key, value] of Object.entries(r.map(obj.stringData, 'stringData'))) {
    if (typeof value !== 'string') {
      r.error(fieldPath('stringData', key), 'must be a string: quote the value');
      continue;
    }
    data[key] = value;
  }
  if (problems.errorCount !== before) return undefined;
  return { ref, type, data };
}
