/**
 * MetalLB's `bgpextras` ConfigMap: raw FRR lines appended to the end of frr.conf. MetalLB reads the
 * ConfigMap named `bgpextras` in its own namespace, key `extras` (internal/config/config.go
 * `bgpExtrasFor`, internal/k8s/controllers/config_controller.go `bgpExtrasConfigName`), appends the
 * text verbatim (internal/bgp/frr/templates/frr.tmpl) and logs that it is "not supported and used
 * at your own risk".
 *
 * Here it is opt-in (`--bgp-extras`). The text is never parsed or checked by frr-renderer: it
 * bypasses every check of this project. Before the sidecar uses it, FRR's own parser checks it
 * (`vtysh -C`, see src/frr/check-extras.ts); lines FRR refuses are left out, with a warning.
 */
import type { RawObject } from './decode.js';
import { FieldReader } from './fields.js';
import { MAX_BGP_EXTRAS_BYTES } from './limits.js';
import type { BgpExtras, ObjectRef } from './model.js';
import { Problems } from './problems.js';

export const BGP_EXTRAS_CONFIGMAP = 'bgpextras';
export const BGP_EXTRAS_KEY = 'extras';

/** What FRR said about one text (`vtysh -C`): the sidecar checks, `render` and `check` cannot. */
export interface BgpExtrasCheck {
  readonly text: string;
  readonly valid: boolean;
  /** vtysh's complaints (passwords redacted), or why the check could not run. */
  readonly errors: readonly string[];
}

/** Is this raw object MetalLB's bgpextras ConfigMap? */
export function isBgpExtrasConfigMap(obj: RawObject, metallbNamespace: string): boolean {
  return obj.kind === 'ConfigMap' && obj.apiVersion === 'v1' && obj.metadata.name === BGP_EXTRAS_CONFIGMAP && (obj.metadata.namespace ?? metallbNamespace) === metallbNamespace;
}

/** The raw text of `data.extras`, for the sidecar's check before rendering (no decoding of anything else). */
export function findBgpExtrasText(objects: readonly RawObject[], metallbNamespace: string): string | undefined {
  for (const obj of objects) {
    if (!isBgpExtrasConfigMap(obj, metallbNamespace)) continue;
    const data = obj.data;
    const text = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>)[BGP_EXTRAS_KEY] : undefined;
    return typeof text === 'string' && text.trim() !== '' ? withFinalNewline(text) : undefined;
  }
  return undefined;
}

/** `data.extras`; undefined when there is none (MetalLB: no key, or an empty value, adds nothing). */
export function decodeBgpExtras(obj: RawObject, ref: ObjectRef, problems: Problems): BgpExtras | undefined {
  const r = new FieldReader(ref, problems);
  const data = r.map(obj.data, 'data');
  const raw = data[BGP_EXTRAS_KEY];
  const field = `data.${BGP_EXTRAS_KEY}`;
  if (raw === undefined || raw === null) return undefined;
  // Not r.string: its length limit is for one field; this one holds a whole config section.
  if (typeof raw !== 'string') {
    r.error(field, `must be a string of FRR configuration lines, not ${r.describe(raw)}`);
    return undefined;
  }
  if (Buffer.byteLength(raw, 'utf8') > MAX_BGP_EXTRAS_BYTES) {
    r.error(field, `is longer than ${MAX_BGP_EXTRAS_BYTES} bytes (MAX_BGP_EXTRAS_BYTES, a ConfigMap's limit): shorten it`);
    return undefined;
  }
  if (raw.trim() === '') return undefined;
  const text = withFinalNewline(raw);
  return { ref, text, lines: text.split('\n').length - 1 };
}

function withFinalNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
