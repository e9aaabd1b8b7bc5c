import { describe, expect, test } from '@jest/globals';
import { formatSeconds, parseDuration, wholeSeconds } from '../../../src/api/duration.js';

const ok = (s: string): bigint => {
  const d = parseDuration(s);
  if (!d.ok) throw new Error(d.error);
  return d.value;
};

describe('parseDuration', () => {
  test.each([
    ['10s', 10_000_000_000n],
    ['90s', 90_000_000_000n],
    ['1m30s', 90_000_000_000n],
    ['500ms', 500_000_000n],
    ['1h', 3_600_000_000_000n],
    ['1.5s', 1_500_000_000n],
    ['1h2m3s4ms5us6ns', 3_723_004_005_006n],
    ['0', 0n],
    ['0s', 0n],
    ['-5s', -5_000_000_000n],
  ])('%s', (text, nanos) => {
    expect(ok(text)).toBe(nanos);
  });

  test.each(['90', '', 's', '1x', '1.s.', '1m30', ' 10s', '10 s', '1d', '1constructor', '1__proto__', '5valueOf', '1toString', '1hasOwnProperty'])('rejects %j', (text) => {
    expect(parseDuration(text)).toEqual({
      ok: false,
      error: `${JSON.stringify(text)} is not a valid duration: use a number with a unit (h, m, s, ms), e.g. "90s", "1m30s" or "500ms"`,
    });
  });

  test('whole seconds and formatting', () => {
    expect(wholeSeconds(ok('2.9s'))).toBe(2);
    expect(formatSeconds(ok('1.5s'))).toBe('1.5s');
    expect(formatSeconds(ok('1m'))).toBe('60s');
  });
});
