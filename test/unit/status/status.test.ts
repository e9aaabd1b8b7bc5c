/** Status objects, explain verdicts and the writer's diffing, on synthetic inputs. */
import { joinBfd, type FrrState } from '../../../src/frr/frr-state.js';
import { parseBfdPeers } from '../../../src/frr/parse-bfd.js';
import { parseNeighbor } from '../../../src/frr/parse-neighbors.js';
import type { ReconcilerStatus } from '../../../src/reconciler/status.js';
import { explainService, statusReport } from '../../../src/status/explain.js';
import { formatExplain, formatStatus } from '../../../src/status/format.js';
import type { IntentSnapshot, IntentView } from '../../../src/status/intent-view.js';
import { bgpSessionStates, configurationState, frrNodeState, objectName, peerLabel, serviceBgpStatuses } from '../../../src/status/objects.js';
import { StatusWriter, type ExistingObject, type StatusApi } from '../../../src/status/writer.js';

/** The release the sidecar renders for, as FRR reported it. */
const FRR_STATUS = { release: '10.3', from: 'frr', formsOf: '10.3', tested: true } as const;

const OK: ReconcilerStatus = {
  synced: true,
  conversion: { at: 1_000, valid: true, errors: [], warnings: [] },
  apply: { at: 2_000, result: 'success', passes: 1, description: 'applied' },
  appliedAt: 2_000,
  frr: FRR_STATUS,
};

const neighbor = (vrf: string, id: string, o: Record<string, unknown>) => parseNeighbor(vrf, id, o);
const established = (fams: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  bgpState: 'Established',
  bgpTimerUpMsec: 65_000,
  neighborCapabilities: { multiprotocolExtensions: Object.fromEntries(Object.keys(fams).map((k) => [k, { advertisedAndReceived: true }])) },
  addressFamilyInfo: fams,
  ...extra,
});

function frr(over: Partial<FrrState> = {}): FrrState {
  return {
    at: 3_000,
    version: '8.4.4',
    reachable: true,
    neighbors: joinBfd([
      neighbor('default', '192.0.2.1', established({ ipv4Unicast: { sentPrefixCounter: 1 } }, { peerBfdInfo: { status: 'Up', type: 'single hop' } })),
      neighbor('default', '2001:db8::1', { bgpState: 'Active', lastResetDueTo: 'Waiting for NHT', addressFamilyInfo: { ipv6Unicast: {} } }),
      neighbor('red', '203.0.113.1', established({ ipv4Unicast: {} })),
    ], []),
    bfdPeers: [],
    advertised: {
      'default|192.0.2.1|ipv4': { kind: 'routes', prefixes: ['198.51.100.10/32'], total: 1 },
      'red|203.0.113.1|ipv4': { kind: 'routes', prefixes: [], total: 0 },
    },
    errors: [],
    ...over,
  };
}

const VIEW: IntentView = {
  valid: true,
  neighbors: [
    { vrf: 'default', target: '192.0.2.1', isInterface: false, peers: ['metallb-system/tor'], ipv4: true, ipv6: false, bfdProfile: 'fast', announced: [{ prefix: '198.51.100.10/32', family: 'ipv4', services: ['shop/web'] }] },
    { vrf: 'default', target: '2001:db8::1', isInterface: false, peers: ['metallb-system/tor6'], ipv4: false, ipv6: true, bfdProfile: null, announced: [{ prefix: '2001:db8:100::10/128', family: 'ipv6', services: ['shop/web'] }] },
    { vrf: 'red', target: '203.0.113.1', isInterface: false, peers: ['metallb-system/red'], ipv4: true, ipv6: false, bfdProfile: null, announced: [{ prefix: '198.51.100.20/32', family: 'ipv4', services: ['shop/api'] }] },
  ],
  services: [
    { service: 'shop/web', announced: true, reason: null, detail: null, pool: 'metallb-system/pool', advertisements: [{ name: 'metallb-system/adv', peers: [] }], ingress: [{ ip: '198.51.100.10', family: 'ipv4' }, { ip: '2001:db8:100::10', family: 'ipv6' }] },
    { service: 'shop/api', announced: true, reason: null, detail: null, pool: 'metallb-system/pool', advertisements: [{ name: 'metallb-system/red-only', peers: ['red'] }], ingress: [{ ip: '198.51.100.20', family: 'ipv4' }] },
    { service: 'shop/local', announced: false, reason: 'noLocalEndpoints', detail: 'externalTrafficPolicy is Local and no ready endpoint runs on node worker-0', pool: null, advertisements: [], ingress: [{ ip: '198.51.100.30', family: 'ipv4' }] },
    { service: 'shop/orphan', announced: false, reason: 'poolNotAdvertised', detail: 'no BGPAdvertisement selects pool other', pool: null, advertisements: [], ingress: [] },
  ],
};
const SNAP: IntentSnapshot = { version: 1, node: 'worker-0', namespace: 'metallb-system', status: OK, latest: VIEW, applied: VIEW };

