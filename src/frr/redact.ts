/**
 * FRR prints TCP-MD5 passwords in clear text (`neighbor X password S`) in running configs,
 * frr-reload.py diffs and vtysh error messages. Everything this package surfaces (errors,
 * diffs, logs) goes through here first so a password never leaves the process.
 */

/** `password` followed by its value, as FRR writes it; the value is one word (no spaces in FRR). */
const PASSWORD_VALUE = /(\bpassword\s+)\S+/g;

/** Replaces the value after every `password` keyword with `<redacted>`. */
export function redactPasswords(text: string): string {
  return text.replace(PASSWORD_VALUE, '$1<redacted>');
}
