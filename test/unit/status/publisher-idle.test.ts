/**
 * What the status poll asks and computes while nothing changes (the sidecar's idle CPU): FRR's
 * sessions every poll, the running config and version only after an apply or once per
 * `runningConfigMs`, and the ServiceBGPStatus objects only when the applied intent changed or the
 * writer lists again (its resync). A change (a new applied intent, a session going down) still
 * reaches the objects at the next poll; a failed write is retried at the next poll.
 */
import { joinBfd, type FrrState, type GatherOptions } from '../../../src/frr/frr-state.js';
import { parseNeighbor } from '../../../src/frr/parse-neighbors.js';
import { silentLogger } from '../../../src/ops/logger.js';
import type { ReconcilerStatus } from '../../../src/reconciler/status.js';
import type { IntentSnapshot, IntentView } from '../../../src/status/intent-view.js';
import type { KindName, StatusObject } from '../../../src/status/objects.js';
import { StatusPublisher } from '../../../src/status/publisher.js';
import { StatusWriter, type ExistingObject, type Scope, type StatusApi, type SyncResult } from '../../../src/status/writer.js';
import { FakeClock } from '../../support/fake-clock.js';

const NS = 'metallb-system';
const NODE = 'worker-0';
const INTERVAL = 5_000;
const RESYNC = 60_000;
const WRITER_RESYNC = 300_000;

const status = (appliedAt: number): ReconcilerStatus => ({
  synced: true,
  conversion: { at: 1_000, valid: true, errors: [], warnings: [] },
  apply: { at: appliedAt, result: 'success', passes: 1, description: 'applied' },
  appliedAt,
  frr: { release: '10.3', from: 'frr', formsOf: '10.3', tested: true },
});

const view = (services: string[]): IntentView => ({
  valid: true,
  neighbors: [{ vrf: 'default', target: '192.0.2.1', isInterface: false, peers: [`${NS}/tor`], ipv4: true, ipv6: false, bfdProfile: null, announced: services.map((s, i) => ({ prefix: `198.51.100.${10 + i}/32`, family: 'ipv4' as const, services: [s] })) }],
  services: services.map((s) => ({ service: s, announced: true, reason: null, detail: null, pool: `${NS}/pool`, advertisements: [], ingress: [] })),
});

const neighbor = (state: string) =>
  joinBfd([parseNeighbor('default', '192.0.2.1', { bgpState: state, addressFamilyInfo: { ipv4Unicast: {} } })], [])[0]!;

/** Keeps objects in memory and counts what the writer asks of it. */
class MemoryApi implements StatusApi {
  readonly objects = new Map<string, ExistingObject>();
  writes = 0;
  async list(kind: KindName, _scope: Scope): Promise<ExistingObject[]> {
    return [...this.objects.entries()].filter(([k]) => k.startsWith(`${kind}/`)).map(([, o]) => o);
  }
  async create(kind: KindName, obj: { readonly metadata: Record<string, unknown> }): Promise<void> {
    this.writes++;
    const name = String(obj.metadata['name']);
    this.objects.set(`${kind}/${name}`, { name, labels: (obj.metadata['labels'] ?? {}) as Record<string, string>, status: undefined });
  }
  async patchStatus(kind: KindName, _ns: string | undefined, name: string, patch: Record<string, unknown>): Promise<void> {
    this.writes++;
    const o = this.objects.get(`${kind}/${name}`)!;
    this.objects.set(`${kind}/${name}`, { ...o, status: { ...o.status, ...patch } });
  }
  async patchLabels(): Promise<void> {
    this.writes++;
  }
  async delete(kind: KindName, _ns: string | undefined, name: string): Promise<void> {
    this.writes++;
    this.objects.delete(`${kind}/${name}`);
  }
  statusOf(kind: KindName, name: string): Record<string, unknown> | undefined {
    return this.objects.get(`${kind}/${name}`)?.status as Record<string, unknown> | undefined;
  }
}

/** Counts the diffs (sync calls) per kind. */
class CountingWriter extends StatusWriter {
  readonly syncs = new Map<KindName, number>();
  override sync(kind: KindName, scope: Scope, desired: (existing: ReadonlyMap<string, ExistingObject>) => readonly StatusObject[]): Promise<SyncResult> {
    this.syncs.set(kind, (this.syncs.get(kind) ?? 0) + 1);
    return super.sync(kind, scope, desired);
  }
}

function setup(configFingerprint?: () => Promise<string>) {
  const clock = new FakeClock();
  const api = new MemoryApi();
  const writer = new CountingWriter(api, { resyncMs: WRITER_RESYNC, now: () => clock.now() });
  const asked: GatherOptions[] = [];
  let sessionState = 'Established';
  let snapshot: IntentSnapshot = { version: 1, node: NODE, namespace: NS, status: status(500), latest: view(['shop/web']), applied: view(['shop/web']) };
  const publisher = new StatusPublisher(
    { node: NODE, namespace: NS, intervalMs: INTERVAL, runningConfigMs: RESYNC },
    {
      frr: { run: async () => ({ exitCode: 1, stdout: '', stderr: 'unused' }) },
      writer,
      snapshot: () => snapshot,
      clock,
      logger: silentLogger,
      ...(configFingerprint === undefined ? {} : { configFingerprint }),
      gather: async (_frr, opts = {}): Promise<FrrState> => {
        asked.push(opts);
        return {
          at: clock.now(),
          version: opts.version === false ? 'not read' : '8.4.4',
          reachable: true,
          neighbors: [neighbor(sessionState)],
          bfdPeers: [],
          advertised: {},
          ...(opts.runningConfig ? { runningConfig: 'router bgp 64500\n' } : {}),
          errors: [],
        };
      },
    },
  );
  return {
    clock,
    api,
    writer,
    asked,
    publisher,
    setSnapshot: (s: IntentSnapshot) => (snapshot = s),
    getSnapshot: () => snapshot,
    setSession: (s: string) => (sessionState = s),
  };
}

