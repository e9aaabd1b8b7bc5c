import { describe, expect, test } from '@jest/globals';
import { build, doc, errors, NS, warnings } from './helpers.js';

const bfd = (name: string, spec: Record<string, unknown>) =>
  doc({ apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name, namespace: NS }, spec });
const community = (name: string, communities: unknown[]) =>
  doc({ apiVersion: 'metallb.io/v1beta1', kind: 'Community', metadata: { name, namespace: NS }, spec: { communities } });

describe('BFDProfile', () => {
  test('unset fields stay undefined', () => {
    const { snapshot, problems } = build(bfd('b1', {}));
    expect(problems).toEqual([]);
    expect(snapshot.bfdProfiles[0]).toEqual({
      ref: { kind: 'BFDProfile', namespace: NS, name: 'b1', source: 'test.yaml' },
      receiveInterval: undefined, transmitInterval: undefined, detectMultiplier: undefined, echoInterval: undefined,
      echoMode: false, passiveMode: false, minimumTtl: undefined,
    });
  });

  test('all fields', () => {
    const spec = { receiveInterval: 10, transmitInterval: 60000, detectMultiplier: 2, echoInterval: 50, echoMode: true, passiveMode: true, minimumTtl: 254 };
    expect(build(bfd('b1', spec)).snapshot.bfdProfiles[0]).toMatchObject(spec);
  });

  test('ranges, all reported', () => {
    expect(errors(build(bfd('b1', { receiveInterval: 9, transmitInterval: 60001, detectMultiplier: 1, echoInterval: 0, minimumTtl: 255 })).problems)).toEqual([
      'BFDProfile metallb-system/b1: spec.receiveInterval: 9 is out of range: use an integer from 10 to 60000',
      'BFDProfile metallb-system/b1: spec.transmitInterval: 60001 is out of range: use an integer from 10 to 60000',
      'BFDProfile metallb-system/b1: spec.detectMultiplier: 1 is out of range: use an integer from 2 to 255',
      'BFDProfile metallb-system/b1: spec.echoInterval: 0 is out of range: use an integer from 10 to 60000',
      'BFDProfile metallb-system/b1: spec.minimumTtl: 255 is out of range: use an integer from 1 to 254',
    ]);
  });

  test('a name FRR cannot hold is an error', () => {
    const name = 'a'.repeat(64);
    expect(errors(build(bfd(name, {})).problems)).toEqual([
      `BFDProfile metallb-system/${name}: metadata.name: "${name}" is not a valid BFD profile name: use 1-63 letters, digits, '_', '-', '.', ':', e.g. "${'a'.repeat(63)}"`,
    ]);
  });
});

describe('Community', () => {
  test('aliases', () => {
    const { snapshot, problems } = build(community('c1', [{ name: 'NO_ADV', value: '65535:65282' }, { name: 'BIG', value: 'large:1:2:3' }]));
    expect(problems).toEqual([]);
    expect(snapshot.communityAliases.map((a) => [a.name, a.value])).toEqual([
      ['NO_ADV', { kind: 'standard', high: 65535, low: 65282 }],
      ['BIG', { kind: 'large', global: 1, local1: 2, local2: 3 }],
    ]);
  });

  test('bad entries, all reported', () => {
    expect(errors(build(community('c1', [{ name: 'a:b', value: '1:1' }, { name: 'X', value: 'NO' }, { name: 'X', value: '1:2' }, { value: '1:3' }])).problems)).toEqual([
      'Community metallb-system/c1: spec.communities[1].value: "NO" is not a valid community: use "A:B" with two numbers 0-65535 (e.g. "65535:65282"), "large:A:B:C" with three numbers 0-4294967295',
      'Community metallb-system/c1: spec.communities[3].name: is missing: give the alias a name, e.g. "NO_ADVERTISE"',
    ]);
    expect(errors(build(community('c1', [{ name: 'X', value: '1:1' }, { name: 'X', value: '1:2' }])).problems)).toEqual([
      'Community metallb-system/c1: spec.communities[1].name: duplicate alias "X": it is already defined in spec.communities[0]',
    ]);
  });

  // MetalLB looks an advertisement's community up among the aliases before parsing it, so any
  // name works, even one with ':' or one that spells a value (a warning: it shadows that value).
  test('alias names with ":" or spaces are accepted; a name that spells another value is a warning', () => {
    const { snapshot, problems } = build(community('c1', [{ name: 'office:main', value: '64500:100' }, { name: 'my alias', value: '1:1' }, { name: '65535:65282', value: '64500:1' }, { name: '7:7', value: '7:7' }]));
    expect(errors(problems)).toEqual([]);
    expect(snapshot.communityAliases.map((a) => a.name)).toEqual(['office:main', 'my alias', '65535:65282', '7:7']);
    expect(warnings(problems)).toEqual([
      'Community metallb-system/c1: spec.communities[2].name: "65535:65282" is also a community value: an advertisement that lists "65535:65282" gets this alias\'s value 64500:1, not 65535:65282 (MetalLB looks aliases up first); rename the alias to avoid the surprise',
    ]);
  });

  test('duplicate alias names across Community objects', () => {
    expect(errors(build(community('c1', [{ name: 'X', value: '1:1' }]) + community('c2', [{ name: 'Y', value: '1:3' }, { name: 'X', value: '1:2' }])).problems)).toEqual([
      'Community metallb-system/c2: spec.communities[1].name: duplicate alias "X": it is already defined by Community metallb-system/c1; alias names must be unique across all Community objects',
    ]);
  });
});
