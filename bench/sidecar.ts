/**
 * The sidecar timed as it runs in a pod: `frr-renderer run` as its own process, from its real
 * sources (a folder, or the fake Kubernetes API server of the integration tests holding the whole
 * cluster) to the route at the lab's routers (real FRR in network namespaces, `frr.ts`).
 *
 * Each figure has an in-process reference measured in the same run on the same lab: the same
 * rendered config applied by the same apply path (`createFrrTarget`) from memory, i.e. without the
 * process start, the source, the debounce and the adoption check.
 *
 * Cluster: `synth.ts` with one pool announced to every peer (`mix: 'plain'`, IPv4 only, so every
 * router must receive every service), each Service with its EndpointSlice (`cluster-files.ts`),
 * peers with MetalLB's defaults (no timers set). Addresses as in `frr.ts`.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import type { RawObject } from '../src/api/decode.js';
import { createFrrTarget } from '../src/frr/frr-target.js';
import { realConfigFiles } from '../src/frr/write-file.js';
import { renderObjects } from '../src/pipeline.js';
import { FakeApiServer, type Json, type RequestRecord } from '../test/integration/fake-apiserver.js';
import { killPathspace, pathspacePids, startPathspace, writePathspaceFiles } from '../test/harness/pathspace.js';
import { sleep } from '../test/harness/system.js';
import { clusterManifests, fileNameOf, serviceManifests, writeLayout, type Manifest } from './cluster-files.js';
import { received, type Lab } from './frr.js';
import { callKind, createFrrTrace, type FrrCall } from './frr-trace.js';
import { processesCpuSeconds, timeNodeProcess, type ProcessRun } from './proc.js';
import { initRenderer, REPO_ROOT } from './render.js';
import { hasPrefix, watchAll, watchFill, type RouterMilestones } from './router-watch.js';
import { SIDECAR_NODE_OPTIONS, SidecarProcess } from './sidecar-process.js';
import { NODE, serviceAddress, serviceV4 } from './synth.js';

export interface SidecarBenchOptions {
  readonly lab: Lab;
  /** Scratch folder (removed by the caller). */
  readonly work: string;
  readonly log: (s: string) => void;
  /** Length of each idle window (CPU, API requests per minute). */
  readonly idleWindowMs: number;
  /** Edits / added services / CLI runs per measurement. */
  readonly repeats: number;
  /** The limit on any one wait for the lab. */
  readonly limitMs: number;
}

const PLAIN = { mix: 'plain' as const, v6Every: 0 };

function clusterOf(services: number, peers: number): Manifest[] {
  return clusterManifests({ services, peers, vrfs: 1, ...PLAIN });
}

/** `run` arguments that aim the sidecar at the lab's speaker. */
function speakerArgs(lab: Lab): string[] {
  return [...lab.speaker.cliArgs, '--frr-config', join(lab.speaker.confDir, 'frr.conf')];
}

/** `BENCH_HEAP=small|balanced|fast` runs the sidecars with that `--heap` (default: the sidecar's own default). */
const HEAP = ['small', 'balanced', 'fast'].includes(process.env['BENCH_HEAP'] ?? '') ? ['--heap', process.env['BENCH_HEAP']!] : [];
const COMMON = ['--node', NODE, '--listen', '127.0.0.1:0', '--log-level', 'info', ...HEAP];

export interface Timed {
  /** ms from the change (or the process start) to the apply being logged (success or adopted). */
  readonly appliedMs: number | undefined;
  /** ms to the prefix being at (or gone from) the first router, and at every router. */
  readonly firstRouterMs: number | undefined;
  readonly allRoutersMs: number | undefined;
}

export interface StartResult extends RouterMilestones {
  readonly services: number;
  readonly peers: number;
  readonly startedMs: number | undefined;
  readonly syncedMs: number | undefined;
  readonly appliedMs: number | undefined;
  /** How the first apply went, from its log line. */
  readonly applyDescription: string;
}

export interface InProcessReference extends RouterMilestones {
  readonly services: number;
  readonly peers: number;
  /** Render from objects in memory (ms). */
  readonly renderMs: number;
  /** createFrrTarget().apply on the empty speaker: dry run, vtysh -f, frr-reload.py --test (ms after the render). */
  readonly applyMs: number;
  /** +1 service applied by the same path, at every router (ms). */
  readonly addOne: Timed | undefined;
}

