/**
 * Property-based layer (fast-check): the parsers of user text never throw, answer in one line, and
 * read back what they print. On a failure fast-check shrinks the input to a minimal example.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { communityKey, formatCommunity, parseCommunityRef, parseCommunityValue } from '../../src/api/community-values.js';
import { formatSeconds, parseDuration } from '../../src/api/duration.js';
import { FieldReader } from '../../src/api/fields.js';
import { ipText, parseCidr, parseIp } from '../../src/api/ip.js';
import { decodeSelector, selectorMatches } from '../../src/api/label-selector.js';
import { escapeText, formatProblem, Problems } from '../../src/api/problems.js';

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const RUNS = { numRuns: 2_000 };
/** Any text, weighted towards the characters that break lines and parsers. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('0', '1', '9', '.', ':', '/', '-', 's', 'm', 'h', 'µ', 'n', '\n', '\u0085', '\u2028', ' ', '%', 'e', 'x') }),
);
const oneLine = (r: { ok: boolean; error?: string }): boolean => r.ok || !UNSAFE.test(r.error ?? '');

describe('durations', () => {
  test('never throw, and errors are one escaped line', () => {
    fc.assert(fc.property(hostileText, (s) => oneLine(parseDuration(s) as { ok: boolean; error?: string })), RUNS);
  });

  test('whole seconds print and parse back to the same value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 9_000_000_000n }), (seconds) => {
        const d = parseDuration(formatSeconds(seconds * 1_000_000_000n));
        return d.ok && d.value === seconds * 1_000_000_000n;
      }),
      RUNS,
    );
  });
});

describe('IP addresses and CIDRs', () => {
  test('never throw, and errors are one escaped line', () => {
    fc.assert(fc.property(hostileText, (s) => oneLine(parseIp(s) as { ok: boolean; error?: string }) && oneLine(parseCidr(s) as { ok: boolean; error?: string })), RUNS);
  });

  test('canonical text parses back to the same address', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        const first = parseIp(ip);
        if (!first.ok) return ip.toLowerCase().startsWith('::ffff:') || /(^|:)0*ffff:[0-9.]+$/i.test(ip) || ip.includes('.'); // v4-mapped forms are refused
        const again = parseIp(first.value.text);
        return again.ok && again.value.value === first.value.value && again.value.text === first.value.text && ipText(first.value.value, first.value.family) === first.value.text;
      }),
      RUNS,
    );
  });
});

describe('communities', () => {
  test('never throw, and errors are one escaped line', () => {
    fc.assert(fc.property(hostileText, (s) => oneLine(parseCommunityRef(s) as { ok: boolean; error?: string })), RUNS);
  });

  test('standard and large values print and parse back', () => {
    const standard = fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 })).map(([a, b]) => `${a}:${b}`);
    const large = fc.tuple(fc.nat(), fc.nat(), fc.nat()).map(([a, b, c]) => `large:${a}:${b}:${c}`);
    fc.assert(
      fc.property(fc.oneof(standard, large), (text) => {
        const v = parseCommunityValue(text);
        return v.ok && (v.value.kind === 'standard' ? formatCommunity(v.value) === text : `large:${formatCommunity(v.value)}` === text) && communityKey(v.value) === text;
      }),
      RUNS,
    );
  });
});

describe('label selectors', () => {
  const key = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
  const value = fc.stringMatching(/^[a-z0-9]{1,6}$/);

  test('any raw value decodes without throwing, every problem on one line', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const problems = new Problems();
        decodeSelector(new FieldReader({ kind: 'BGPPeer', namespace: 'metallb-system', name: 'p' }, problems), raw, 'spec.nodeSelectors[0]');
        return problems.list.every((p) => !formatProblem(p).includes('\n') && !UNSAFE.test(formatProblem(p)));
      }),
      { numRuns: 1_000 },
    );
  });

  test('matchLabels matches exactly the label sets that contain it', () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 3 }), fc.dictionary(key, value, { maxKeys: 5 }), (wanted, labels) => {
        const problems = new Problems();
        const sel = decodeSelector(new FieldReader({ kind: 'BGPPeer', namespace: 'ns', name: 'p' }, problems), { matchLabels: wanted }, 's');
        const contains = Object.entries(wanted).every(([k, v]) => labels[k] === v);
        return sel !== undefined && selectorMatches(sel, labels) === contains;
      }),
      RUNS,
    );
  });
});

test('escapeText leaves no line breaker and changes nothing safe', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      const e = escapeText(s);
      return !UNSAFE.test(e) && (UNSAFE.test(s) || /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]/.test(s) || e === s);
    }),
    RUNS,
  );
  expect(escapeText('plain text: 1.2.3.4/32')).toBe('plain text: 1.2.3.4/32'); // control: safe text untouched
});
