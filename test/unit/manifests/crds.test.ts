/**
 * The status CRDs against the status code: one CRD per kind the writer sends (`KINDS`: group,
 * version, plural, scope, a status subresource since status goes through `/status`), and every
 * object the builders of `src/status/objects.ts` produce is accepted by the CRD's openAPIV3Schema
 * as the API server would check it (a small structural validator: types, required, enum,
 * date-time, list-map keys; a field the schema does not declare would be pruned, so it fails).
 */
import { joinBfd, type FrrState } from '../../../src/frr/frr-state.js';
import { parseNeighbor } from '../../../src/frr/parse-neighbors.js';
import type { ReconcilerStatus } from '../../../src/reconciler/status.js';
import type { IntentView } from '../../../src/status/intent-view.js';
import { KINDS, bgpSessionStates, configurationState, frrNodeState, serviceBgpStatuses, type StatusObject } from '../../../src/status/objects.js';
import { build, find, isJson, type Json } from './kustomize.js';

/** The release the sidecar renders for, as FRR reported it. */
const FRR_STATUS = { release: '10.3', from: 'frr', formsOf: '10.3', tested: true } as const;

const { objects } = build();
const crds = find(objects, 'CustomResourceDefinition');

function crdOf(kind: string): Json | undefined {
  return crds.find((c) => ((c.spec as Json).names as Json).kind === kind);
}

