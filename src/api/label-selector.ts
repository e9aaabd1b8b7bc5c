/** Kubernetes LabelSelectors: decoding with validation, canonical keys for duplicate checks, matching. */
import { FieldReader, isMap, typeName } from './fields.js';
import { checkLabelKey, checkLabelValue } from './k8s-names.js';
import { labelMap } from './metadata.js';
import type { LabelSelector, LabelSelectorRequirement } from './model.js';
import { fieldPath, q } from './problems.js';

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
type Operator = LabelSelectorRequirement['operator'];

/**
 * Decodes one selector. Also reads v1beta1's legacy node selectors, which have the same shape.
 * Returns undefined (with problems filed) when the selector is invalid.
 */
export function decodeSelector(r: FieldReader, raw: unknown, field: string): LabelSelector | undefined {
  const before = r.problems.errorCount;
  if (!isMap(raw)) {
    r.error(field, `must be a label selector object (matchLabels, matchExpressions), not ${typeName(raw)}`);
    return undefined;
  }
  r.unknownFields(raw, ['matchLabels', 'matchExpressions'], field);
  const matchLabels = labelMap(r, r.map(raw.matchLabels, `${field}.matchLabels`), `${field}.matchLabels`);
  const matchExpressions: LabelSelectorRequirement[] = [];
  const seen = new Map<string, number>();
  r.list(raw.matchExpressions, `${field}.matchExpressions`).forEach((item, i) => {
    const f = `${field}.matchExpressions[${i}]`;
    const req = decodeRequirement(r, item, f);
    if (!req) return;
    const key = requirementKey(req);
    const first = seen.get(key);
    if (first !== undefined) {
      r.error(f, `duplicate expression: it repeats ${field}.matchExpressions[${first}]; list it once`);
      return;
    }
    seen.set(key, i);
    matchExpressions.push(req);
  });
  return r.problems.errorCount === before ? { matchLabels, matchExpressions } : undefined;
}

function decodeRequirement(r: FieldReader, raw: unknown, f: string): LabelSelectorRequirement | undefined {
  if (!isMap(raw)) {
    r.error(f, `must be an object (key, operator, values), not ${typeName(raw)}`);
    return undefined;
  }
  r.unknownFields(raw, ['key', 'operator', 'values'], f);
  let ok = true;
  const key = r.string(raw.key, `${f}.key`);
  if (key === undefined) {
    if (raw.key === undefined || raw.key === null) r.error(`${f}.key`, 'is missing: set the label key to test');
    ok = false;
  } else {
    const keyProblem = checkLabelKey(key);
    if (keyProblem) {
      r.error(`${f}.key`, keyProblem);
      ok = false;
    }
  }
  const op = r.string(raw.operator, `${f}.operator`);
  if (op === undefined || !(OPERATORS as readonly string[]).includes(op)) {
    if (op !== undefined || raw.operator === undefined || raw.operator === null) {
      r.error(`${f}.operator`, `${op === undefined ? 'is missing' : `${q(op)} is not an operator`}: use one of In, NotIn, Exists, DoesNotExist`);
    }
    ok = false;
  }
  const values: string[] = [];
  const seen = new Set<string>();
  r.list(raw.values, `${f}.values`).forEach((v, j) => {
    const s = r.string(v, `${f}.values[${j}]`);
    if (s === undefined) {
      if (v === null || v === undefined) r.error(`${f}.values[${j}]`, 'is empty: give a label value, or remove the entry');
      ok = false;
      return;
    }
    if (seen.has(s)) {
      r.error(`${f}.values[${j}]`, `duplicate value ${q(s)}: list it once`);
      ok = false;
      return;
    }
    const valueProblem = checkLabelValue(s);
    if (valueProblem) {
      r.error(`${f}.values[${j}]`, valueProblem);
      ok = false;
    }
    seen.add(s);
    values.push(s);
  });
  if (op === 'In' || op === 'NotIn') {
    if (values.length === 0 && Array.isArray(raw.values ?? [])) {
      r.error(`${f}.values`, `operator ${op} needs at least one value`);
      ok = false;
    }
  } else if (op === 'Exists' || op === 'DoesNotExist') {
    if (values.length > 0) {
      r.error(`${f}.values`, `operator ${op} takes no values: remove them, or use In / NotIn`);
      ok = false;
    }
  }
  return ok && key !== undefined ? { key, operator: op as Operator, values } : undefined;
}

/** Decodes a list of selectors; duplicates (same canonical form) are errors. */
export function decodeSelectorList(r: FieldReader, raw: unknown, field: string): LabelSelector[] {
  const out: LabelSelector[] = [];
  const seen = new Map<string, number>();
  r.list(raw, field).forEach((item, i) => {
    const sel = decodeSelector(r, item, `${field}[${i}]`);
    if (!sel) return;
    const key = selectorKey(sel);
    const first = seen.get(key);
    if (first !== undefined) {
      r.error(`${field}[${i}]`, `duplicate selector: it is the same as ${field}[${first}]; list it once`);
      return;
    }
    seen.set(key, i);
    out.push(sel);
  });
  return out;
}

function requirementKey(req: LabelSelectorRequirement): string {
  return JSON.stringify([req.key, req.operator, [...req.values].sort()]);
}

/** Canonical text of a selector: equal selectors give equal keys whatever the order of their parts. */
export function selectorKey(sel: LabelSelector): string {
  const labels = Object.entries(sel.matchLabels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const exprs = sel.matchExpressions.map(requirementKey).sort();
  return JSON.stringify([labels, exprs]);
}

/** Whether a selector matches a label set. The empty selector matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  return selector.matchExpressions.every((req) => {
    const has = Object.hasOwn(labels, req.key);
    const value = labels[req.key];
    switch (req.operator) {
      case 'In':
        return has && value !== undefined && req.values.includes(value);
      case 'NotIn':
        return !has || value === undefined || !req.values.includes(value);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
    }
  });
}

/** Whether any selector of a list matches (ORed). The empty list matches everything. */
export function anySelectorMatches(
  selectors: readonly LabelSelector[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return selectors.length === 0 || selectors.some((s) => selectorMatches(s, labels));
}
