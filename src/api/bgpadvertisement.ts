/** BGPAdvertisement: defaults (aggregation lengths 32 / 128) and single-object validation. */
import { communityRefText, parseCommunityRef } from './community-values.js';
import type { DecodeOptions, RawObject } from './decode.js';
import { parseStringList } from './string-list.js';
import { FieldReader } from './fields.js';
import { decodeSelectorList } from './label-selector.js';
import type { Advertisement, CommunityRef, ObjectRef } from './model.js';
import { Problems, q } from './problems.js';

/** FRR-mode limit enforced by MetalLB's session.Set. */
export const MAX_COMMUNITIES = 63;

const SPEC_FIELDS = [
  'aggregationLength', 'aggregationLengthV6', 'localPref', 'communities', 'ipAddressPools',
  'ipAddressPoolSelectors', 'nodeSelectors', 'peers', 'serviceSelectors',
];

export function decodeBgpAdvertisement(
  obj: RawObject,
  ref: ObjectRef,
  _opts: DecodeOptions,
  problems: Problems,
): Advertisement | undefined {
  const r = new FieldReader(ref, problems);
  const before = problems.errorCount;
  const spec = r.map(obj.spec, 'spec');
  r.unknownFields(spec, SPEC_FIELDS, 'spec');

  const aggregationLength = r.integer(spec.aggregationLength, 'spec.aggregationLength', 1, 32) ?? 32;
  // MetalLB's CRD has a minimum of 1 for aggregationLength but none for aggregationLengthV6: 0 is
  // refused only against an IPv6 pool (checkAggregationLengths), as MetalLB's validateBGPAdvPerPool does.
  const aggregationLengthV6 = r.integer(spec.aggregationLengthV6, 'spec.aggregationLengthV6', 0, 128) ?? 128;
  const localPref = r.integer(spec.localPref, 'spec.localPref', 0, 4294967295) ?? 0;
  const communities = decodeCommunities(r, spec.communities);
  const ipAddressPools = r.stringList(spec.ipAddressPools, 'spec.ipAddressPools', 'pool');
  const ipAddressPoolSelectors = decodeSelectorList(r, spec.ipAddressPoolSelectors, 'spec.ipAddressPoolSelectors');
  const nodeSelectors = decodeSelectorList(r, spec.nodeSelectors, 'spec.nodeSelectors');
  const peers = r.stringList(spec.peers, 'spec.peers', 'peer');
  const serviceSelectors = decodeSelectorList(r, spec.serviceSelectors, 'spec.serviceSelectors');
  if (serviceSelectors.length > 0 && (aggregationLength !== 32 || aggregationLengthV6 !== 128)) {
    r.error(
      'spec.serviceSelectors',
      `cannot be used with aggregationLength ${aggregationLength} / aggregationLengthV6 ${aggregationLengthV6}: serviceSelectors need the default lengths 32 and 128; remove the selectors or the aggregation lengths`,
    );
  }

  if (problems.errorCount !== before) return undefined;
  return {
    ref,
    aggregationLength,
    aggregationLengthV6,
    localPref,
    communities,
    ipAddressPools,
    ipAddressPoolSelectors,
    nodeSelectors,
    peers,
    serviceSelectors,
  };
}

function decodeCommunities(r: FieldReader, raw: unknown): CommunityRef[] {
  const entries = r.list(raw, 'spec.communities');
  const refs = parseStringList(r, entries, 'spec.communities', {
    emptyHint: 'give a community value or alias',
    parse: parseCommunityRef,
    // MetalLB compares the strings (validateDuplicate): "64500:1" twice is an error, while an alias
    // and the value it stands for are two entries that set one community.
    key: communityRefText,
    repeated: (text, _ref, first) => `duplicate community ${q(text)}: it repeats ${first}; list it once`,
  });
  if (entries.length > MAX_COMMUNITIES) {
    r.error('spec.communities', `has ${entries.length} entries: FRR mode supports at most ${MAX_COMMUNITIES} communities per advertisement`);
  }
  return refs.map((e) => e.value);
}
