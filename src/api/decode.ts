/**
 * Reads manifests: multi-document YAML (JSON is YAML too) into raw Kubernetes objects.
 * Empty documents are skipped and `kind: List` is expanded. Kinds are not filtered here:
 * `buildSnapshot` reads the kinds it knows and ignores the rest.
 */
import { parseAllDocuments } from 'yaml';
import { isMap, typeName } from './fields.js';
import type { Problem } from './problems.js';

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
  const fail = (message: string): void => {
    problems.push({ severity: 'error', ref: fileRef, field: '', message });
  };

  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, d) => {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const pos = err.linePos?.[0];
        const where = pos ? `line ${pos.line}, column ${pos.col}` : `document ${d + 1}`;
        fail(`YAML syntax error at ${where}: ${firstLine(err.message)}`);
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      fail(`document ${d + 1} cannot be read: ${firstLine((e as Error).message)}`);
      return;
    }
    if (value === null || value === undefined) return;
    const line = doc.contents?.range ? lineOf(text, doc.contents.range[0]) : undefined;
    const where = line ? `document at line ${line}` : `document ${d + 1}`;
    addObject(value, where);
  });
  return { objects, problems };

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

function firstLine(s: string): string {
  return s
    .split('\n')[0]!
    .trim()
    .replace(/ at line \d+, column \d+:?$/, '');
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