describe('BFD status, joined once in frr-state', () => {
  it('BGPSessionState, status and explain say the same when only `show bfd peers` knows the session', () => {
    const bfdPeers = parseBfdPeers([
      { peer: '192.0.2.1', vrf: 'default', status: 'up' },
      { peer: '203.0.113.1', vrf: 'red', status: 'down' },
    ]);
    const raw = [
      neighbor('default', '192.0.2.1', established({ ipv4Unicast: { sentPrefixCounter: 1 } }, { peerBfdInfo: { type: 'single hop' } })),
      neighbor('default', '2001:db8::1', { bgpState: 'Active', addressFamilyInfo: { ipv6Unicast: {} } }),
      neighbor('red', '203.0.113.1', established({ ipv4Unicast: {} })),
    ];
    const state = frr({ neighbors: joinBfd(raw, bfdPeers), bfdPeers });
    const expected = ['Up', 'N/A', 'Down'];
    expect(bgpSessionStates('worker-0', 'metallb-system', state).map((o) => o.status['bfdStatus'])).toEqual(expected);
    expect(statusReport(SNAP, state).sessions.map((x) => x.bfd)).toEqual(expected);
    expect(explainService(SNAP, state, 'shop/web').peers.map((p) => p.bfd)).toEqual(expected);
  });
});

describe('BGPSessionState', () => {
  it('one per neighbor and VRF, frr-k8s labels, raw states, N/A without BFD', () => {
    const objs = bgpSessionStates('worker-0', 'metallb-system', frr());
    expect(objs.map((o) => [o.metadata.name, o.status])).toEqual([
      ['worker-0-192.0.2.1', { node: 'worker-0', peer: '192.0.2.1', vrf: '', bgpStatus: 'Established', bfdStatus: 'Up' }],
      ['worker-0-2001-0db8-0000-0000-0000-0000-0000-0001', { node: 'worker-0', peer: '2001-0db8-0000-0000-0000-0000-0000-0001', vrf: '', bgpStatus: 'Active', bfdStatus: 'N/A' }],
      ['worker-0-203.0.113.1-red', { node: 'worker-0', peer: '203.0.113.1', vrf: 'red', bgpStatus: 'Established', bfdStatus: 'N/A' }],
    ]);
    expect(objs[2]!.metadata.labels).toMatchObject({ 'frrk8s.metallb.io/node': 'worker-0', 'frrk8s.metallb.io/peer': '203.0.113.1', 'frrk8s.metallb.io/vrf': 'red' });
  });
  it('interface peers by name; names stay valid', () => {
    expect(peerLabel({ id: 'eth1', isInterface: true })).toBe('eth1');
    expect(objectName(['Worker_0', 'eth1'])).toMatch(/^worker-0-eth1-[0-9a-f]{8}$/);
    expect(objectName(['a'.repeat(300)]).length).toBeLessThanOrEqual(253);
  });
});

