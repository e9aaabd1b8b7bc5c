/**
 * A list of strings each parsed into a value (`spec.addresses`, `spec.communities`): one reading
 * for every such field, so an empty entry, an unparsable one and a repeat are reported the same way.
 */
import type { FieldReader } from './fields.js';
import type { Result } from './ip.js';

export interface ParsedEntry<T> {
  readonly index: number;
  /** `parent[index]`, for problems about the entry. */
  readonly field: string;
  readonly text: string;
  readonly value: T;
}

export interface StringListRules<T> {
  /** What to write instead of an empty (null) entry, e.g. `give a CIDR or a range`. */
  readonly emptyHint: string;
  readonly parse: (text: string) => Result<T>;
  /** Entries with the same key repeat each other. */
  readonly key: (value: T) => string;
  /** The error of a repeat, naming the first entry's field. */
  readonly repeated: (text: string, value: T, firstField: string) => string;
}

/** The entries that parse and do not repeat an earlier one; every other entry is an error of its own field. */
export function parseStringList<T>(r: FieldReader, entries: readonly unknown[], parent: string, rules: StringListRules<T>): ParsedEntry<T>[] {
  const out: ParsedEntry<T>[] = [];
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const field = `${parent}[${index}]`;
    const text = r.string(entry, field);
    if (text === undefined) {
      if (entry === null) r.error(field, `is empty: ${rules.emptyHint}, or remove the entry`);
      return;
    }
    const parsed = rules.parse(text);
    if (!parsed.ok) {
      r.error(field, parsed.error);
      return;
    }
    const key = rules.key(parsed.value);
    const first = seen.get(key);
    if (first !== undefined) {
      r.error(field, rules.repeated(text, parsed.value, `${parent}[${first}]`));
      return;
    }
    seen.set(key, index);
    out.push({ index, field, text, value: parsed.value });
  });
  return out;
}
