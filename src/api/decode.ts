/**
 * Reads manifests: multi-document YAML (JSON is YAML too) into raw Kubernetes objects.
 * Empty documents are skipped and `kind: List` is expanded. Kinds are not filtered here:
 * `buildSnapshot` reads the kinds it knows and ignores the rest.
 *
 * Cost is linear in the size of the text: the text is cut into documents in one pass over its
 * lines (`splitDocuments`), and each document is parsed on its own, so a broken document does not
 * hide the others and line numbers are the document's first line plus the parser's offset.
 * js-yaml parses ~10x faster than `yaml` (README "Dependencies"); it is given YAML 1.2's core schema
 * whatever `%YAML` directive the file carries, since YAML 1.1 would read `1:30` as 90 and `010` as 8.
 */
import { CORE_SCHEMA, load, type YAMLException } from 'js-yaml';
import { isMap, typeName } from './fields.js';
import { MAX_DOCUMENTS_PER_FILE, MAX_ERRORS_PER_FILE, MAX_NESTING_DEPTH } from './limits.js';
import { escapeText, type Problem } from './problems.js';

/** What every kind's decoder is told about the whole read (the MetalLB namespace, for defaults). */
export interface DecodeOptions {
  readonly metallbNamespace: string;
}

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

export function decodeDocuments(text: string, source: string): DecodeResult {
  const objects: RawObject[] = [];
  const problems: Problem[] = [];
  const fileRef = { kind: 'File', namespace: '', name: source, source };
  const report = (severity: Problem['severity'], message: string): void => {
    problems.push({ severity, category: 'object', ref: fileRef, field: '', message });
  };
  const fail = (message: string): void => report('error', message);

  let count = 0;
  for (const doc of splitDocuments(text)) {
    if (doc.contentLine === undefined) continue; // only comments, markers or blank lines
    if (++count > MAX_DOCUMENTS_PER_FILE) {
      fail(`has more than ${MAX_DOCUMENTS_PER_FILE} YAML documents (MAX_DOCUMENTS_PER_FILE): split it into several files`);
      break;
    }
    readDocument(doc);
    if (problems.length > MAX_ERRORS_PER_FILE) {
      fail(`has more than ${MAX_ERRORS_PER_FILE} errors (MAX_ERRORS_PER_FILE): the rest of the file, from line ${doc.firstLine}, is not read; fix these first`);
      break;
    }
  }
  return { objects, problems };

  function readDocument(doc: DocumentText): void {
    const where = `document at line ${doc.contentLine}`;
    let value: unknown;
    try {
      value = load(doc.text, {
        schema: CORE_SCHEMA,
        onWarning: (w) => report('warning', `YAML at ${position(doc, w)}: ${reasonOf(w)}`),
      });
    } catch (e) {
      if (e instanceof RangeError) fail(`${where} is nested too deeply to be read: at most ${MAX_NESTING_DEPTH} levels (MAX_NESTING_DEPTH)`);
      else if (isYamlException(e)) fail(`YAML syntax error at ${position(doc, e)}: ${reasonOf(e)}`);
      else fail(`${where} cannot be read: ${escapeText(String((e as Error)?.message ?? e))}`);
      return;
    }
    if (value === null || value === undefined) return;
    const shape = checkShape(value, doc.text.length);
    if (shape) {
      fail(`${where} ${shape}`);
      return;
    }
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

/** One YAML document's text and where it starts in the file (lines are 1-based). */
export interface DocumentText {
  readonly text: string;
  /** Line of the document's first line (its `---` marker, a directive, or its first content). */
  readonly firstLine: number;
  /** First line holding content, or undefined for a document of comments and blank lines only. */
  readonly contentLine: number | undefined;
}

const DOCUMENT_START = /^---(?:[ \t\r]|$)/;
const DOCUMENT_END = /^\.\.\.(?:[ \t\r]|$)/;
const BLANK_OR_COMMENT = /^[ \t\r]*(?:#.*)?$/;

/**
 * Cuts a YAML stream into documents in one pass over its lines. YAML forbids `---` and `...` at
 * the start of a line anywhere but as document markers (inside scalars too), so a line starting
 * with one is always a boundary. Directives (`%YAML`, `%TAG`) belong to the document they precede.
 */
export function* splitDocuments(text: string): Generator<DocumentText> {
  let start = 0; // offset of the current document's first line
  let firstLine = 1;
  let contentLine: number | undefined;
  let directivesOnly = false; // the current document so far holds directives (and comments) only
  let line = 1;
  let pos = 0;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const lineText = text.slice(pos, end);
    const next = nl < 0 ? text.length + 1 : nl + 1;
    if (DOCUMENT_START.test(lineText)) {
      if (pos > start && !directivesOnly) {
        yield { text: text.slice(start, pos), firstLine, contentLine };
        start = pos;
        firstLine = line;
        contentLine = undefined;
      }
      directivesOnly = false;
      if (!BLANK_OR_COMMENT.test(lineText.slice(3))) contentLine ??= line;
    } else if (DOCUMENT_END.test(lineText)) {
      yield { text: text.slice(start, Math.min(next, text.length)), firstLine, contentLine };
      start = Math.min(next, text.length);
      firstLine = line + 1;
      contentLine = undefined;
      directivesOnly = false;
    } else if (lineText.startsWith('%') && contentLine === undefined) {
      directivesOnly = true;
    } else if (!BLANK_OR_COMMENT.test(lineText)) {
      contentLine ??= line;
    }
    pos = next;
    line++;
  }
  if (start < text.length) yield { text: text.slice(start), firstLine, contentLine };
}

/**
 * Walks a parsed value without recursion. Its nesting must stay within MAX_NESTING_DEPTH, and the
 * number of nodes visited within the size of the document's text: a tree written out in full has
 * fewer nodes than characters, so more can only come from aliases repeating each other (an alias
 * bomb), which would make every later pass over the object exponential.
 */
function checkShape(root: unknown, textLength: number): string | undefined {
  const budget = textLength + 16;
  let visited = 0;
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_NESTING_DEPTH) return `is nested more than ${MAX_NESTING_DEPTH} levels deep (MAX_NESTING_DEPTH)`;
    if (++visited > budget) return 'expands, through YAML aliases, to more values than its text holds (an alias bomb?): write the values out instead of repeating aliases';
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) stack.push({ node: child, depth: depth + 1 });
  }
  return undefined;
}

function isYamlException(e: unknown): e is YAMLException {
  return e instanceof Error && e.name === 'YAMLException';
}

function position(doc: DocumentText, e: YAMLException): string {
  if (!e.mark) return `document at line ${doc.contentLine ?? doc.firstLine}`;
  return `line ${doc.firstLine + e.mark.line}, column ${e.mark.column + 1}`;
}

function reasonOf(e: YAMLException): string {
  return escapeText(e.reason || e.message.split('\n')[0]!.trim());
}
