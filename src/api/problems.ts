import type { ObjectRef } from './model.js';

/**
 * A finding about the user's configuration. Errors block rendering (the last good config stays in
 * force); warnings are printed and rendering goes on.
 *
 * Every message names the object, the field and what would be valid, in one line:
 *   `BGPPeer metallb-system/peer1: spec.holdTime: "2s" is too short: use 0s or at least 3s`
 */
export interface Problem {
  readonly severity: 'error' | 'warning';
  readonly ref: ObjectRef;
  /** JSON path inside the object, e.g. `spec.communities[2]`; empty for the object as a whole. */
  readonly field: string;
  readonly message: string;
}

export function formatRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

export function formatProblem(p: Problem): string {
  const where = p.field ? `${formatRef(p.ref)}: ${p.field}` : formatRef(p.ref);
  return `${where}: ${oneLine(p.message)}`;
}

/** Messages may quote user input; never let that input break the one-problem-per-line contract. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, '\\n');
}

/** Collects problems while a pass walks the objects, so that every problem is reported, not the first. */
export class Problems {
  readonly list: Problem[] = [];

  error(ref: ObjectRef, field: string, message: string): void {
    this.list.push({ severity: 'error', ref, field, message });
  }

  warn(ref: ObjectRef, field: string, message: string): void {
    this.list.push({ severity: 'warning', ref, field, message });
  }

  get errors(): Problem[] {
    return this.list.filter((p) => p.severity === 'error');
  }

  get warnings(): Problem[] {
    return this.list.filter((p) => p.severity === 'warning');
  }

  hasErrors(): boolean {
    return this.list.some((p) => p.severity === 'error');
  }
}

/** Quote user input in messages so that empty strings and spaces are visible. */
export function q(value: unknown): string {
  return JSON.stringify(value);
}

/** Sorted, de-duplicated problems in a stable order: the same inputs give the same report. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const p of problems) {
    const key = `${p.severity}\u0000${formatProblem(p)}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out.sort((a, b) => (formatProblem(a) < formatProblem(b) ? -1 : formatProblem(a) > formatProblem(b) ? 1 : 0));
}
