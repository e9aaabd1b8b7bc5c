import { selectorMatches } from '../api/label-selector.js';
import type { Advertisement, Pool } from '../api/model.js';

/**
 * The pools an advertisement applies to: `ipAddressPools` names, plus pools matched by
 * `ipAddressPoolSelectors`; when both are empty, every pool.
 */
export function advertisementAppliesToPool(adv: Advertisement, pool: Pool): boolean {
  if (adv.ipAddressPools.length === 0 && adv.ipAddressPoolSelectors.length === 0) return true;
  if (adv.ipAddressPools.includes(pool.ref.name)) return true;
  return adv.ipAddressPoolSelectors.some((s) => selectorMatches(s, pool.labels));
}

/** `namespace/name`, the key used for advertisements and peers everywhere in intent. */
export function keyOf(o: { readonly ref: { readonly namespace: string; readonly name: string } }): string {
  return `${o.ref.namespace}/${o.ref.name}`;
}
