import type { ObjectRef } from './model.js';

/**
 * A finding about the user's configuration. Errors block rendering (the last good config stays in
 * force); warnings are printed and rendering goes on.
 *
 * Every message names the object, the field and what would be valid, in one line:
 *   `BGPPeer metallb-system/peer1: spec.holdTime: "2s" is too short: use 0s or at least 3s`
 * User text (names, keys, values, file names) is quoted or escaped wherever it appears, so no input
 * can start, end, overwrite or hide a line of the report (see `escapeText`).
 */
export interface Problem {
  readonly severity: 'error' | 'warning';
  readonly category: ProblemCategory;
  readonly ref: ObjectRef;
  /** JSON path inside the object, e.g. `spec.communities[2]`; empty for the object as a whole. */
  readonly field: string;
  readonly message: string;
}

/**
 * Which kind of rule found a problem, so that a caller that keeps some kinds only selects by it
 * (`check` without a node keeps `reference`), never by the field or the message:
 * - `object`: the object's own fields (decoding, defaults, syntax);
 * - `reference`: an object this one names (a Secret, a BFDProfile, a Community alias, a pool, a peer);
 * - `node`: a rule between the objects that meet on one node (one router ID, one neighbor, ...).
 */
export type ProblemCategory = 'object' | 'reference' | 'node';

/**
 * Characters that can break, rewrite or hide a line on a terminal or in a log reader: C0 and C1
 * controls (newline, CR, ESC, BEL, NEL U+0085...), DEL, the Unicode line and paragraph separators,
 * zero-width and bidirectional formatting characters, the BOM, and lone surrogates.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]/gu;
const SHORT_ESCAPES: ReadonlyMap<string, string> = new Map([['\n', '\\n'], ['\r', '\\r'], ['\t', '\\t']]);

/** Quoted user text longer than this is cut (the message says how long it was): reports stay readable. */
export const MAX_QUOTED_LENGTH = 200;

/** `text` with every unsafe character written as an escape (`\n`, `\u001b`): always one visible line. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (c) => SHORT_ESCAPES.get(c) ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Quote user input in messages so that empty strings, spaces and control characters are visible. */
export function q(value: unknown): string {
  if (typeof value !== 'string') return escapeText(cut(JSON.stringify(value) ?? String(value)));
  return escapeText(cut(value, (s) => JSON.stringify(s)));
}

function cut(text: string, quote: (s: string) => string = (s) => s): string {
  if (text.length <= MAX_QUOTED_LENGTH) return quote(text);
  return `${quote(text.slice(0, MAX_QUOTED_LENGTH))}... (${text.length} characters)`;
}

/** Names that print as they are; anything else (spaces, quotes, controls, empty) is quoted. */
const PLAIN_NAME = /^[A-Za-z0-9._~+@:,()/-]{1,253}$/;

/** A name as one token: plain, or quoted (and cut after MAX_QUOTED_LENGTH, marked by `...`). */
function nameText(name: string): string {
  if (PLAIN_NAME.test(name)) return name;
  return name.length <= MAX_QUOTED_LENGTH ? q(name) : `${q(name.slice(0, MAX_QUOTED_LENGTH))}...`;
}

/** Map keys that print as a dotted path segment; others become `["key"]`. */
const PLAIN_KEY = /^[A-Za-z0-9_./-]{1,253}$/;

/** `parent.key`, or `parent["key"]` when the key is not plain: user keys never break a field path. */
export function fieldPath(parent: string, key: string): string {
  if (PLAIN_KEY.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${q(key)}]`;
}

export function formatRef(ref: ObjectRef): string {
  return ref.namespace ? `${nameText(ref.kind)} ${nameText(ref.namespace)}/${nameText(ref.name)}` : `${nameText(ref.kind)} ${nameText(ref.name)}`;
}

export function formatProblem(p: Problem): string {
  const where = p.field ? `${formatRef(p.ref)}: ${escapeText(p.field)}` : formatRef(p.ref);
  // Messages quote user input with q(); escaping the whole message again is the safety net for
  // any path that forgot, and never changes a message that was already safe.
  return `${where}: ${escapeText(p.message)}`;
}

/** Collects problems while a pass walks the objects, so that every problem is reported, not the first. */
export class Problems {
  readonly list: Problem[] = [];
  /** Kept as a count: decoders compare it before and after each object, for every object. */
  private errorsSoFar = 0;

  error(ref: ObjectRef, field: string, message: string, category: ProblemCategory = 'object'): void {
    this.list.push({ severity: 'error', category, ref, field, message });
    this.errorsSoFar++;
  }

  /** A problem found by an earlier pass (the snapshot's, scoped to a node). */
  add(p: Problem): void {
    this.list.push(p);
    if (p.severity === 'error') this.errorsSoFar++;
  }

  get errorCount(): number {
    return this.errorsSoFar;
  }

  warn(ref: ObjectRef, field: string, message: string, category: ProblemCategory = 'object'): void {
    this.list.push({ severity: 'warning', category, ref, field, message });
  }

  get errors(): Problem[] {
    return this.list.filter((p) => p.severity === 'error');
  }

  get warnings(): Problem[] {
    return this.list.filter((p) => p.severity === 'warning');
  }

  hasErrors(): boolean {
    return this.errorsSoFar > 0;
  }
}

/** Sorted, de-duplicated problems in a stable order: the same inputs give the same report. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  // Each problem formatted once: formatting in the comparator would cost n log n escapes.
  const byKey = new Map<string, { p: Problem; text: string }>();
  for (const p of problems) {
    const text = formatProblem(p);
    const key = `${p.severity}\u0000${text}`;
    if (!byKey.has(key)) byKey.set(key, { p, text });
  }
  return [...byKey.values()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)).map((e) => e.p);
}
