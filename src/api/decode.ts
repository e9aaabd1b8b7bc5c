/**
 * Reads manifests: multi-document YAML (JSON is YAML too) into raw Kubernetes objects.
 * Empty documents are skipped and `kind: List` is expanded. Kinds are not filtered here:
 * `buildSnapshot` reads the kinds it knows and ignores the rest.
 *
 * The text is read in one pass: documents are composed one at a time from a streaming parser, and
 * line numbers come from the newline offsets the parser records (a binary search each), so the cost
 * is linear in the size of the file however many documents it holds.
 */
import { Composer, isAlias, isCollection, isMap as isYamlMap, isPair, isScalar, isSeq, LineCounter, Parser, type Document } from 'yaml';
import { isMap, typeName } from './fields.js';
import { MAX_ALIAS_COUNT, MAX_DOCUMENTS_PER_FILE, MAX_NESTING_DEPTH } from './limits.js';
import { escapeText, type Problem } from './problems.js';

export interface RawMetadata {
  /** `''` when missing; reported by the decoders of the kinds we read. */
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: unknown;
  readonly [key: string]: unknown;
}

export interface RawObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: RawMetadata;
  readonly spec?: unknown;
  readonly [key: string]: unknown;
  /** The file (or other origin) the object was read from. */
  readonly source: string;
}

export interface DecodeResult {
  readonly objects: RawObject[];
  readonly problems: Problem[];
}

/**
 * YAML 1.2 with the core schema, whatever `%YAML` directive the file carries: YAML 1.1 would read
 * `1:30` as 90 and `010` as 8. `logLevel: 'error'` keeps the library from printing its own
 * warnings on stderr (they are reported as problems instead).
 */
const YAML_OPTIONS = { version: '1.2', schema: 'core', uniqueKeys: true, logLevel: 'error', merge: false } as const;

export function decodeDocuments(text: string, source: string): DecodeResult {
  const objects: RawObject[] = [];
  const problems: Problem[] = [];
  const fileRef = { kind: 'File', namespace: '', name: source, source };
  const report = (severity: Problem['severity'], message: string): void => {
    problems.push({ severity, ref: fileRef, field: '', message });
  };
  const fail = (message: string): void => report('error', message);

  const lines = new LineCounter();
  const at = (offset: number): string => {
    const pos = lines.linePos(offset);
    return `line ${pos.line}, column ${pos.col}`;
  };
  const composer = new Composer(YAML_OPTIONS);
  let d = 0;
  try {
    for (const doc of composer.compose(new Parser(lines.addNewLine).parse(text), true, text.length)) {
      d++;
      if (d > MAX_DOCUMENTS_PER_FILE) {
        fail(`has more than ${MAX_DOCUMENTS_PER_FILE} YAML documents (MAX_DOCUMENTS_PER_FILE): split it into several files`);
        break;
      }
      readDocument(doc, d);
    }
  } catch (e) {
    // The composer recurses once per nesting level: a document nested tens of thousands deep
    // exhausts the stack before the depth check below can see it.
    if (!(e instanceof RangeError)) throw e;
    fail(`document ${d + 1} is nested too deeply to be read: at most ${MAX_NESTING_DEPTH} levels (MAX_NESTING_DEPTH)`);
  }
  return { objects, problems };

  function readDocument(doc: Document.Parsed, n: number): void {
    for (const w of doc.warnings) report('warning', `YAML at ${at(w.pos[0])}: ${firstLine(w.message)}`);
    if (doc.errors.length > 0) {
      for (const err of doc.errors) fail(`YAML syntax error at ${at(err.pos[0])}: ${firstLine(err.message)}`);
      return;
    }
    const start = doc.contents?.range?.[0];
    const where = start === undefined ? `document ${n}` : `document at line ${lines.linePos(start).line}`;
    const shape = checkShape(doc.contents, at);
    if (shape) {
      fail(`${where}: ${shape}`);
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      fail(`${where} cannot be read: ${firstLine((e as Error).message)}`);
      return;
    }
    if (value === null || value === undefined) return;
    addObject(value, where);
  }

  function addObject(value: unknown, where: string): void {
    if (!isMap(value)) {
      fail(`${where} is not a Kubernetes object: expected a mapping with apiVersion, kind and metadata, got ${typeName(value)}`);
      return;
    }
    const { apiVersion, kind } = value;
    if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
      fail(`${where} is not a Kubernetes object: it needs string fields apiVersion and kind`);
      return;
    }
    if (kind === 'List' || (kind.endsWith('List') && Array.isArray(value.items))) {
      if (!Array.isArray(value.items)) {
        fail(`${where}: kind List needs an items list`);
        return;
      }
      value.items.forEach((item, i) => {
        if (item !== null && item !== undefined) addObject(item, `${where}, items[${i}]`);
      });
      return;
    }
    const meta = isMap(value.metadata) ? value.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
    const metadata: RawMetadata = { ...meta, name, ...(namespace === undefined ? {} : { namespace }) };
    if (namespace === undefined) delete (metadata as Record<string, unknown>).namespace;
    objects.push({ ...value, apiVersion, kind, metadata, source });
  }
}

/**
 * Walks a document's nodes without recursion: the nesting depth must stay within
 * MAX_NESTING_DEPTH, and map keys must be scalars (a key that is a list or a map has no JSON form;
 * the library would turn it into text).
 */
function checkShape(root: unknown, at: (offset: number) => string): string | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || node === undefined || isScalar(node) || isAlias(node)) continue;
    if (depth > MAX_NESTING_DEPTH) return `is nested more than ${MAX_NESTING_DEPTH} levels deep (MAX_NESTING_DEPTH)`;
    if (isYamlMap(node)) {
      for (const pair of node.items) {
        if (isCollection(pair.key)) {
          const line = pair.key.range ? ` at ${at(pair.key.range[0])}` : '';
          return `has a map key that is a list or a map${line}: Kubernetes objects only have string keys`;
        }
        stack.push({ node: pair.value, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: isPair(item) ? item.value : item, depth: depth + 1 });
    }
  }
  return undefined;
}

function firstLine(s: string): string {
  return escapeText(
    s
      .split('\n')[0]!
      .trim()
      .replace(/ at line \d+, column \d+:?$/, ''),
  );
}

