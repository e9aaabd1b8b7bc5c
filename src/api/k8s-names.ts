/** Kubernetes name rules: object names (DNS-1123 subdomain), label keys and label values. */
import { q } from './problems.js';

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const OBJECT_NAME_RULE = "names are lowercase DNS-1123 (a-z, 0-9, '-', '.', starting and ending with a letter or digit, at most 253)";

export function isObjectName(s: string): boolean {
  return s.length >= 1 && s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

/** A guess at the name the user meant: lower case, up to the first character names cannot hold. */
function suggestName(s: string): string | undefined {
  const m = /^[a-z0-9][-a-z0-9.]*/.exec(s.trim().toLowerCase());
  const guess = m?.[0].replace(/[-.]+$/, '');
  return guess && guess !== s && isObjectName(guess) ? guess : undefined;
}

/**
 * Checks a name that refers to another object (e.g. `spec.peers[0]` names a BGPPeer).
 * `kind` is the referred kind, used to say the reference can never match.
 */
export function checkObjectNameRef(s: string, kind: string): string | undefined {
  if (isObjectName(s)) return undefined;
  const guess = suggestName(s);
  const article = /^[AEIOU]/.test(kind) ? 'an' : 'a';
  return `${q(s)} can never match ${article} ${kind}: ${OBJECT_NAME_RULE}${guess ? `, e.g. ${q(guess)}` : ''}`;
}

/** Checks `metadata.name` of an object. */
export function checkObjectName(s: string): string | undefined {
  if (isObjectName(s)) return undefined;
  const guess = suggestName(s);
  return `${q(s)} is not a valid name: ${OBJECT_NAME_RULE}${guess ? `, e.g. ${q(guess)}` : ''}`;
}

/** Label keys: optional DNS-1123 subdomain prefix and `/`, then a 1-63 character name. */
export function checkLabelKey(s: string): string | undefined {
  const slash = s.indexOf('/');
  const prefix = slash >= 0 ? s.slice(0, slash) : undefined;
  const name = slash >= 0 ? s.slice(slash + 1) : s;
  const prefixOk = prefix === undefined || isObjectName(prefix);
  if (prefixOk && name.length <= 63 && LABEL_NAME.test(name)) return undefined;
  return `${q(s)} is not a valid label key: use an optional DNS prefix and "/", then 1-63 letters, digits, '-', '_', '.' starting and ending with a letter or digit, e.g. "kubernetes.io/hostname"`;
}

/** Label values: empty, or 1-63 characters like a label name. */
export function checkLabelValue(s: string): string | undefined {
  if (s === '' || (s.length <= 63 && LABEL_NAME.test(s))) return undefined;
  return `${q(s)} is not a valid label value: use at most 63 letters, digits, '-', '_', '.' starting and ending with a letter or digit`;
}
