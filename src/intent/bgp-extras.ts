/**
 * Whether MetalLB's bgpextras lines go into this node's frr.conf, and what to say about them.
 *
 * The lines are the user's, appended as they are: no check of frr-renderer applies to them. The
 * sidecar has FRR check them first (`vtysh -C`, `check` below) and leaves them out when FRR refuses
 * them, so a typo there never stops the rest of the config; `render` and `check` have no FRR to ask
 * and append them unchecked. Either way a warning names the ConfigMap and what was done.
 */
import type { BgpExtrasCheck } from '../api/bgp-extras.js';
import type { BgpExtras } from '../api/model.js';
import { q, type Problems } from '../api/problems.js';

export interface BgpExtrasOptions {
  /**
   * FRR's verdict on the text (the sidecar). Absent: no FRR to ask (`render`, `check`), the lines
   * are appended unchecked.
   */
  readonly check?: BgpExtrasCheck;
}

const FIELD = 'data.extras';
const BYPASS = 'they bypass every check of frr-renderer';

/** The text to append, or null. */
export function bgpExtrasText(extras: BgpExtras | undefined, opts: BgpExtrasOptions | undefined, problems: Problems): string | null {
  if (extras === undefined || opts === undefined) return null;
  const n = `${extras.lines} line${extras.lines === 1 ? '' : 's'}`;
  const { check } = opts;
  if (check === undefined) {
    problems.warn(extras.ref, FIELD, `${n} appended to frr.conf as they are (MetalLB's bgpextras): ${BYPASS}, and FRR has not checked them here (render and check run without FRR); the sidecar has FRR check them before use`);
    return extras.text;
  }
  if (check.text !== extras.text) {
    problems.warn(extras.ref, FIELD, `${n} left out of frr.conf: FRR has not checked this version of them yet`);
    return null;
  }
  if (!check.valid) {
    const first = check.errors[0] ?? 'no reason given';
    const more = check.errors.length > 1 ? ` (and ${check.errors.length - 1} more)` : '';
    problems.warn(extras.ref, FIELD, `${n} left out of frr.conf: FRR refuses them (vtysh -C: ${q(first)}${more}); the rest of the config is applied without them; fix the lines`);
    return null;
  }
  problems.warn(extras.ref, FIELD, `${n} appended to frr.conf as they are (MetalLB's bgpextras): ${BYPASS}; FRR's parser accepted them (vtysh -C), which checks their syntax only`);
  return extras.text;
}