/** Restarts the speaker empty and waits until no router holds its routes (`Lab.resetSpeaker`). */
async function emptySpeaker(lab: Lab): Promise<void> {
  await lab.resetSpeaker();
}

/**
 * The reference: the same config the sidecar renders, applied from memory by the same apply path
 * on the empty speaker, then one more service, each timed to every router.
 */
export async function inProcessReference(o: SidecarBenchOptions, services: number, peers: number): Promise<InProcessReference> {
  const { lab } = o;
  await emptySpeaker(lab);
  const render = await initRenderer();
  const renderOf = (manifests: readonly Manifest[]): string => {
    const objects = manifests.map((m) => ({ ...m, source: 'bench' }) as RawObject);
    const result = renderObjects(objects, { node: NODE, hostname: hostname(), frrRelease: lab.speaker.installation.release }, [], render);
    if (result.config === undefined) throw new Error('the synthetic cluster did not render');
    return result.config;
  };
  const manifests = clusterOf(services, peers);
  const t0 = performance.now();
  const config = renderOf(manifests);
  const renderMs = performance.now() - t0;
  const file = join(o.work, 'reference-frr.conf');
  const target = createFrrTarget({ frr: lab.speakerContext(o.limitMs), configPath: file, files: realConfigFiles });
  const t1 = performance.now();
  const fill = watchFill(lab.routers.slice(0, peers), services, t0, o.limitMs);
  await target.apply(config, undefined);
  const applyMs = performance.now() - t1;
  const milestones = await fill;
  let addOne: Timed | undefined;
  if (milestones.allRoutersMs !== undefined) {
    const prefix = `${serviceV4(services)}/32`;
    const next = renderOf([...manifests, ...serviceManifests(services, PLAIN)]);
    const t2 = performance.now();
    await target.apply(next, config);
    const appliedMs = performance.now() - t2;
    const w = await watchAll(lab.routers.slice(0, peers), (r) => hasPrefix(r, prefix), t2, o.limitMs);
    addOne = { appliedMs, ...w };
  }
  return { services, peers, renderMs, applyMs, ...milestones, addOne };
}

/** Start of a sidecar already spawned: milestones from its log and the routers. */
async function timeStart(sc: SidecarProcess, o: SidecarBenchOptions, services: number, peers: number): Promise<StartResult> {
  const t0 = sc.startedAt;
  const fill = await watchFill(o.lab.routers.slice(0, peers), services, t0, o.limitMs);
  const at = async (match: Parameters<SidecarProcess['waitForLog']>[0], what: string): Promise<number | undefined> => {
    const l = await sc.waitForLog(match, 5_000, what).catch(() => undefined);
    return l === undefined ? undefined : l.at - t0;
  };
  const applied = await sc.waitForApply(0, o.limitMs).catch(() => undefined);
  return {
    services,
    peers,
    startedMs: await at((l) => l.msg === 'frr-renderer started', 'start line'),
    syncedMs: await at((l) => l.msg === 'source synced', 'source synced'),
    appliedMs: applied === undefined ? undefined : applied.at - t0,
    applyDescription: applied?.msg ?? 'no apply',
    ...fill,
  };
}

// ---------------------------------------------------------------- dir: source

export interface DirResult {
  readonly start: StartResult;
  /** One Service's file edited (its address changed): to applied and at every router. */
  readonly edits: Timed[];
  readonly layout: 'files';
  readonly peakRssKb: number;
}

/**
 * `run --source dir:` on a folder of one file per object (10,000 Services and their
 * EndpointSlices: 20,000 files): start to first apply, then one file edited at a time.
 */
