/**
 * Typed reads of raw (YAML/JSON) fields that report a problem instead of throwing, so that one pass
 * over an object finds every mistake in it.
 */
import type { ObjectRef } from './model.js';
import { fieldPath, Problems, q } from './problems.js';
import { MAX_STRING_LENGTH } from './limits.js';

export type RawMap = Record<string, unknown>;

export function isMap(v: unknown): v is RawMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Empty strings count as unset, as in MetalLB's Go types. */
export function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

/** Human name of a raw value's type, for "must be a string, not a number" messages. */
export function typeName(v: unknown): string {
  if (typeof v === 'string') return `a string (${q(v)})`;
  if (typeof v === 'number' || typeof v === 'boolean') return `a ${typeof v} (${String(v)})`;
  return typeOnly(v);
}

/** The type alone, never the value: for Secrets, whose values must never reach a message. */
export function typeOnly(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (isMap(v)) return 'an object';
  return `a ${typeof v}`;
}

export interface FieldReaderOptions {
  /** Messages name the type of a wrong value but never show it (Secrets). */
  readonly hideValues?: boolean;
}

/** Reads the fields of one object and files problems under its ref. */
export class FieldReader {
  constructor(
    readonly ref: ObjectRef,
    readonly problems: Problems,
    private readonly options: FieldReaderOptions = {},
  ) {}

  /** How a wrong value is described in a message: with its value, unless values are hidden. */
  describe(v: unknown): string {
    return this.options.hideValues ? typeOnly(v) : typeName(v);
  }

  error(field: string, message: string): void {
    this.problems.error(this.ref, field, message);
  }

  warn(field: string, message: string): void {
    this.problems.warn(this.ref, field, message);
  }

  /** An optional object; absent or null gives `{}`. */
  map(v: unknown, field: string): RawMap {
    if (v === undefined || v === null) return {};
    if (isMap(v)) return v;
    this.error(field, `must be an object, not ${this.describe(v)}`);
    return {};
  }

  /** An optional list; absent or null gives `[]`. */
  list(v: unknown, field: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    this.error(field, `must be a list, not ${this.describe(v)}`);
    return [];
  }

  string(v: unknown, field: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') {
      if (v.length <= MAX_STRING_LENGTH) return v;
      this.error(field, `is ${v.length} characters long: at most ${MAX_STRING_LENGTH} (MAX_STRING_LENGTH) are read`);
      return undefined;
    }
    this.error(field, `must be a string, not ${this.describe(v)}: quote the value`);
    return undefined;
  }

  boolean(v: unknown, field: string): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    this.error(field, `must be true or false, not ${this.describe(v)}`);
    return undefined;
  }

  /** An optional integer in [min, max]; out-of-range values are reported and give undefined. */
  integer(v: unknown, field: string, min: number, max: number): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' && /^-?[0-9]+$/.test(v.trim())) {
      this.error(field, `${q(v)} is a string: write the number without quotes (an integer from ${min} to ${max})`);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.error(field, `${typeof v === 'string' ? q(v) : typeof v === 'number' ? String(v) : typeName(v)} is not a whole number: use an integer from ${min} to ${max}`);
      return undefined;
    }
    if (v < min || v > max) {
      this.error(field, `${v} is out of range: use an integer from ${min} to ${max}`);
      return undefined;
    }
    return v;
  }

  /**
   * A list of strings; non-string entries, duplicates and entries `check` rejects (it returns a
   * message) are reported and skipped.
   */
  stringList(v: unknown, field: string, what = 'entry', check?: (s: string) => string | undefined): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    this.list(v, field).forEach((item, i) => {
      const s = this.string(item, `${field}[${i}]`);
      if (s === undefined) {
        if (item === null || item === undefined) this.error(`${field}[${i}]`, 'is empty: remove the entry or give a value');
        return;
      }
      if (seen.has(s)) {
        this.error(`${field}[${i}]`, `duplicate ${what} ${q(s)}: list it once`);
        return;
      }
      seen.add(s);
      const problem = check?.(s);
      if (problem) {
        this.error(`${field}[${i}]`, problem);
        return;
      }
      out.push(s);
    });
    return out;
  }

  /** Warns about fields the object does not have (typos such as `holdtime` would otherwise be ignored). */
  unknownFields(obj: RawMap, known: readonly string[], field: string): void {
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) {
        const close = known.find((k) => k.toLowerCase() === key.toLowerCase());
        const hint = close ? `: did you mean ${q(close)}?` : `: it is ignored (known fields: ${known.join(', ')})`;
        this.warn(fieldPath(field, key), `unknown field${hint}`);
      }
    }
  }
}
