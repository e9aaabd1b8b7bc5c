/** Community objects: named aliases for community values, referenced by BGPAdvertisements. */
import { communityKey, parseCommunityValue } from './community-values.js';
import type { DecodeOptions, RawObject } from './decode.js';
import { FieldReader, isMap, typeName } from './fields.js';
import type { CommunityAlias, ObjectRef } from './model.js';
import { Problems, q } from './problems.js';

export function decodeCommunity(obj: RawObject, ref: ObjectRef, _opts: DecodeOptions, problems: Problems): CommunityAlias[] | undefined {
  const r = new FieldReader(ref, problems);
  const before = problems.errorCount;
  const spec = r.map(obj.spec, 'spec');
  r.unknownFields(spec, ['communities'], 'spec');
  const aliases: CommunityAlias[] = [];
  const seen = new Map<string, number>();
  r.list(spec.communities, 'spec.communities').forEach((entry, i) => {
    const field = `spec.communities[${i}]`;
    if (!isMap(entry)) {
      r.error(field, `must be an object with name and value, not ${typeName(entry)}`);
      return;
    }
    r.unknownFields(entry, ['name', 'value'], field);
    const name = r.string(entry.name, `${field}.name`);
    const value = r.string(entry.value, `${field}.value`);
    let ok = true;
    if (name === undefined || name === '') {
      if (name === '' || entry.name === undefined || entry.name === null) r.error(`${field}.name`, 'is missing: give the alias a name, e.g. "NO_ADVERTISE"');
      ok = false;
    } else if (seen.has(name)) {
      r.error(`${field}.name`, `duplicate alias ${q(name)}: it is already defined in spec.communities[${seen.get(name)}]`);
      ok = false;
    }
    if (value === undefined) {
      if (entry.value === undefined || entry.value === null) r.error(`${field}.value`, 'is missing: set "A:B" or "large:A:B:C"');
      return;
    }
    const parsed = parseCommunityValue(value);
    if (!parsed.ok) {
      r.error(`${field}.value`, parsed.error);
      return;
    }
    if (ok && name !== undefined) {
      // Any name is an alias (it never reaches frr.conf): MetalLB looks aliases up before parsing
      // an advertisement's community, so a name that spells another value takes its place.
      const spelled = parseCommunityValue(name);
      if (spelled.ok && communityKey(spelled.value) !== communityKey(parsed.value)) {
        r.warn(
          `${field}.name`,
          `${q(name)} is also a community value: an advertisement that lists ${q(name)} gets this alias's value ${communityKey(parsed.value)}, not ${communityKey(spelled.value)} (MetalLB looks aliases up first); rename the alias to avoid the surprise`,
        );
      }
      seen.set(name, i);
      aliases.push({ ref, name, value: parsed.value });
    }
  });
  return problems.errorCount === before ? aliases : undefined;
}
