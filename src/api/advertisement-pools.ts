/** Which pools a BGPAdvertisement applies to. */
import { selectorMatches } from './label-selector.js';
import type { Advertisement, Pool } from './model.js';

/** `ipAddressPools` names ∪ pools matched by `ipAddressPoolSelectors`; both empty = every pool. */
export function advertisementAppliesTo(adv: Advertisement, pool: Pool): boolean {
  if (adv.ipAddressPools.length === 0 && adv.ipAddressPoolSelectors.length === 0) return true;
  return adv.ipAddressPools.includes(pool.ref.name) || adv.ipAddressPoolSelectors.some((s) => selectorMatches(s, pool.labels));
}

export function poolsOfAdvertisement(adv: Advertisement, pools: readonly Pool[]): Pool[] {
  return pools.filter((p) => advertisementAppliesTo(adv, p));
}
