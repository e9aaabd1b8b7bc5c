/** Findings of issue 15 at the api level: each fixed at its root, each with a control. */
import { describe, expect, test } from '@jest/globals';
import { decodeDocuments } from '../../../src/api/decode.js';
import { checkHostname, checkNodeName } from '../../../src/api/host-names.js';
import { MAX_METALLB_OBJECTS_PER_KIND, MAX_POOL_ENTRIES, MAX_STRING_LENGTH } from '../../../src/api/limits.js';
import { escapeText, fieldPath, formatProblem, q } from '../../../src/api/problems.js';
import { buildSnapshot } from '../../../src/api/snapshot.js';
import { checkPoolOverlaps } from '../../../src/api/validate-cross.js';
import { Problems } from '../../../src/api/problems.js';
import { checkPeersOfNode } from '../../../src/intent/node-peers.js';
import { adv, build, doc, errors, NS, peer, pool, warnings } from './helpers.js';

const LINE_BREAKERS = ['\n', '\r', '\u001b[2K', '\u0007', '\u0085', '\u2028', '\u2029', '\u009b', '\u202e'];
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/;

describe('user text in messages is escaped', () => {
  test('a forged line in a Service name stays inside one escaped line', () => {
    const forged = 'web\nerror: BGPPeer metallb-system/peer1: spec.myASN: FORGED';
    const text = doc({ apiVersion: 'v1', kind: 'Service', metadata: { name: forged, namespace: 'default' }, spec: { externalTrafficPolicy: 'Bogus' } });
    const lines = errors(buildSnapshot(decodeDocuments(text, 'x.yaml').objects, { metallbNamespace: NS }).problems);
    expect(lines).toEqual([
      'Service default/"web\\nerror: BGPPeer metallb-system/peer1: spec.myASN: FORGED": spec.externalTrafficPolicy: "Bogus" is not valid: use "Cluster" or "Local"',
    ]);
  });

  test.each(LINE_BREAKERS)('escapeText and q never let %j through', (c) => {
    expect(escapeText(`a${c}b`)).not.toMatch(UNSAFE);
    expect(q(`a${c}b`)).not.toMatch(UNSAFE);
    // Control: the character really is unsafe before escaping.
    expect(`a${c}b`).toMatch(UNSAFE);
  });

  test('label keys and Secret data keys become quoted path segments', () => {
    expect(fieldPath('metadata.labels', 'kubernetes.io/hostname')).toBe('metadata.labels.kubernetes.io/hostname');
    expect(fieldPath('data', 'pass\nword')).toBe('data["pass\\nword"]');
  });

  test('long values are cut in messages, with their length', () => {
    expect(q('x'.repeat(100_000))).toMatch(/^"x{200}"\.\.\. \(100000 characters\)$/);
  });

  test('a problem with control characters anywhere still formats as one line', () => {
    const line = formatProblem({ severity: 'error', category: 'object', ref: { kind: 'File', namespace: '', name: 'a\u2028b.yaml' }, field: 'x\ny', message: 'm\u0085n' });
    expect(line).not.toMatch(UNSAFE);
    expect(line).toBe('File "a\\u2028b.yaml": x\\ny: m\\u0085n');
  });
});

