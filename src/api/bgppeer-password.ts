/** BGPPeer `password` / `passwordSecret`: one or the other; the Secret must be in the MetalLB namespace. */
import type { DecodeOptions } from './bgppeer.js';
import { nonEmpty, type FieldReader, type RawMap } from './fields.js';
import { checkPassword } from './frr-strings.js';
import { checkObjectNameRef } from './k8s-names.js';
import type { PasswordSource } from './model.js';
import { q } from './problems.js';

/** Messages never quote the password. */
export function decodePassword(r: FieldReader, spec: RawMap, opts: DecodeOptions): PasswordSource {
  // Not r.string: its type error would quote the value, and this one is a password.
  const rawPassword = spec.password;
  if (rawPassword !== undefined && rawPassword !== null && typeof rawPassword !== 'string') {
    r.error('spec.password', 'must be a string: quote the value');
  }
  const inline = nonEmpty(typeof rawPassword === 'string' ? rawPassword : undefined);
  const secret = r.map(spec.passwordSecret, 'spec.passwordSecret');
  r.unknownFields(secret, ['name', 'namespace'], 'spec.passwordSecret');
  const secretName = nonEmpty(r.string(secret.name, 'spec.passwordSecret.name'));
  const secretNamespace = nonEmpty(r.string(secret.namespace, 'spec.passwordSecret.namespace'));
  if (inline !== undefined && secretName !== undefined) {
    r.error('spec.passwordSecret', 'cannot be set together with spec.password: remove one of them (the password comes either inline or from a Secret)');
    return { kind: 'none' };
  }
  if (inline !== undefined) {
    const problem = checkPassword(inline);
    if (problem) r.error('spec.password', problem);
    return { kind: 'inline', value: inline };
  }
  if (secretName === undefined) {
    if (secretNamespace !== undefined) r.error('spec.passwordSecret.name', 'is missing: set the name of the Secret that holds the password');
    return { kind: 'none' };
  }
  const nameProblem = checkObjectNameRef(secretName, 'Secret');
  if (nameProblem) r.error('spec.passwordSecret.name', nameProblem);
  if (secretNamespace !== undefined && secretNamespace !== opts.metallbNamespace) {
    r.error(
      'spec.passwordSecret.namespace',
      `${q(secretNamespace)} is not the MetalLB namespace: MetalLB reads the Secret from ${q(opts.metallbNamespace)}; move the Secret there and set this field to ${q(opts.metallbNamespace)} or remove it`,
    );
  }
  return { kind: 'secret', secretName, secretNamespace: opts.metallbNamespace };
}