export async function dirSource(o: SidecarBenchOptions, services: number, peers: number): Promise<DirResult> {
  const { lab } = o;
  await emptySpeaker(lab);
  const dir = join(o.work, `dir-${services}`);
  const manifests = clusterOf(services, peers);
  await writeLayout(dir, 'files', manifests);
  const sc = SidecarProcess.start(['--source', `dir:${dir}`, ...COMMON, '--status', 'off', ...speakerArgs(lab)]);
  try {
    const start = await timeStart(sc, o, services, peers);
    o.log(`dir: start -> synced ${fmt(start.syncedMs)}, applied ${fmt(start.appliedMs)}, first route ${fmt(start.firstPrefixMs)}, all routes ${fmt(start.allRoutersMs)}`);
    const edits: Timed[] = [];
    for (let k = 0; k < o.repeats && start.allRoutersMs !== undefined; k++) {
      // Service k gets a fresh address (beyond the services in use): its old prefix goes, the new one comes.
      const index = manifests.findIndex((m) => (m['metadata'] as { name: string }).name === `svc-${k}` && m['kind'] === 'Service');
      const edited = structuredClone(manifests[index]!);
      const fresh = serviceAddress(services + k, PLAIN);
      (edited['status'] as { loadBalancer: { ingress: { ip: string }[] } }).loadBalancer.ingress[0]!.ip = fresh;
      const file = join(dir, fileNameOf(manifests[index]!, index));
      const from = sc.logs.length;
      const t = performance.now();
      // As an editor or `kubectl` writes: a whole new file renamed over the old one.
      await writeFile(`${file}.tmp`, dump(edited));
      await rename(`${file}.tmp`, file);
      const routers = watchAll(lab.routers.slice(0, peers), (r) => hasPrefix(r, `${fresh}/32`), t, o.limitMs);
      const applied = await sc.waitForApply(from, o.limitMs).catch(() => undefined);
      const w = await routers;
      edits.push({ appliedMs: applied === undefined ? undefined : applied.at - t, ...w });
      o.log(`dir: edited file -> applied ${fmt(edits.at(-1)!.appliedMs)}, at every router ${fmt(w.allRoutersMs)}`);
    }
    return { start, edits, layout: 'files', peakRssKb: sc.memory().peakKb };
  } finally {
    await sc.stop();
  }
}

// ---------------------------------------------------------------- k8s source

/** The cluster in the fake API server (Services and EndpointSlices, MetalLB objects, the node). */
async function clusterServer(services: number, peers: number): Promise<FakeApiServer> {
  const server = await FakeApiServer.start();
  server.register({ group: 'metallb.io', resource: 'configurationstates', kind: 'ConfigurationState', namespaced: true });
  for (const m of clusterOf(services, peers)) server.put(m as Json);
  return server;
}

async function kubeconfigFile(server: FakeApiServer, work: string, name: string): Promise<string> {
  const file = join(work, `${name}.kubeconfig`);
  await writeFile(file, server.kubeConfig().exportConfig());
  return file;
}

export interface RequestCounts {
  readonly total: number;
  /** Watch connections opened (the source's re-watches and bookmarks). */
  readonly watches: number;
  /** List/get requests. */
  readonly reads: number;
  /** Status writes: create, patch, delete. */
  readonly writes: number;
}

function countRequests(requests: readonly RequestRecord[]): RequestCounts {
  let watches = 0;
  let reads = 0;
  let writes = 0;
  for (const r of requests) {
    if (r.watch) watches++;
    else if (r.method === 'GET') reads++;
    else writes++;
  }
  return { total: requests.length, watches, reads, writes };
}

function perMinute(c: RequestCounts, windowMs: number): RequestCounts {
  const f = 60_000 / windowMs;
  const r = (x: number): number => Math.round(x * f * 10) / 10;
  return { total: r(c.total), watches: r(c.watches), reads: r(c.reads), writes: r(c.writes) };
}

export interface IdleResult {
  readonly services: number;
  readonly windowMs: number;
  /** CPU of the sidecar and its children (vtysh, frr-reload.py), % of one core. */
  readonly sidecarCpuPercent: number;
  /** Of which the children's. */
  readonly childrenCpuPercent: number;
  /** CPU of the speaker's FRR daemons in the same window (answering the sidecar's questions), % of one core. */
  readonly frrCpuPercent: number;
  readonly requestsPerMinute: RequestCounts | undefined;
}

/** The speaker's FRR daemons (not the vtysh processes that also carry `-N NAME`). */
async function frrDaemonPids(lab: Lab): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of await pathspacePids(lab.speaker.name)) {
    const argv0 = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')[0] ?? '';
    if (argv0.includes('/lib/frr/')) pids.push(pid);
  }
  return pids;
}