describe('Secrets never have a value quoted', () => {
  test.each(['stringData', 'data', 'type'])('%s given as a plain string', (field) => {
    const text = doc({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bgp', namespace: NS }, [field]: 'hunter2', ...(field === 'type' ? { data: 5 } : {}) });
    const problems = buildSnapshot(decodeDocuments(text, 's.yaml').objects, { metallbNamespace: NS }).problems;
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map(formatProblem).join('\n')).not.toContain('hunter2');
    expect(problems.map(formatProblem).join('\n')).not.toContain('(5)');
  });

  test('a Secret data key named __proto__ is a key, not a prototype', () => {
    const text = doc({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/basic-auth', metadata: { name: 'bgp', namespace: NS }, stringData: JSON.parse('{"__proto__": "x", "password": "pw"}') });
    const { snapshot } = buildSnapshot(decodeDocuments(text, 's.yaml').objects, { metallbNamespace: NS });
    expect(Object.keys(snapshot.secrets[0]!.data).sort()).toEqual(['__proto__', 'password']);
  });
});

describe('user text is never looked up in a plain object', () => {
  test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('kind %s with a metallb.io apiVersion is ignored, not a crash', (kind) => {
    const text = `apiVersion: metallb.io/v1beta1\nkind: ${kind === '__proto__' ? '"__proto__"' : kind}\nmetadata: {name: x}\n` + peer('p1', { myASN: 1, peerASN: 2, peerAddress: '10.0.0.1' });
    const { snapshot, problems } = buildSnapshot(decodeDocuments(text, 'k.yaml').objects, { metallbNamespace: NS });
    expect(errors(problems)).toEqual([]);
    expect(snapshot.peers.map((p) => p.ref.name)).toEqual(['p1']); // the rest still renders
  });

  test.each(['holdTime', 'keepaliveTime', 'connectTime'])('%s with a prototype name as unit is an error', (field) => {
    for (const value of ['1constructor', '1__proto__', '5valueOf', '1toString', '1hasOwnProperty']) {
      const { problems } = build(peer('p1', { myASN: 1, peerASN: 2, peerAddress: '10.0.0.1', [field]: value }));
      expect(errors(problems)).toEqual([expect.stringContaining(`spec.${field}: "${value}" is not a valid duration`)]);
    }
  });
});

describe('apiVersion and kind match exactly; near misses are named', () => {
  test.each([
    ['metallb.io/v1beta2', 'bgppeer', 'kind'],
    ['METALLB.IO/v1beta2', 'BGPPeer', 'apiVersion'],
    ['v1', 'service', 'kind'],
    ['V1', 'Service', 'apiVersion'],
  ])('%s %s is ignored with a warning on %s', (apiVersion, kind, field) => {
    const text = doc({ apiVersion, kind, metadata: { name: 'x', namespace: NS }, spec: {} });
    const { snapshot, problems } = buildSnapshot(decodeDocuments(text, 'n.yaml').objects, { metallbNamespace: NS });
    expect(snapshot.peers).toEqual([]);
    expect(errors(problems)).toEqual([]);
    expect(warnings(problems)).toEqual([expect.stringMatching(new RegExp(`^${kind} ${NS}/x: ${field}: .* is not a kind frr-renderer reads, so this object is ignored`))]);
  });

  test('metallb.io/v1beta2/extra is not v1beta2', () => {
    const { snapshot, problems } = build(peer('p1', { myASN: 1, peerASN: 2, peerAddress: '10.0.0.1' }, 'metallb.io/v1beta2/extra'));
    expect(snapshot.peers).toEqual([]);
    expect(errors(problems)).toEqual([expect.stringContaining('apiVersion: "metallb.io/v1beta2/extra" is not served for BGPPeer')]);
  });

  test('control: other groups kinds of the same name stay silent', () => {
    for (const [apiVersion, kind] of [['crd.projectcalico.org/v1', 'BGPPeer'], ['serving.knative.dev/v1', 'Service']]) {
      const { problems } = buildSnapshot(decodeDocuments(doc({ apiVersion, kind, metadata: { name: 'x' } }), 'o.yaml').objects, { metallbNamespace: NS });
      expect(problems).toEqual([]);
    }
  });
});

describe('limits', () => {
  test('a string longer than MAX_STRING_LENGTH is refused without being printed whole', () => {
    const { problems } = build(peer('p1', { myASN: 1, peerASN: 2, peerAddress: '10.0.0.1', vrf: 'v'.repeat(MAX_STRING_LENGTH + 1) }));
    expect(errors(problems)).toEqual([`BGPPeer metallb-system/p1: spec.vrf: is ${MAX_STRING_LENGTH + 1} characters long: at most ${MAX_STRING_LENGTH} (MAX_STRING_LENGTH) are read`]);
  });

  test('a pool with more than MAX_POOL_ENTRIES entries', () => {
    const addresses = Array.from({ length: MAX_POOL_ENTRIES + 1 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
    const { problems } = build(pool('big', addresses));
    expect(errors(problems)).toEqual([expect.stringContaining(`IPAddressPool metallb-system/big: spec.addresses: has ${MAX_POOL_ENTRIES + 1} entries: at most ${MAX_POOL_ENTRIES} (MAX_POOL_ENTRIES)`)]);
  });

  test('more than MAX_METALLB_OBJECTS_PER_KIND objects of a kind: one error, on the first one refused', () => {
    const text = Array.from({ length: MAX_METALLB_OBJECTS_PER_KIND + 5 }, (_, i) => adv(`a${i}`, { localPref: i })).join('');
    const { problems } = build(text);
    expect(errors(problems).filter((e) => e.includes('MAX_METALLB_OBJECTS_PER_KIND'))).toHaveLength(1);
  });
});

describe('per-object comparisons are linear or n log n', () => {
  /**
   * Time of `run(16n)` over time of `run(n)`, each the best of 7 runs taken in turns (the minimum
   * filters out a busy machine's pauses; taking turns spreads a long one over both sizes):
   * quadratic gives ~256, linear 16, n log n ~20 in theory. In practice a linear pass is not linear
   * in time across cache sizes: on one 2-core machine the control's Set measured 41 and
   * checkPeersOfNode 50 for this step (at a step of 8 the Set measured 28, over the bound of 24 used
   * then), the pairwise control 228. The bound, 100, is the geometric middle of those, a factor of
   * 2 or more from each (a 4x step with a bound of 10 had failed once on a loaded CI machine at 13).
   */
  function ratio(run: (n: number) => void, n: number): number {
    const time = (k: number): number => {
      const t = process.hrtime.bigint();
      run(k);
      return Number(process.hrtime.bigint() - t);
    };
    time(n);
    time(FACTOR * n); // warm-up: JIT and caches for both sizes
    let small = Infinity;
    let large = Infinity;
    for (let i = 0; i < 7; i++) {
      small = Math.min(small, time(n));
      large = Math.min(large, time(FACTOR * n));
    }
    return large / small;
  }
  const FACTOR = 16;
  const BOUND = 100;

  test('control: the ratio tells a pairwise (quadratic) comparison from a linear one', () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    const sets = new Map([1_000, FACTOR * 1_000].map((n) => [n, items(n)]));
    const pairwise = (xs: readonly string[]) => {
      let same = 0;
      for (let i = 0; i < xs.length; i++) for (let j = 0; j < i; j++) if (xs[i] === xs[j]) same++;
      return same;
    };
    const byKey = (xs: readonly string[]) => xs.length - new Set(xs).size;
    expect(ratio((n) => pairwise(sets.get(n)!), 1_000)).toBeGreaterThan(BOUND);
    expect(ratio((n) => byKey(sets.get(n)!), 1_000)).toBeLessThan(BOUND);
  });

  test('checkPeersOfNode on thousands of peers', () => {
    const node = { name: 'n', labels: {}, networkUnavailable: false, known: true };
    // Built outside the timed part: only the comparison is measured.
    const peersOf = (n: number) => build(Array.from({ length: n }, (_, i) => peer(`p${i}`, { myASN: 1, peerASN: 2, peerAddress: `10.0.${i >> 8}.${i & 255}` })).join('')).snapshot.peers;
    const sets = new Map([1_000, FACTOR * 1_000].map((n) => [n, peersOf(n)]));
    expect(ratio((n) => checkPeersOfNode(sets.get(n)!, node, new Problems()), 1_000)).toBeLessThan(BOUND);
  });

  test('checkPoolOverlaps on tens of thousands of entries, still naming every overlap', () => {
    const pools = (n: number) =>
      build(Array.from({ length: n }, (_, i) => pool(`p${i}`, [`10.${i >> 8}.${i & 255}.0/24`])).join('')).snapshot.pools;
    const sets = new Map([1_000, FACTOR * 1_000].map((n) => [n, pools(n)]));
    expect(ratio((n) => checkPoolOverlaps(sets.get(n)!, new Problems()), 1_000)).toBeLessThan(BOUND);
    // Control: overlaps are still found, each on the later pool, naming the earlier one.
    const overlapping = build(pool('a', ['10.0.0.0/16']) + pool('b', ['10.0.5.0/24']) + pool('c', ['10.1.0.0/24', '10.0.200.0/30'])).snapshot.pools;
    const problems = new Problems();
    checkPoolOverlaps(overlapping, problems);
    expect(problems.list.map(formatProblem).sort()).toEqual([
      expect.stringContaining('IPAddressPool metallb-system/b: spec.addresses[0]: CIDR 10.0.5.0/24 in pool b overlaps with CIDR 10.0.0.0/16 in pool a'),
      expect.stringContaining('IPAddressPool metallb-system/c: spec.addresses[1]: CIDR 10.0.200.0/30 in pool c overlaps with CIDR 10.0.0.0/16 in pool a'),
    ]);
  });
});

describe('names from the command line and the environment', () => {
  test.each(['vm\nneighbor 6.6.6.6 remote-as 1', 'a b', 'a!b', '', 'x'.repeat(254), '-a', 'a..b'])('%j is refused as node and host name', (name) => {
    expect(checkNodeName(name)).toMatch(/is not a valid node name/);
    expect(checkHostname(name)).toMatch(/is not a valid host name/);
  });

  test('control: ordinary names are accepted', () => {
    expect(checkNodeName('worker-0.example.com')).toBeUndefined();
    expect(checkHostname('Worker_0.example.com')).toBeUndefined();
  });
});