function schemaOf(crd: Json, version: string): Json {
  const v = ((crd.spec as Json).versions as Json[]).find((x) => x.name === version)!;
  return (v.schema as Json).openAPIV3Schema as Json;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Errors of `value` against a structural schema, `path: problem` each. */
export function validate(schema: Json, value: unknown, path = ''): string[] {
  const at = path || '<root>';
  if (value === null) return schema.nullable === true ? [] : [`${at}: null is not allowed`];
  const errors: string[] = [];
  switch (schema.type) {
    case 'object': {
      if (!isJson(value)) return [`${at}: not an object`];
      const props = (schema.properties ?? {}) as Record<string, Json>;
      const extra = isJson(schema.additionalProperties) ? (schema.additionalProperties as Json) : undefined;
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        if (path === '' && k === 'metadata') continue; // ObjectMeta: the API server's own schema, checked below
        if (props[k]) errors.push(...validate(props[k]!, v, `${path}.${k}`));
        else if (extra) errors.push(...validate(extra, v, `${path}.${k}`));
        else if (schema['x-kubernetes-preserve-unknown-fields'] !== true) errors.push(`${path}.${k}: not in the schema (the API server would prune it)`);
      }
      for (const r of (schema.required ?? []) as string[]) if (value[r] === undefined) errors.push(`${path}.${r}: required`);
      break;
    }
    case 'array': {
      if (!Array.isArray(value)) return [`${at}: not an array`];
      value.forEach((v, i) => errors.push(...validate(schema.items as Json, v, `${path}[${i}]`)));
      if (schema['x-kubernetes-list-type'] === 'map') {
        const keys = value.map((v) => JSON.stringify(((schema['x-kubernetes-list-map-keys'] ?? []) as string[]).map((k) => (v as Json)[k])));
        if (new Set(keys).size !== keys.length) errors.push(`${at}: duplicate list-map keys`);
      }
      break;
    }
    case 'string':
      if (typeof value !== 'string') return [`${at}: not a string`];
      if (schema.format === 'date-time' && !DATE_TIME.test(value)) errors.push(`${at}: ${value} is not a date-time`);
      break;
    case 'integer':
      if (!Number.isInteger(value)) return [`${at}: not an integer`];
      break;
    case 'number':
      if (typeof value !== 'number') return [`${at}: not a number`];
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return [`${at}: not a boolean`];
      break;
    default:
      if (schema['x-kubernetes-int-or-string'] !== true && schema['x-kubernetes-preserve-unknown-fields'] !== true) errors.push(`${at}: schema without a type`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  return errors;
}

// ---------------------------------------------------------------- what the status code produces

const NODE = 'worker-0';
const NS = 'metallb-system';
const established = (fams: Json, extra: Json = {}) => ({ bgpState: 'Established', bgpTimerUpMsec: 65_000, addressFamilyInfo: fams, ...extra });
const FRR: FrrState = {
  at: 3_000,
  version: '8.4.4',
  reachable: true,
  neighbors: joinBfd([
    parseNeighbor('default', '192.0.2.1', established({ ipv4Unicast: {} }, { peerBfdInfo: { status: 'Up', type: 'single hop' } })),
    parseNeighbor('default', '2001:db8::1', { bgpState: 'Active', addressFamilyInfo: { ipv6Unicast: {} } }),
    parseNeighbor('red', '203.0.113.1', established({ ipv4Unicast: {} }, { peerBfdInfo: { status: 'Down' } })),
    parseNeighbor('default', 'eth1', established({ ipv4Unicast: {}, ipv6Unicast: {} }, { bgpNeighborAddr: 'fe80::1' })),
  ], []),
  bfdPeers: [],
  advertised: {},
  errors: [],
};
const VIEW: IntentView = {
  valid: true,
  neighbors: [
    { vrf: 'default', target: '192.0.2.1', isInterface: false, peers: ['metallb-system/tor', 'metallb-system/tor-b'], ipv4: true, ipv6: false, bfdProfile: 'fast', announced: [{ prefix: '198.51.100.10/32', family: 'ipv4', services: ['shop/web', 'shop/api'] }] },
    { vrf: 'red', target: '203.0.113.1', isInterface: false, peers: ['metallb-system/red'], ipv4: true, ipv6: false, bfdProfile: null, announced: [{ prefix: '198.51.100.20/32', family: 'ipv4', services: ['shop/api'] }] },
  ],
  services: [],
};
const OK: ReconcilerStatus = { synced: true, conversion: { at: 1_000, valid: true, errors: [], warnings: [] }, apply: { at: 2_000, result: 'success', passes: 1, description: 'applied' }, appliedAt: 2_000, frr: FRR_STATUS };
const BAD: ReconcilerStatus = {
  synced: true,
  conversion: { at: 5_000, valid: false, errors: ['BGPPeer metallb-system/p: spec.password: too long', 'BGPPeer metallb-system/q: spec.vrf: "a b" is not a valid VRF name'], warnings: [] },
  apply: { at: 6_000, result: 'failure', passes: 2, description: 'frr-reload.py failed', stage: 'reload', details: ['line 3: % Unknown command', 'neighbor 192.0.2.1 password secret'] },
  appliedAt: 2_000,
  frr: FRR_STATUS,
};
const NEW: ReconcilerStatus = { synced: false, conversion: undefined, apply: undefined, appliedAt: undefined, frr: FRR_STATUS };

const produced: StatusObject[] = [
  ...bgpSessionStates(NODE, NS, FRR),
  ...serviceBgpStatuses(NODE, NS, VIEW),
  configurationState(NODE, NS, OK, 7_000),
  configurationState(NODE, NS, BAD, 7_000),
  configurationState(NODE, NS, NEW, 7_000),
  frrNodeState(NODE, OK, 'frr version 8.4.4\nrouter bgp 64500\n neighbor 192.0.2.1 password s3cret\n'),
  frrNodeState(NODE, BAD, undefined, { runningConfig: 'kept' }),
  frrNodeState(NODE, NEW, undefined),
];

// ---------------------------------------------------------------- tests

describe('one CRD per status kind', () => {
  it.each(Object.values(KINDS).map((k) => [k.kind, k] as const))('%s: group, version, plural, scope, status subresource', (kind, k) => {
    const crd = crdOf(kind);
    expect(crd).toBeDefined();
    const spec = crd!.spec as Json;
    expect(spec.group).toBe(k.group);
    expect((spec.names as Json).plural).toBe(k.plural);
    expect(spec.scope).toBe(k.namespaced ? 'Namespaced' : 'Cluster');
    const version = (spec.versions as Json[]).find((v) => v.name === k.version);
    expect(version).toMatchObject({ served: true, subresources: { status: {} } });
  });

  it('and no CRD for a kind the code does not write', () => {
    expect(crds.map((c) => ((c.spec as Json).names as Json).kind).sort()).toEqual(Object.values(KINDS).map((k) => k.kind).sort());
  });
});

describe('the objects the status writers produce', () => {
  it('cover every kind', () => {
    expect([...new Set(produced.map((o) => o.kind))].sort()).toEqual(Object.keys(KINDS).sort());
  });

  it.each(produced.map((o, i) => [`${o.kind} ${o.metadata.name} #${i}`, o] as const))('%s is valid for its CRD', (_, o) => {
    const [group, version] = o.apiVersion.split('/') as [string, string];
    const crd = crdOf(o.kind)!;
    expect((crd.spec as Json).group).toBe(group);
    expect(validate(schemaOf(crd, version), o)).toEqual([]);
    // What the API server checks in metadata.
    expect(o.metadata.name).toMatch(/^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
    expect(o.metadata.namespace === undefined).toBe((crd.spec as Json).scope === 'Cluster');
    for (const [k, v] of Object.entries(o.metadata.labels)) {
      expect([k, v]).toEqual([k, expect.stringMatching(/^(?=.{0,63}$)(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/)]);
      expect(k).toMatch(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
    }
  });

  it('the validator itself rejects what the API server would', () => {
    const schema = schemaOf(crdOf('ConfigurationState')!, 'v1beta1');
    const good = configurationState(NODE, NS, BAD, 7_000);
    expect(validate(schema, { ...good, status: { ...good.status, result: 'Broken' } })).toEqual([expect.stringContaining('.status.result')]);
    expect(validate(schema, { ...good, status: { ...good.status, surprise: 1 } })).toEqual([expect.stringContaining('prune it')]);
    expect(validate(schema, { ...good, status: { ...good.status, conditions: [{ type: 'x' }] } }).length).toBeGreaterThan(0);
  });
});