/** Measures a window in which nothing changes. */
async function idleWindow(sc: SidecarProcess, o: SidecarBenchOptions, services: number, server: FakeApiServer | undefined): Promise<IdleResult> {
  const frrPids = await frrDaemonPids(o.lab);
  server?.resetRequests();
  const c0 = sc.cpuSplit();
  const f0 = processesCpuSeconds(frrPids);
  const t0 = performance.now();
  await sleep(o.idleWindowMs);
  const windowMs = performance.now() - t0;
  const c1 = sc.cpuSplit();
  const f1 = processesCpuSeconds(frrPids);
  const requests = server === undefined ? undefined : perMinute(countRequests(server.requests), windowMs);
  return {
    services,
    windowMs,
    sidecarCpuPercent: ((c1.self + c1.children - c0.self - c0.children) * 100_000) / windowMs,
    childrenCpuPercent: ((c1.children - c0.children) * 100_000) / windowMs,
    frrCpuPercent: ((f1 - f0) * 100_000) / windowMs,
    requestsPerMinute: requests,
  };
}

export interface StatusFigures {
  /** Objects in the API server once the first publish settled, by kind. */
  readonly objects: Readonly<Record<string, number>>;
  /** From the first apply to every ServiceBGPStatus and BGPSessionState written (ms). */
  readonly publishedMs: number | undefined;
  /** Requests of that first publish. */
  readonly firstPublish: RequestCounts;
  readonly idle: IdleResult;
  /** Requests per minute in the window after one Service was added. */
  readonly afterChangePerMinute: RequestCounts;
  /** From the Service added to its ServiceBGPStatus written (ms). */
  readonly changeToStatusMs: number | undefined;
}

export interface K8sResult {
  readonly start: StartResult;
  /** One Service (and its EndpointSlice) created: to applied and at every router. */
  readonly adds: Timed[];
  /** 410 Gone on every watch (compacted history), then one Service created: relisted and at every router. */
  readonly relist: Timed & { readonly lists: number };
  readonly peakRssKb: number;
  readonly status: StatusFigures;
  readonly explain: ProcessRun[];
  readonly statusCommand: ProcessRun[];
}

const STATUS_KINDS = {
  ServiceBGPStatus: 'servicebgpstatuses.metallb.io',
  BGPSessionState: 'bgpsessionstates.frrk8s.metallb.io',
  ConfigurationState: 'configurationstates.metallb.io',
  FRRNodeState: 'frrnodestates.frrk8s.metallb.io',
} as const;

function statusObjects(server: FakeApiServer): Record<string, number> {
  return Object.fromEntries(Object.entries(STATUS_KINDS).map(([kind, resource]) => [kind, server.objects(resource).length]));
}

function established(server: FakeApiServer): number {
  return server.objects(STATUS_KINDS.BGPSessionState).filter((o) => (o['status'] as { bgpStatus?: string } | undefined)?.bgpStatus === 'Established').length;
}