describe('ServiceBGPStatus', () => {
  it('per announced service: the sorted BGPPeer names of the config', () => {
    const objs = serviceBgpStatuses('worker-0', 'metallb-system', VIEW);
    expect(objs.map((o) => o.status)).toEqual([
      { node: 'worker-0', serviceName: 'api', serviceNamespace: 'shop', peers: ['red'] },
      { node: 'worker-0', serviceName: 'web', serviceNamespace: 'shop', peers: ['tor', 'tor6'] },
    ]);
    expect(objs[0]!.metadata.labels).toMatchObject({ 'metallb.io/node': 'worker-0', 'metallb.io/service-name': 'api', 'metallb.io/service-namespace': 'shop' });
  });
});

describe('ConfigurationState and FRRNodeState', () => {
  it('Valid, then Invalid with the errors, keeping lastTransitionTime while unchanged', () => {
    const valid = configurationState('worker-0', 'metallb-system', OK, 5_000);
    expect(valid.metadata.name).toBe('speaker-worker-0');
    expect(valid.status).toMatchObject({ result: 'Valid', errorSummary: '' });
    const bad: ReconcilerStatus = { ...OK, conversion: { at: 9_000, valid: false, errors: ['BGPPeer a/b: spec.password: bad password s3cret'], warnings: [] } };
    const invalid = configurationState('worker-0', 'metallb-system', bad, 10_000, valid.status);
    expect(invalid.status).toMatchObject({ result: 'Invalid', errorSummary: 'BGPPeer a/b: spec.password: bad password <redacted>' });
    expect(JSON.stringify(invalid)).not.toContain('s3cret');
    const again = configurationState('worker-0', 'metallb-system', { ...bad, conversion: { ...bad.conversion!, at: 99_000 } }, 99_000, invalid.status);
    expect(again.status).toEqual(invalid.status);
  });
  it('Invalid with the refused lines when FRR refuses the rendered config; apply failures as a condition by stage', () => {
    const refusedLine = 'bgpd refused " set community internet additive": % Malformed communities attribute';
    const refused: ReconcilerStatus = { ...OK, apply: { at: 12_000, result: 'failure', passes: 1, description: 'FRR refused 1 line(s) of the rendered config', stage: 'rejected', details: [refusedLine] } };
    const o = configurationState('worker-0', 'metallb-system', refused, 12_000);
    expect(o.status).toMatchObject({ result: 'Invalid', errorSummary: `FRR refused 1 line(s) of the rendered config\n${refusedLine}` });
    expect(o.status.conditions).toEqual([
      expect.objectContaining({ type: 'configReconcilerValid', status: 'True' }),
      expect.objectContaining({ type: 'frrConfigApplied', status: 'False', reason: 'LinesRefused', message: expect.stringContaining(refusedLine) }),
    ]);
    // FRR down is not an invalid configuration: Valid, with the condition saying why it is not applied.
    const down: ReconcilerStatus = { ...OK, apply: { at: 13_000, result: 'failure', passes: 0, description: 'vtysh: timed out', stage: 'reload', details: [] } };
    expect(configurationState('worker-0', 'metallb-system', down, 13_000).status).toMatchObject({
      result: 'Valid',
      errorSummary: '',
      conditions: [expect.anything(), expect.objectContaining({ type: 'frrConfigApplied', status: 'False', reason: 'ReloadFailed' })],
    });
    // What FRR runs after the failure is in the condition, as far as it was verified.
    const rollbackFailed: ReconcilerStatus = {
      ...OK,
      apply: { at: 14_000, result: 'failure', passes: 0, description: 'frr-reload.py --reload failed (exit 1): boom', stage: 'reload', details: [], frr: 'rollbackFailed', rollbackError: 'vtysh: timed out' },
    };
    expect(configurationState('worker-0', 'metallb-system', rollbackFailed, 14_000).status).toMatchObject({
      conditions: [expect.anything(), expect.objectContaining({
        reason: 'ReloadFailed',
        message: 'frr-reload.py --reload failed (exit 1): boom\nthe rollback to the last good config failed too (vtysh: timed out): what FRR runs is not known',
      })],
    });
    expect(frrNodeState('worker-0', rollbackFailed, undefined).status.lastReloadResult).toBe(
      'failed (reload): frr-reload.py --reload failed (exit 1): boom; the rollback to the last good config failed too (vtysh: timed out): what FRR runs is not known',
    );
    expect(configurationState('worker-0', 'metallb-system', OK, 13_000).status).toMatchObject({
      conditions: [expect.anything(), expect.objectContaining({ type: 'frrConfigApplied', status: 'True', reason: 'Applied' })],
    });
  });
  it('a valid configuration\'s warnings are in the condition\'s message (log, /status and ConfigurationState all say them)', () => {
    const warned: ReconcilerStatus = { ...OK, conversion: { at: 1_000, valid: true, errors: [], warnings: ['BGPPeer a/b: spec.keepaliveTime: "60s" is more than a third of holdTime 90s', 'x password s3cret'] } };
    const o = configurationState('worker-0', 'metallb-system', warned, 5_000);
    expect(o.status).toMatchObject({ result: 'Valid', errorSummary: '' });
    expect((o.status.conditions as { message: string }[])[0]!.message).toBe('2 warnings:\nBGPPeer a/b: spec.keepaliveTime: "60s" is more than a third of holdTime 90s\nx password <redacted>');
    // Control: no warnings, MetalLB's empty message.
    expect((configurationState('worker-0', 'metallb-system', OK, 5_000).status.conditions as { message: string }[])[0]!.message).toBe('');
  });

  it('FRRNodeState: results and the running config without passwords', () => {
    const o = frrNodeState('worker-0', { ...OK, apply: { at: 1, result: 'failure', passes: 0, description: 'reload failed', stage: 'reload', details: ['neighbor 192.0.2.1 password hunter2'] } }, ' neighbor 192.0.2.1 password hunter2\n');
    expect(o.status.lastConversionResult).toBe('success');
    expect(o.status.lastReloadResult).toBe('failed (reload): reload failed\nneighbor 192.0.2.1 password <redacted>');
    expect(JSON.stringify(o)).not.toContain('hunter2');
    expect(frrNodeState('worker-0', OK, undefined, { runningConfig: 'kept' }).status.runningConfig).toBe('kept');
  });
});

