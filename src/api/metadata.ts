/** Reads `metadata.labels`: a map of string keys to string values, as Kubernetes requires. */
import { FieldReader, isMap, typeName } from './fields.js';
import { checkLabelKey, checkLabelValue } from './k8s-names.js';
import { fieldPath, q } from './problems.js';

export function decodeLabels(r: FieldReader, raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return labelMap(r, {}, 'metadata.labels');
  if (!isMap(raw)) {
    r.error('metadata.labels', `must be a map of label keys to values, not ${typeName(raw)}`);
    return labelMap(r, {}, 'metadata.labels');
  }
  return labelMap(r, raw, 'metadata.labels');
}

/**
 * The entries of a map of labels (`metadata.labels`, a selector's `matchLabels`), each key and
 * value checked as Kubernetes checks them; entries with a value that is not a string are left out.
 */
export function labelMap(r: FieldReader, entries: Readonly<Record<string, unknown>>, parent: string): Record<string, string> {
  // A Map-backed copy would change every caller; a null-prototype object keeps `__proto__` a plain key.
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(entries)) {
    const field = fieldPath(parent, key);
    const keyProblem = checkLabelKey(key);
    if (keyProblem) r.error(field, keyProblem);
    if (typeof value !== 'string') {
      r.error(field, `must be a string, not ${typeName(value)}: quote the value, e.g. ${q(String(value))}`);
      continue;
    }
    const valueProblem = checkLabelValue(value);
    if (valueProblem) r.error(field, valueProblem);
    labels[key] = value;
  }
  return labels;
}
