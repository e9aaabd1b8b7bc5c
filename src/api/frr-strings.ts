/**
 * Validators for every user string that is written into frr.conf. Each returns `undefined` when
 * FRR accepts the value, or a one-line message saying what would be valid. Nothing that passes
 * can contain a space, newline or `!`, so no value can add or cut a line of frr.conf.
 */
import { q } from './problems.js';

/** Linux interface names (IFNAMSIZ 16 with the NUL), which is also what FRR needs for VRF devices. */
const IFNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;
const IFNAME_RULE = "1-15 letters, digits, '_', '-', '.', not starting with '-' or '.'";

/** FRR keeps BFD profile names in a 64-byte buffer with the terminating NUL: at most 63 characters. */
export const BFD_PROFILE_NAME_MAX = 63;
const BFD_PROFILE_NAME = new RegExp(`^[A-Za-z0-9_.:-]{1,${BFD_PROFILE_NAME_MAX}}$`);

/** TCP-MD5 (RFC 2385) keys are at most 80 bytes in Linux (TCP_MD5SIG_MAXKEYLEN). */
export const PASSWORD_MAX = 80;

/** The longest leading part that is itself valid, to suggest it: `"ens4vrf 1"` gives `"ens4vrf"`. */
function validPrefix(s: string, valid: (t: string) => boolean): string | undefined {
  const m = /^[A-Za-z0-9_.:-]*/.exec(s.trim());
  let t = m?.[0] ?? '';
  while (t !== '' && !valid(t)) t = t.slice(0, -1);
  return t !== '' && t !== s ? t : undefined;
}

function eg(example: string | undefined): string {
  return example ? `, e.g. ${q(example)}` : '';
}

export function checkVrfName(s: string): string | undefined {
  if (IFNAME.test(s)) return undefined;
  const guess = validPrefix(s, (t) => IFNAME.test(t));
  return `${q(s)} is not a valid VRF name: use the name of the VRF device (${IFNAME_RULE})${eg(guess)}`;
}

export function checkInterfaceName(s: string): string | undefined {
  if (IFNAME.test(s)) return undefined;
  const guess = validPrefix(s, (t) => IFNAME.test(t));
  return `${q(s)} is not a valid interface name: use the name of the network interface (${IFNAME_RULE})${eg(guess)}`;
}

export function checkBfdProfileName(s: string): string | undefined {
  if (BFD_PROFILE_NAME.test(s)) return undefined;
  const guess = validPrefix(s, (t) => BFD_PROFILE_NAME.test(t));
  return `${q(s)} is not a valid BFD profile name: use 1-${BFD_PROFILE_NAME_MAX} letters, digits, '_', '-', '.', ':'${eg(guess)}`;
}

/**
 * Characters that end, split or hide a line: C0 and C1 controls (newline, CR, NUL, ESC, NEL...),
 * DEL, Unicode line and paragraph separators, zero-width and bidirectional formatting, the BOM.
 */
const UNSAFE_IN_PASSWORD = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;
const PASSWORD_RULE = 'use 1-80 bytes of printable characters without spaces';

/**
 * TCP-MD5 passwords, as FRR reads and keeps them: one word (FRR splits a line at spaces and tabs)
 * of at most 80 bytes (Linux's TCP_MD5SIG_MAXKEYLEN). Anything else FRR keeps as written, '!',
 * '#' and non-ASCII letters included (measured on 8.4.4 and 10.3: loaded, shown and reloaded
 * unchanged, as MetalLB writes them). Line breaks and other invisible or control characters are
 * refused: they end or hide a line. The message never contains the password itself.
 */
export function checkPassword(s: string): string | undefined {
  if (s.length === 0) return `the password is empty: ${PASSWORD_RULE}`;
  if (/[\r\n]$/.test(s) && !/[\r\n]/.test(s.replace(/[\r\n]+$/, ''))) {
    return 'the password ends with a newline, which FRR cannot use: remove it (a trailing newline usually comes from `echo` without `-n` when the Secret was created)';
  }
  if (/[\r\n]/.test(s)) return `the password contains a line break, which would start a new line of frr.conf: ${PASSWORD_RULE}`;
  if (/[ \t]/.test(s)) return `the password contains a space or tab, and FRR would keep only the part before it: ${PASSWORD_RULE}`;
  if (UNSAFE_IN_PASSWORD.test(s)) return `the password contains a control or invisible formatting character, which can end or hide a line: ${PASSWORD_RULE}`;
  const bytes = Buffer.byteLength(s, 'utf8');
  if (bytes > PASSWORD_MAX) return `the password is ${bytes} bytes long; TCP-MD5 allows at most ${PASSWORD_MAX}`;
  return undefined;
}