describe('explain', () => {
  const verdicts = (service: string, state = frr(), snap = SNAP) =>
    explainService(snap, state, service).peers.flatMap((p) => p.prefixes.map((v) => `${p.neighbor} ${v.prefix} ${v.advertised} ${v.reason}`));

  it('advertised, no session, peer not selected', () => {
    expect(verdicts('shop/web')).toEqual([
      '192.0.2.1 198.51.100.10/32 true null',
      '192.0.2.1 2001:db8:100::10/128 false familyMismatch',
      '2001:db8::1 198.51.100.10/32 false familyMismatch',
      '2001:db8::1 2001:db8:100::10/128 false noSession',
      '203.0.113.1 198.51.100.10/32 false peerNotSelected',
      '203.0.113.1 2001:db8:100::10/128 false familyMismatch',
    ]);
    expect(verdicts('shop/api')).toContain('203.0.113.1 198.51.100.20/32 false notSentByFrr');
  });
  it("MetalLB's reasons for services the node does not announce", () => {
    expect(explainService(SNAP, frr(), 'shop/local')).toMatchObject({ announced: false, reason: 'noLocalEndpoints' });
    // Each peer still lists the service's IPs, with the reason they are not sent.
    expect(explainService(SNAP, frr(), 'shop/local').peers[0]!.prefixes).toEqual([
      expect.objectContaining({ prefix: '198.51.100.30/32', advertised: false, reason: 'noLocalEndpoints' }),
    ]);
    expect(explainService(SNAP, frr(), 'shop/orphan')).toMatchObject({ announced: false, reason: 'poolNotAdvertised' });
    // The reason is the intent's value: explain never reads the detail, so rewording it changes nothing.
    const reworded: IntentSnapshot = {
      ...SNAP,
      latest: { ...VIEW, services: VIEW.services.map((s) => (s.service === 'shop/orphan' && !s.announced ? { ...s, detail: 'reworded' } : s)) },
    };
    expect(explainService(reworded, frr(), 'shop/orphan')).toMatchObject({ reason: 'poolNotAdvertised', detail: 'reworded' });
    expect(explainService(SNAP, frr(), 'shop/none')).toMatchObject({ found: false, reason: 'serviceNotFound' });
  });
  it('config invalid, apply pending, FRR unreachable', () => {
    const empty: IntentView = { ...VIEW, neighbors: VIEW.neighbors.map((n) => ({ ...n, announced: [] })) };
    const invalid: IntentSnapshot = { ...SNAP, latest: { ...VIEW, valid: false, neighbors: [] }, applied: empty };
    expect(verdicts('shop/web', frr(), invalid)[0]).toBe('192.0.2.1 198.51.100.10/32 false configInvalid');
    const pending: IntentSnapshot = { ...SNAP, applied: empty, status: { ...OK, apply: { at: 5, result: 'failure', passes: 0, description: 'boom', stage: 'reload' } } };
    expect(explainService(pending, frr(), 'shop/web').peers[0]!.prefixes[0]).toMatchObject({ reason: 'notApplied', detail: expect.stringContaining('boom') });
    // explain says what FRR runs only as far as it was verified.
    expect(explainService(pending, frr(), 'shop/web').peers[0]!.prefixes[0]!.detail).not.toContain('FRR runs');
    const rolledBack: IntentSnapshot = { ...pending, status: { ...pending.status, apply: { ...pending.status.apply!, frr: 'rolledBack' } } };
    expect(explainService(rolledBack, frr(), 'shop/web').peers[0]!.prefixes[0]!.detail).toBe('the last apply failed (reload): boom; rolled back: FRR runs the last good config (verified)');
    const unknown: IntentSnapshot = { ...pending, status: { ...pending.status, apply: { ...pending.status.apply!, frr: 'noRollback' } } };
    expect(explainService(unknown, frr(), 'shop/web').peers[0]!.prefixes[0]!.detail).toContain('FRR may run part of this config');
    expect(verdicts('shop/web', frr({ reachable: false, neighbors: [] }))[0]).toBe("192.0.2.1 198.51.100.10/32 unknown frrUnreachable");
  });
  it('formats for the terminal', () => {
    expect(formatExplain(explainService(SNAP, frr(), 'shop/web'))).toContain('192.0.2.1 (metallb-system/tor): session Established, BFD Up\n    198.51.100.10/32: advertised');
  });
});