test('idle polls read the sessions only; the running config, the version and the ServiceBGPStatus diff wait for an apply or the resync', async () => {
  const t = setup();
  t.publisher.start();
  await t.clock.advance(0);
  expect(t.asked).toHaveLength(1);
  expect(t.asked[0]).toMatchObject({ runningConfig: true, version: true });
  expect(t.writer.syncs.get('ServiceBGPStatus')).toBe(1);
  expect(t.api.statusOf('ServiceBGPStatus', `${NODE}-shop-web`)).toMatchObject({ serviceName: 'web', peers: ['tor'] });

  // Ten polls of nothing changing.
  await t.clock.advance(10 * INTERVAL);
  expect(t.asked).toHaveLength(11);
  expect(t.asked.slice(1).every((o) => o.runningConfig === false && o.version === false)).toBe(true);
  expect(t.writer.syncs.get('ServiceBGPStatus')).toBe(1);
  // FRRNodeState (it holds the running config): after the read, and once more without it, then not.
  expect(t.writer.syncs.get('FRRNodeState')).toBe(2);
  // The session objects are still diffed every poll (they follow FRR, not the config).
  expect(t.writer.syncs.get('BGPSessionState')).toBe(11);

  // After runningConfigMs: the running config and version are read again, FRRNodeState diffed.
  await t.clock.advance(RESYNC - 10 * INTERVAL);
  const reread = t.asked.filter((o) => o.runningConfig === true);
  expect(reread).toHaveLength(2);
  expect(reread[1]).toMatchObject({ version: true });
  expect(t.writer.syncs.get('FRRNodeState')).toBe(3);
  expect(t.writer.syncs.get('ServiceBGPStatus')).toBe(1);
  // The writer's resync (it lists again, to repair objects others changed): ServiceBGPStatus is diffed again.
  await t.clock.advance(WRITER_RESYNC - RESYNC);
  expect(t.writer.syncs.get('ServiceBGPStatus')).toBe(2);
  await t.publisher.stop();
});

test('the timed re-read of the running config is skipped while the daemons report the same config; an apply or a change reads it', async () => {
  let fingerprint = 'config-1';
  let fingerprints = 0;
  const t = setup(async () => {
    fingerprints++;
    if (fingerprint === 'no sockets') throw new Error('no vty socket');
    return fingerprint;
  });
  t.publisher.start();
  await t.clock.advance(0);
  expect(t.asked.filter((o) => o.runningConfig)).toHaveLength(1);

  // Three timed re-reads due, the config unchanged: none happens, and only those polls ask the fingerprint.
  await t.clock.advance(3 * RESYNC);
  expect(t.asked.filter((o) => o.runningConfig)).toHaveLength(1);
  expect(t.asked.filter((o) => o.version)).toHaveLength(1);
  expect(fingerprints).toBe(4);

  // Changed by hand: read at the next timed re-read.
  fingerprint = 'config-2';
  await t.clock.advance(RESYNC);
  expect(t.asked.filter((o) => o.runningConfig)).toHaveLength(2);

  // An apply reads it whatever the fingerprint says.
  t.setSnapshot({ ...t.getSnapshot(), status: status(9_000_000) });
  t.publisher.trigger();
  await t.clock.advance(500);
  expect(t.asked.filter((o) => o.runningConfig)).toHaveLength(3);

  // No fingerprint (no sockets): read on time as without one.
  fingerprint = 'no sockets';
  await t.clock.advance(RESYNC);
  expect(t.asked.filter((o) => o.runningConfig)).toHaveLength(4);
  await t.publisher.stop();
});

test('a new apply reaches ServiceBGPStatus at the next poll; a session going down reaches BGPSessionState at the next poll', async () => {
  const t = setup();
  t.publisher.start();
  await t.clock.advance(INTERVAL + 1);
  const writes = t.api.writes;

  t.setSnapshot({ ...t.getSnapshot(), status: status(7_000), applied: view(['shop/web', 'shop/api']), latest: view(['shop/web', 'shop/api']) });
  t.publisher.trigger();
  await t.clock.advance(500);
  expect(t.api.statusOf('ServiceBGPStatus', `${NODE}-shop-api`)).toMatchObject({ serviceName: 'api', peers: ['tor'] });
  expect(t.asked.at(-1)).toMatchObject({ runningConfig: true });
  expect(t.api.writes).toBeGreaterThan(writes);
  expect(t.api.statusOf('FRRNodeState', NODE)).toMatchObject({ runningConfig: 'router bgp 64500\n', lastReloadResult: 'success' });

  t.setSession('Active');
  await t.clock.advance(INTERVAL);
  expect(t.api.statusOf('BGPSessionState', `${NODE}-192.0.2.1`)).toMatchObject({ bgpStatus: 'Active' });
  await t.publisher.stop();
});

test('a failed ServiceBGPStatus write is retried at the next poll, not at the resync', async () => {
  const t = setup();
  const create = t.api.create.bind(t.api);
  let failures = 1;
  t.api.create = async (kind, obj) => {
    if (kind === 'ServiceBGPStatus' && failures-- > 0) throw new Error('API server unavailable');
    return create(kind, obj);
  };
  t.publisher.start();
  await t.clock.advance(0);
  expect(t.api.statusOf('ServiceBGPStatus', `${NODE}-shop-web`)).toBeUndefined();
  await t.clock.advance(INTERVAL);
  expect(t.api.statusOf('ServiceBGPStatus', `${NODE}-shop-web`)).toMatchObject({ serviceName: 'web' });
  await t.publisher.stop();
});
