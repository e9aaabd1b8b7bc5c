import { describe, expect, test } from '@jest/globals';
import { decodeDocuments, splitDocuments } from '../../../src/api/decode.js';
import { MAX_NESTING_DEPTH } from '../../../src/api/limits.js';
import { formatProblem } from '../../../src/api/problems.js';

describe('decodeDocuments', () => {
  test('reads several YAML documents and skips empty ones', () => {
    const text = `
apiVersion: v1
kind: Namespace
metadata:
  name: test
---
---
# only a comment
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: p1, namespace: metallb-system}
spec: {myASN: 1}
`;
    const { objects, problems } = decodeDocuments(text, 'a.yaml');
    expect(problems).toEqual([]);
    expect(objects.map((o) => [o.kind, o.metadata.name, o.metadata.namespace, o.source])).toEqual([
      ['Namespace', 'test', undefined, 'a.yaml'],
      ['BGPPeer', 'p1', 'metallb-system', 'a.yaml'],
    ]);
    expect(objects[1]!.spec).toEqual({ myASN: 1 });
  });

  test('reads plain JSON', () => {
    const { objects, problems } = decodeDocuments('{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","labels":{"a":"b"}}}', 'n.json');
    expect(problems).toEqual([]);
    expect(objects[0]!.metadata).toEqual({ name: 'n1', labels: { a: 'b' } });
  });

  test('expands kind: List', () => {
    const text = `
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Node, metadata: {name: a}}
- {apiVersion: v1, kind: Node, metadata: {name: b}}
`;
    const { objects, problems } = decodeDocuments(text, 'l.yaml');
    expect(problems).toEqual([]);
    expect(objects.map((o) => o.metadata.name)).toEqual(['a', 'b']);
  });

  test('a YAML syntax error names the file and the line', () => {
    const text = 'apiVersion: v1\nkind: Node\nmetadata:\n  name: a\n\tlabels: {}\n';
    const { problems } = decodeDocuments(text, 'bad.yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.ref).toEqual({ kind: 'File', namespace: '', name: 'bad.yaml', source: 'bad.yaml' });
    expect(formatProblem(problems[0]!)).toBe('File bad.yaml: YAML syntax error at line 5, column 1: tab characters must not be used in indentation');
  });

  test('the other documents of a file with a syntax error are still read', () => {
    const text = 'apiVersion: v1\nkind: Node\nmetadata: {name: ok}\n---\nkey: [unclosed\n';
    const { objects, problems } = decodeDocuments(text, 'f.yaml');
    expect(objects.map((o) => o.metadata.name)).toEqual(['ok']);
    // The unclosed flow sequence is reported where the parser gave up: the end of document 2.
    expect(formatProblem(problems[0]!)).toContain('at line 6, column 1');
  });

  test('a key defined twice is an error', () => {
    const { problems } = decodeDocuments('apiVersion: v1\nkind: Node\nkind: Node\n', 'k.yaml');
    expect(problems.map(formatProblem)).toEqual(['File k.yaml: YAML syntax error at line 3, column 1: duplicated mapping key']);
  });

  test('a document that is not an object is an error', () => {
    const { problems } = decodeDocuments('- a\n- b\n', 'x.yaml');
    expect(problems.map(formatProblem)).toEqual([
      'File x.yaml: document at line 1 is not a Kubernetes object: expected a mapping with apiVersion, kind and metadata, got a list',
    ]);
    expect(decodeDocuments('foo: bar\n', 'y.yaml').problems.map(formatProblem)).toEqual([
      'File y.yaml: document at line 1 is not a Kubernetes object: it needs string fields apiVersion and kind',
    ]);
  });

  test('YAML is read as 1.2 with the core schema, whatever %YAML directive the file has', () => {
    const text = '%YAML 1.1\n---\napiVersion: v1\nkind: Node\nmetadata: {name: a}\nspec: {a: 1:30, b: 010, c: yes, d: 0o10}\n';
    const { objects, problems } = decodeDocuments(text, 'y.yaml');
    expect(problems).toEqual([]);
    // YAML 1.1 would give 90, 8 and true.
    expect(objects[0]!.spec).toEqual({ a: '1:30', b: 10, c: 'yes', d: 8 });
  });

  test('custom tags, null bytes and self-referencing aliases are errors, never crashes', () => {
    for (const text of ['a: !foo x\n', 'a: !!binary aGk=\n', 'a: "x\u0000y"\n', 'a: &x [*x]\n']) {
      const { objects, problems } = decodeDocuments(text, 't.yaml');
      expect(objects).toEqual([]);
      // A self-referencing alias makes a cycle, which the alias budget stops like a bomb.
      expect(problems.map(formatProblem)).toEqual([expect.stringMatching(/^File t\.yaml: (YAML syntax error at line 1, column \d+: |document at line 1 expands, through YAML aliases)/)]);
    }
  });

  test('an alias bomb is refused before anything walks it', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const text = `apiVersion: v1\nkind: Node\nmetadata: {name: n}\nspec:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
    const { objects, problems } = decodeDocuments(text, 'bomb.yaml');
    expect(objects).toEqual([]);
    expect(problems.map(formatProblem)).toEqual([expect.stringContaining('File bomb.yaml: document at line 1 expands, through YAML aliases, to more values than its text holds')]);
    // Control: one alias used a few times is fine.
    expect(decodeDocuments('apiVersion: v1\nkind: Node\nmetadata: {name: n, labels: &l {a: b}}\nspec: {x: *l, y: *l}\n', 'ok.yaml').problems).toEqual([]);
  });

  test('nesting deeper than MAX_NESTING_DEPTH is an error, however deep', () => {
    for (const depth of [MAX_NESTING_DEPTH + 1, 100_000]) {
      const { objects, problems } = decodeDocuments(`${'['.repeat(depth)}${']'.repeat(depth)}\n`, 'deep.yaml');
      expect(objects).toEqual([]);
      expect(problems.map(formatProblem)).toEqual([
        expect.stringMatching(/^File deep\.yaml: (document at line 1 is nested (more than 64 levels deep|too deeply to be read)|YAML syntax error at line 1, column \d+: nesting exceeded maxDepth)/),
      ]);
    }
    // Control: a list of lists within the limit is read (and then reported as not an object).
    expect(decodeDocuments(`${'['.repeat(MAX_NESTING_DEPTH)}${']'.repeat(MAX_NESTING_DEPTH)}\n`, 'ok.yaml').problems.map(formatProblem)).toEqual([
      expect.stringContaining('is not a Kubernetes object'),
    ]);
  });

  test('documents are cut at --- and ... lines only, directives going with the next document', () => {
    const text = '# head\n%YAML 1.2\n---\na: 1\n--- {b: 2}\n...\n%YAML 1.2\n---\nc: |\n  --- not a marker (indented)\n---\n';
    const docs = [...splitDocuments(text)];
    expect(docs.map((d) => [d.firstLine, d.contentLine])).toEqual([[1, 4], [5, 5], [7, 9], [11, undefined]]);
    expect(docs.map((d) => d.text).join('')).toBe(text);
  });

  test('line numbers count from the start of the file in every document', () => {
    const text = 'apiVersion: v1\nkind: Node\nmetadata: {name: a}\n---\n\n\nfoo: [\n';
    const errors = decodeDocuments(text, 'f.yaml').problems.filter((p) => p.severity === 'error');
    expect(errors.map(formatProblem)).toEqual([expect.stringMatching(/^File f\.yaml: YAML syntax error at line 8, column 1: /)]);
  });
});
