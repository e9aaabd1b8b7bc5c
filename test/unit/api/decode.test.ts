import { describe, expect, test } from '@jest/globals';
import { decodeDocuments } from '../../../src/api/decode.js';
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
    expect(formatProblem(problems[0]!)).toBe('File bad.yaml: YAML syntax error at line 5, column 1: Tabs are not allowed as indentation');
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
    expect(problems.map(formatProblem)).toEqual(['File k.yaml: YAML syntax error at line 3, column 1: Map keys must be unique']);
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
});
