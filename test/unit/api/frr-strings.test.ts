import { describe, expect, test } from '@jest/globals';
import { checkBfdProfileName, checkInterfaceName, checkPassword, checkVrfName } from '../../../src/api/frr-strings.js';

const injections = ['red\nrouter bgp 1', 'red blue', 'red!', '!', 'red\r', 'a\tb', ''];

describe('FRR string validators', () => {
  test('the seed VRF "ens4vrf 1" is rejected with a suggestion', () => {
    expect(checkVrfName('ens4vrf 1')).toBe(
      `"ens4vrf 1" is not a valid VRF name: use the name of the VRF device (1-15 letters, digits, '_', '-', '.', not starting with '-' or '.'), e.g. "ens4vrf"`,
    );
  });

  test('valid names pass', () => {
    expect(checkVrfName('ens4vrf')).toBeUndefined();
    expect(checkVrfName('red_1.x-y')).toBeUndefined();
    expect(checkInterfaceName('eth0.100')).toBeUndefined();
    expect(checkBfdProfileName('doc-example-bfd-profile-full')).toBeUndefined();
    expect(checkBfdProfileName('a:b.c_d')).toBeUndefined();
    expect(checkPassword('s3cr3t-P@ss#word')).toBeUndefined();
  });

  test.each(injections)('injection attempt %j is rejected everywhere', (s) => {
    expect(checkVrfName(s)).toBeDefined();
    expect(checkInterfaceName(s)).toBeDefined();
    expect(checkBfdProfileName(s)).toBeDefined();
    // In a password, '!' is a character FRR keeps (a password is the last word of its line).
    if (!/^[a-z]*!$/.test(s)) expect(checkPassword(s)).toBeDefined();
  });

  test('length limits', () => {
    expect(checkVrfName('a'.repeat(15))).toBeUndefined();
    expect(checkVrfName('a'.repeat(16))).toBeDefined();
    expect(checkInterfaceName('-eth0')).toBeDefined();
    expect(checkVrfName('.red')).toBeDefined();
    expect(checkBfdProfileName('a'.repeat(63))).toBeUndefined();
    expect(checkBfdProfileName('a'.repeat(64))).toBeDefined();
    expect(checkPassword('a'.repeat(80))).toBeUndefined();
    expect(checkPassword('a'.repeat(81))).toBe('the password is 81 bytes long; TCP-MD5 allows at most 80');
    // Bytes, not characters: 40 two-byte letters are 80 bytes.
    expect(checkPassword('é'.repeat(40))).toBeUndefined();
    expect(checkPassword('é'.repeat(41))).toBe('the password is 82 bytes long; TCP-MD5 allows at most 80');
  });

  test('password messages explain the fix and never quote the password', () => {
    const secret = 'hunter2';
    expect(checkPassword(`${secret}\n`)).toBe(
      'the password ends with a newline, which FRR cannot use: remove it (a trailing newline usually comes from `echo` without `-n` when the Secret was created)',
    );
    for (const bad of [`${secret}\n`, `${secret} x`, `${secret}\u0001`, `${secret}\nline`, `${secret}\u202e`, `${secret}\u2028`]) {
      const message = checkPassword(bad);
      expect(message).toBeDefined();
      expect(message).not.toContain(secret);
    }
    expect(checkPassword('pass word')).toBe('the password contains a space or tab, and FRR would keep only the part before it: use 1-80 bytes of printable characters without spaces');
  });

  // FRR 8.4.4 and 10.3 load, show and reload these unchanged (MetalLB writes them as they are).
  test("'!', '#' and non-ASCII letters are passwords FRR keeps as written", () => {
    for (const ok of ['pass!', '!start', '#start', 'ab!cd#ef', 'pässwörd', 'S3cret!']) expect([ok, checkPassword(ok)]).toEqual([ok, undefined]);
  });
});
