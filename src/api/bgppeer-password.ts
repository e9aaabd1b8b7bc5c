/** BGPPeer `password` / `passwordSecret`: one or the other; the Secret is read from the MetalLB namespace. */
import type { DecodeOptions } from './decode.js';
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
    // MetalLB reads a Secret only when the name is set; a namespace alone means no password.
    if (secretNamespace !== undefined) r.warn('spec.passwordSecret.name', 'is not set, so the peer has no password (MetalLB reads passwordSecret only by name): set the name of the Secret that holds the password, or remove passwordSecret');
    return { kind: 'none' };
  }
  const nameProblem = checkObjectNameRef(secretName, 'Secret');
  if (nameProblem) r.error('spec.passwordSecret.name', nameProblem);
  // MetalLB looks the Secret up by name among the Secrets of its own namespace and never reads this
  // field (internal/config/config.go `passwordFromSecretForPeer`); so does this renderer.
  if (secretNamespace !== undefined && secretNamespace !== opts.metallbNamespace) {
    r.warn(
      'spec.passwordSecret.namespace',
      `${q(secretNamespace)} is ignored: MetalLB reads the Secret ${q(secretName)} from its own namespace ${q(opts.metallbNamespace)}, and so does this renderer; set this field to ${q(opts.metallbNamespace)} or remove it`,
    );
  }
  return { kind: 'secret', secretName, secretNamespace: opts.metallbNamespace };
}
