/** IPAddressPool: `spec.addresses` entries (CIDRs and `start-end` ranges) summarised into CIDRs. */
import type { DecodeOptions, RawObject } from './decode.js';
import { parseStringList } from './string-list.js';
import { FieldReader, isMap } from './fields.js';
import { parseCidr, parseIp, summarizeRange, type Result } from './ip.js';
import { decodeSelectorList } from './label-selector.js';
import { MAX_POOL_ENTRIES } from './limits.js';
import { decodeLabels } from './metadata.js';
import type { ObjectRef, Pool, PoolRange } from './model.js';
import { Problems, q } from './problems.js';

const SPEC_FIELDS = ['addresses', 'autoAssign', 'avoidBuggyIPs', 'serviceAllocation'];
const ALLOCATION_FIELDS = ['priority', 'namespaces', 'namespaceSelectors', 'serviceSelectors'];

export function decodeIpAddressPool(obj: RawObject, ref: ObjectRef, _opts: DecodeOptions, problems: Problems): Pool | undefined {
  const r = new FieldReader(ref, problems);
  const before = problems.errorCount;
  const labels = decodeLabels(r, obj.metadata.labels);
  const spec = r.map(obj.spec, 'spec');
  r.unknownFields(spec, SPEC_FIELDS, 'spec');

  const ranges: PoolRange[] = [];
  const entries = r.list(spec.addresses, 'spec.addresses');
  if (entries.length === 0 && Array.isArray(spec.addresses ?? [])) {
    r.error('spec.addresses', 'the pool has no addresses: list at least one CIDR or range, e.g. "192.168.10.0/24" or "192.168.10.100-192.168.10.200"');
  }
  if (entries.length > MAX_POOL_ENTRIES) {
    r.error('spec.addresses', `has ${entries.length} entries: at most ${MAX_POOL_ENTRIES} (MAX_POOL_ENTRIES) per pool; merge consecutive addresses into ranges or CIDRs`);
    return undefined;
  }
  const parsed = parseStringList(r, entries, 'spec.addresses', {
    emptyHint: 'give a CIDR or a range',
    parse: parsePoolRange,
    key: (range) => range.cidrs.join(','),
    repeated: (_text, range, first) => `${q(range.text)} repeats ${first}: list it once`,
  });
  for (const { field, value: range } of parsed) {
    if (range.cidrs.length === 1 && range.text.includes('/') && range.text !== range.cidrs[0]) {
      const cidr = parseCidr(range.text);
      if (cidr.ok && cidr.value.hostBitsSet) {
        r.warn(field, `${q(range.text)} has host bits set: it is read as ${q(cidr.value.text)}`);
      }
    }
    ranges.push(range);
  }

  r.boolean(spec.autoAssign, 'spec.autoAssign');
  r.boolean(spec.avoidBuggyIPs, 'spec.avoidBuggyIPs');
  if (spec.serviceAllocation !== undefined && spec.serviceAllocation !== null) {
    const alloc = r.map(spec.serviceAllocation, 'spec.serviceAllocation');
    if (isMap(spec.serviceAllocation)) {
      r.unknownFields(alloc, ALLOCATION_FIELDS, 'spec.serviceAllocation');
      r.integer(alloc.priority, 'spec.serviceAllocation.priority', -2147483648, 2147483647);
      r.stringList(alloc.namespaces, 'spec.serviceAllocation.namespaces', 'namespace');
      decodeSelectorList(r, alloc.namespaceSelectors, 'spec.serviceAllocation.namespaceSelectors');
      decodeSelectorList(r, alloc.serviceSelectors, 'spec.serviceAllocation.serviceSelectors');
    }
  }
  if (problems.errorCount !== before) return undefined;
  return { ref, labels, ranges };
}

/**
 * Parses one `spec.addresses` entry: a CIDR, or `start-end` of one family. As MetalLB's ParseCIDR
 * (internal/config/config.go): the two ends of a range are trimmed, a CIDR is not (Go's
 * net.ParseCIDR refuses the spaces, and MetalLB with it).
 */
export function parsePoolRange(raw: string): Result<PoolRange> {
  const text = raw.trim();
  if (text === '') return { ok: false, error: 'is empty: give a CIDR or a range such as "192.168.10.0/24" or "192.168.10.100-192.168.10.200"' };
  const dash = text.indexOf('-');
  if (dash < 0 && text !== raw) {
    return { ok: false, error: `${q(raw)} has spaces around the CIDR, which MetalLB rejects ("invalid CIDR"): write ${q(text)}` };
  }
  if (dash < 0) {
    const cidr = parseCidr(text);
    if (!cidr.ok) return cidr;
    const { family, first, last } = cidr.value;
    return { ok: true, value: { text, family, cidrs: [cidr.value.text], first, last } };
  }
  const startText = text.slice(0, dash).trim();
  const endText = text.slice(dash + 1).trim();
  const bad = (why: string): Result<PoolRange> => ({ ok: false, error: `${q(text)} is not a valid range: ${why}` });
  const start = parseIp(startText);
  const end = parseIp(endText);
  if (!start.ok) return bad(`the start ${start.error}`);
  if (!end.ok) return bad(`the end ${end.error}`);
  if (start.value.family !== end.value.family) {
    return bad('the start and end are of different IP families: write one IPv4 range and one IPv6 range as two entries');
  }
  if (start.value.value > end.value.value) {
    return bad(`the start ${start.value.text} is after the end ${end.value.text}: write the lower address first, e.g. ${q(`${end.value.text}-${start.value.text}`)}`);
  }
  const family = start.value.family;
  const first = start.value.value;
  const last = end.value.value;
  return { ok: true, value: { text, family, cidrs: summarizeRange(first, last, family), first, last } };
}