describe('status report', () => {
  it('sessions, prefixes sent, and what the config wants but FRR did not send', () => {
    const r = statusReport(SNAP, frr());
    expect(r.sessions.map((s) => [s.neighbor, s.state, s.families.map((f) => [f.family, f.sent, f.missing])])).toEqual([
      ['192.0.2.1', 'Established', [['ipv4', ['198.51.100.10/32'], []]]],
      ['2001:db8::1', 'Active', [['ipv6', [], ['2001:db8:100::10/128']]]],
      ['203.0.113.1', 'Established', [['ipv4', [], ['198.51.100.20/32']]]],
    ]);
    const text = formatStatus(r, 62_000);
    expect(text).toContain('sessions: 2/3 established');
    expect(text).toContain('last reload success (1 pass) 1m0s ago');
    const fast = { ...SNAP, status: { ...SNAP.status, apply: { at: 2_000, result: 'success' as const, passes: 0, description: 'applied with one vtysh session', path: 'fast' as const } } };
    expect(formatStatus(statusReport(fast, frr()), 62_000)).toContain('last reload success (fast path) 1m0s ago');
  });
});

describe('StatusWriter', () => {
  function fakeApi(initial: ExistingObject[] = []) {
    const store = new Map(initial.map((o) => [o.name, o]));
    const calls: string[] = [];
    const api: StatusApi = {
      list: async () => (calls.push('list'), [...store.values()]),
      create: async (_k, o) => void (calls.push(`create ${String(o.metadata.name)}`), store.set(String(o.metadata.name), { name: String(o.metadata.name), labels: o.metadata.labels as Record<string, string>, status: undefined })),
      patchStatus: async (_k, _ns, name, status) => void (calls.push(`patch ${name} ${JSON.stringify(status)}`), store.set(name, { ...store.get(name)!, status: Object.fromEntries(Object.entries({ ...store.get(name)!.status, ...status }).filter(([, v]) => v !== null)) })),
      patchLabels: async (_k, _ns, name) => void calls.push(`labels ${name}`),
      delete: async (_k, _ns, name) => void (calls.push(`delete ${name}`), store.delete(name)),
    };
    return { api, calls };
  }
  const obj = (name: string, status: Record<string, unknown>) => ({ apiVersion: 'v', kind: 'K', metadata: { name, namespace: 'ns', labels: { a: 'b' } }, status });

  it('creates, patches only changes, deletes what no longer applies, and is silent when idle', async () => {
    const { api, calls } = fakeApi([{ name: 'stale', labels: { a: 'b' }, status: {} }, { name: 'same', labels: { a: 'b' }, status: { x: 1, gone: true } }]);
    let now = 0;
    const w = new StatusWriter(api, { resyncMs: 60_000, now: () => now });
    const desired = [obj('new', { x: 1 }), obj('same', { x: 1 })];
    expect(await w.sync('BGPSessionState', { namespace: 'ns' }, () => desired)).toEqual({ created: 1, patched: 2, deleted: 1 });
    expect(calls).toEqual(['list', 'create new', 'patch new {"x":1}', 'patch same {"x":1,"gone":null}', 'delete stale']);
    calls.length = 0;
    for (let i = 0; i < 10; i++) {
      now += 1_000;
      await w.sync('BGPSessionState', { namespace: 'ns' }, () => desired);
    }
    expect(calls).toEqual([]);
    now += 60_000;
    await w.sync('BGPSessionState', { namespace: 'ns' }, () => desired);
    expect(calls).toEqual(['list']);
  });

  it('diffs thousands of objects in slices, letting other work (HTTP requests) run between them', async () => {
    const many = Array.from({ length: 5_000 }, (_, i) => ({ name: `s${i}`, labels: { a: 'b' }, status: { x: i } }));
    const { api, calls } = fakeApi(many);
    const w = new StatusWriter(api, { resyncMs: 60_000, now: () => 0 });
    const desired = many.map((o) => obj(o.name, { x: (o.status as { x: number }).x + 1 }));
    // A request arriving while the diff runs: answered before the diff ends.
    let patchedWhenServed: number | undefined;
    setImmediate(() => (patchedWhenServed = calls.filter((c) => c.startsWith('patch')).length));
    expect(await w.sync('ServiceBGPStatus', { namespace: 'ns' }, () => desired)).toEqual({ created: 0, patched: 5_000, deleted: 0 });
    expect(patchedWhenServed).toBeGreaterThan(0);
    expect(patchedWhenServed).toBeLessThan(5_000);
  });

  it('re-lists after a failed write', async () => {
    const { api, calls } = fakeApi();
    let fail = true;
    const w = new StatusWriter({ ...api, create: async (k, o) => { if (fail) throw new Error('409'); return api.create(k, o); } }, { resyncMs: 60_000, now: () => 0 });
    await expect(w.sync('BGPSessionState', { namespace: 'ns' }, () => [obj('a', {})])).rejects.toThrow('409');
    fail = false;
    await w.sync('BGPSessionState', { namespace: 'ns' }, () => [obj('a', {})]);
    expect(calls.filter((c) => c === 'list')).toHaveLength(2);
  });
});