async function until(cond: () => boolean, limitMs: number): Promise<boolean> {
  const deadline = performance.now() + limitMs;
  while (!cond()) {
    if (performance.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Adds service i (and its EndpointSlice) to the server; times it to applied and at every router. */
async function addService(sc: SidecarProcess, o: SidecarBenchOptions, server: FakeApiServer, i: number, peers: number): Promise<Timed> {
  const prefix = `${serviceV4(i)}/32`;
  const from = sc.logs.length;
  const t = performance.now();
  for (const m of serviceManifests(i, PLAIN)) server.put(m as Json);
  const routers = watchAll(o.lab.routers.slice(0, peers), (r) => hasPrefix(r, prefix), t, o.limitMs);
  const applied = await sc.waitForApply(from, o.limitMs).catch(() => undefined);
  return { appliedMs: applied === undefined ? undefined : applied.at - t, ...(await routers) };
}

/**
 * `run --source k8s` against the fake API server holding the whole cluster, status on (as in a pod):
 * initial list to first apply, +1 Service, relist after 410, peak RSS, status objects and API
 * requests per minute (idle and after one change), and `explain` / `status` as processes.
 */
export async function k8sSource(o: SidecarBenchOptions, services: number, peers: number): Promise<K8sResult> {
  const { lab } = o;
  await emptySpeaker(lab);
  const server = await clusterServer(services, peers);
  const kubeconfig = await kubeconfigFile(server, o.work, `k8s-${services}`);
  const sc = SidecarProcess.start(['--source', 'k8s', '--kubeconfig', kubeconfig, ...COMMON, '--status', 'on', ...speakerArgs(lab)]);
  try {
    const start = await timeStart(sc, o, services, peers);
    o.log(`k8s: start -> synced ${fmt(start.syncedMs)}, applied ${fmt(start.appliedMs)}, first route ${fmt(start.firstPrefixMs)}, all routes ${fmt(start.allRoutersMs)}`);
    const firstApply = sc.logs.find((l) => l.fields['result'] === 'success' || l.fields['result'] === 'adopted');

    // Status: the first publish, until every service and session has its object.
    const published = await until(() => server.objects(STATUS_KINDS.ServiceBGPStatus).length >= services && established(server) >= peers, o.limitMs);
    const publishedMs = published && firstApply ? performance.now() - firstApply.at : undefined;
    const firstPublish = countRequests(server.requests.filter((r) => r.method !== 'GET'));
    const objects = statusObjects(server);
    o.log(`k8s: status objects ${JSON.stringify(objects)} written ${fmt(publishedMs)} after the first apply`);
    await sleep(5_000);

    const idle = await idleWindow(sc, o, services, server);
    o.log(`k8s: idle at ${services}: sidecar ${idle.sidecarCpuPercent.toFixed(2)} % of a core (children ${idle.childrenCpuPercent.toFixed(2)} %), FRR ${idle.frrCpuPercent.toFixed(2)} %, requests/min ${JSON.stringify(idle.requestsPerMinute)}`);

    // One change, then the same window: what the status objects cost after it.
    server.resetRequests();
    const tChange = performance.now();
    const add0 = await addService(sc, o, server, services, peers);
    const statusName = `svc-${services}`;
    const statusWritten = await until(() => server.objects(STATUS_KINDS.ServiceBGPStatus).some((x) => String((x['metadata'] as Json)['name']).includes(statusName)), o.limitMs);
    const changeToStatusMs = statusWritten ? performance.now() - tChange : undefined;
    await sleep(Math.max(0, o.idleWindowMs - (performance.now() - tChange)));
    const afterChangePerMinute = perMinute(countRequests(server.requests), performance.now() - tChange);
    o.log(`k8s: +1 service -> applied ${fmt(add0.appliedMs)}, at every router ${fmt(add0.allRoutersMs)}, status ${fmt(changeToStatusMs)}; requests/min after ${JSON.stringify(afterChangePerMinute)}`);

    const adds: Timed[] = [add0];
    for (let k = 1; k < o.repeats; k++) {
      adds.push(await addService(sc, o, server, services + k, peers));
      o.log(`k8s: +1 service -> applied ${fmt(adds.at(-1)!.appliedMs)}, at every router ${fmt(adds.at(-1)!.allRoutersMs)}`);
    }

    // 410: history compacted, every watch told its resourceVersion is gone; the source must list again.
    server.resetRequests();
    server.compact();
    server.expireWatches();
    const relistAdd = await addService(sc, o, server, services + o.repeats, peers);
    const lists = server.requests.filter((r) => !r.watch && r.method === 'GET' && r.resource === 'services').length;
    const relist = { ...relistAdd, lists };
    o.log(`k8s: 410 -> +1 service applied ${fmt(relist.appliedMs)}, at every router ${fmt(relist.allRoutersMs)} (${lists} Service lists)`);

    const port = await sc.listenPort();
    // `oc exec` runs explain and status in the speaker's container, with the image's NODE_OPTIONS.
    const cli = async (args: readonly string[]): Promise<ProcessRun[]> => {
      const runs: ProcessRun[] = [];
      for (let k = 0; k < Math.max(3, o.repeats); k++) {
        const r = await timeNodeProcess([join(REPO_ROOT, 'bin', 'frr-renderer.js'), ...args, '--listen', `127.0.0.1:${port}`, ...lab.speaker.cliArgs], { timeoutMs: 60_000, nodeOptions: SIDECAR_NODE_OPTIONS });
        if (r.exitCode !== 0) throw new Error(`frr-renderer ${args.join(' ')} exited ${r.exitCode}: ${r.stderr.slice(0, 500)}`);
        runs.push(r);
      }
      return runs;
    };
    const explain = await cli(['explain', 'apps-1/svc-1']);
    const statusCommand = await cli(['status']);
    o.log(`k8s: explain ${explain.map((r) => fmt(r.wallMs)).join(', ')}; status ${statusCommand.map((r) => fmt(r.wallMs)).join(', ')}`);
    return {
      start,
      adds,
      relist,
      peakRssKb: sc.memory().peakKb,
      status: { objects, publishedMs, firstPublish, idle, afterChangePerMinute, changeToStatusMs },
      explain,
      statusCommand,
    };
  } finally {
    await sc.stop();
    await server.close();
  }
}

/** Idle CPU alone (k8s source, status on), at another size. */
export async function idleOnly(o: SidecarBenchOptions, services: number, peers: number): Promise<IdleResult> {
  await emptySpeaker(o.lab);
  const server = await clusterServer(services, peers);
  const kubeconfig = await kubeconfigFile(server, o.work, `idle-${services}`);
  const sc = SidecarProcess.start(['--source', 'k8s', '--kubeconfig', kubeconfig, ...COMMON, '--status', 'on', ...speakerArgs(o.lab)]);
  try {
    const start = await timeStart(sc, o, services, peers);
    await until(() => server.objects(STATUS_KINDS.ServiceBGPStatus).length >= services && established(server) >= peers, o.limitMs);
    o.log(`idle run at ${services}: all routes ${fmt(start.allRoutersMs)} after start`);
    await sleep(5_000);
    const idle = await idleWindow(sc, o, services, server);
    o.log(`idle at ${services}: sidecar ${idle.sidecarCpuPercent.toFixed(2)} % of a core (children ${idle.childrenCpuPercent.toFixed(2)} %), FRR ${idle.frrCpuPercent.toFixed(2)} %, requests/min ${JSON.stringify(idle.requestsPerMinute)}`);
    return idle;
  } finally {
    await sc.stop();
    await server.close();
  }
}

// ---------------------------------------------------------------- first route

export interface Phase {
  readonly what: string;
  /** Whose time it is: the sidecar's own work, FRR's, or BGP between the routers. */
  readonly whose: 'sidecar' | 'FRR' | 'BGP' | 'wait';
  readonly fromMs: number;
  readonly toMs: number;
}

export interface FirstRouteResult extends RouterMilestones {
  readonly services: number;
  readonly peers: number;
  /** When FRR (started with the sidecar, as in a pod) answered `show watchfrr` with every daemon up. */
  readonly frrUpMs: number | undefined;
  readonly appliedMs: number | undefined;
  readonly phases: Phase[];
  readonly calls: { readonly what: string; readonly fromMs: number; readonly toMs: number | undefined; readonly exitCode: number | undefined }[];
}

/**
 * A pod start: the speaker's FRR and the sidecar (k8s source) start at the same moment, every
 * vtysh / frr-reload.py call timed (frr-trace.ts). The routers' reconnect back-off is reset first,
 * as a router that never saw this speaker has none. Status publishing is off here so that only the
 * apply path's calls are in the split (the k8s run times start -> apply with it on).
 */
export async function firstRoute(o: SidecarBenchOptions, services: number, peers: number): Promise<FirstRouteResult> {
  const { lab } = o;
  await emptySpeaker(lab);
  await killPathspace(lab.speaker.name);
  for (let k = 0; k < 100; k++) {
    const counts = await Promise.all(lab.routers.map((r) => received(r).catch(() => ({ established: false, prefixes: 0 }))));
    if (counts.every((c) => !c.established)) break;
    await sleep(200);
  }
  for (const r of lab.routers) await r.show('clear bgp ipv4 unicast 192.0.2.1').catch(() => undefined);
  await writePathspaceFiles(lab.speaker.name, lab.speaker.installation);
  const server = await clusterServer(services, peers);
  const kubeconfig = await kubeconfigFile(server, o.work, `first-${services}`);
  const trace = await createFrrTrace(o.work, lab.speaker.installation);
  // Status off: the publisher's own vtysh calls would interleave with the apply path's in the split.
  const sc = SidecarProcess.start(['--source', 'k8s', '--kubeconfig', kubeconfig, ...COMMON, '--status', 'off', '--frr-pathspace', lab.speaker.name, '--frr-config', join(lab.speaker.confDir, 'frr.conf'), ...trace.args]);
  const t0 = sc.startedAt;
  let frrUpMs: number | undefined;
  const frrStart = startPathspace(lab.speaker.name, lab.speaker.installation).then(() => (frrUpMs = performance.now() - t0));
  try {
    const fill = await watchFill(lab.routers.slice(0, peers), services, t0, o.limitMs);
    await frrStart;
    const applied = await sc.waitForApply(0, o.limitMs).catch(() => undefined);
    const appliedMs = applied === undefined ? undefined : applied.at - t0;
    if (applied === undefined || fill.allRoutersMs === undefined) {
      o.log(`first route: no apply or not every route; the sidecar logged: ${sc.logs.slice(-12).map((l) => `${(l.at - t0).toFixed(0)} ${l.msg} ${JSON.stringify(l.fields).slice(0, 200)}`).join(' | ')}`);
    }
    const calls = (await trace.read()).filter((c) => appliedMs === undefined || c.startAt - t0 <= appliedMs + 50);
    const logAt = (msg: string): number | undefined => {
      const l = sc.logs.find((x) => x.msg === msg);
      return l === undefined ? undefined : l.at - t0;
    };
    const phases = splitPhases({ startedMs: logAt('frr-renderer started'), syncedMs: logAt('source synced'), frrUpMs, appliedMs, calls: calls.map((c) => ({ ...c, startAt: c.startAt - t0, endAt: c.endAt === undefined ? undefined : c.endAt - t0 })), ...fill });
    return {
      services,
      peers,
      frrUpMs,
      appliedMs,
      ...fill,
      phases,
      calls: calls.map((c) => ({ what: callKind(c), fromMs: c.startAt - t0, toMs: c.endAt === undefined ? undefined : c.endAt - t0, exitCode: c.exitCode })),
    };
  } finally {
    await sc.stop();
    await server.close();
  }
}

/**
 * The split of start -> first route into consecutive phases. Gaps between FRR calls are the
 * sidecar's own work (render, waits); FRR calls are named by what they do; after the config is
 * loaded, the time is BGP's (session, then the first UPDATE).
 */
export function splitPhases(t: {
  startedMs: number | undefined;
  syncedMs: number | undefined;
  frrUpMs: number | undefined;
  appliedMs: number | undefined;
  calls: readonly FrrCall[];
} & RouterMilestones): Phase[] {
  const phases: Phase[] = [];
  let at = 0;
  const push = (what: string, whose: Phase['whose'], to: number | undefined): void => {
    if (to === undefined || to < at) return;
    phases.push({ what, whose, fromMs: at, toMs: to });
    at = to;
  };
  push('process start, modules, HTTP server (until the start line)', 'sidecar', t.startedMs);
  push('initial list of every source (until "source synced")', 'sidecar', t.syncedMs);
  // The config reaching FRR: the last vtysh -f or frr-reload.py --reload that succeeded.
  const loads = t.calls.filter((c) => c.exitCode === 0 && (callKind(c) === 'vtysh -f (load)' || callKind(c) === 'frr-reload.py --reload'));
  const loaded = loads.at(-1);
  for (const c of t.calls) {
    if (c.endAt === undefined || (loaded !== undefined && c.startAt > loaded.startAt)) continue;
    if (c.startAt > at + 20) push('sidecar between FRR calls (debounce, render, retry back-off)', 'sidecar', c.startAt);
    push(`${callKind(c)}${c.exitCode === 0 ? '' : ` (exit ${c.exitCode}: FRR not up yet)`}`, 'FRR', c.endAt);
  }
  push('BGP: session to the first router Established', 'BGP', t.sessionUpMs);
  push('BGP: first prefix at the first router', 'BGP', t.firstPrefixMs);
  push('BGP: every prefix at every router', 'BGP', t.allRoutersMs);
  return phases;
}

export function fmt(ms: number | undefined): string {
  if (ms === undefined) return 'not reached';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}
