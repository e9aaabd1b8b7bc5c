/**
 * The fault-and-churn soak (issue 15, item 4): the sidecar process on a real FRR, fed random valid
 * and invalid changes every 50-500 ms while faults are injected, with its invariants checked as it
 * runs. `runSoak` is shared by `npm run soak -- --minutes N` (main.ts) and the CI test.
 *
 * Topology: a speaker FRR and a router FRR, each in a network namespace of its own (pathspaces
 * `frrt-<pid>-soakspk1` / `-soakrtr2`), joined by a veth pair on 192.0.2.0/24. The sidecar runs
 * in the root namespace and talks to the speaker through vtysh and frr-reload.py, as in a pod.
 *
 * Two phases, each with a sidecar process of its own: `--source dir:` (the soak writes files),
 * then `--source k8s` against the fake API server (the soak writes objects; status objects are
 * written back). A phase is a sequence of episodes:
 *
 *   churn (2.5-5 s of changes every 50-500 ms, a fault injected in it)
 *   -> fault cleared -> settle (the router must hold the last valid desired state)
 *   -> [input invalid: hold, where the last good config must stay in force]
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { FrrInstance } from '../harness/frr-instance.js';
import { installationUnderTest } from '../harness/installation.js';
import { linkNamespaces } from '../harness/namespaces.js';
import { chownToFrr } from '../harness/pathspace.js';
import { routerConfig } from '../harness/router.js';
import { FakeApiServer } from '../integration/fake-apiserver.js';
import { cleanupStaleSoak } from './cleanup.js';
import { SmallDisk, soakFolderParent } from './disk.js';
import { allFaults, clearAll, hangingVtysh, type Fault, type FaultEnv, type FrrHistory } from './faults.js';
import { apiServerWriter, folderWriter, writeFolderSnapshot, type InputWriter } from './inputs.js';
import {
  checkResources,
  checkSessionResets,
  CONVERGE_WITHIN_MS,
  findPasswords,
  holdProblems,
  INVARIANTS,
  logViolations,
  sampledSince,
  settleViolations,
  VERDICT_MISMATCH,
  type HoldSample,
  type Exposed,
  type InvariantName,
  type QuietWindow,
  type ResourceVerdict,
  type Violation,
} from './invariants.js';
import {
  breakage as randomBreakage,
  cloneModel,
  expectedRoutes,
  initialModel,
  manifests,
  markerName,
  NODE,
  NS,
  ROUTER_ADDRESS,
  ROUTER_ASN,
  routerSide,
  sessionKey,
  SPEAKER_ADDRESS,
  SPEAKER_ASN,
  validChange,
  type Breakage,
  type ChangeClass,
  type ClusterModel,
  type ExpectedPrefix,
} from './model.js';
import { seededRandom, type Random } from './random.js';
import { bfdPeerState, heldRoutes, routeDifferences, sessionSample, type SessionSample } from './router-view.js';
import { parseFullGc, repoRoot, sampleProcess, Sidecar, type HeapSample, type ResourceSample, type SidecarIntent } from './sidecar.js';

export interface SoakOptions {
  /** Minutes of churn, split between the folder phase (60 %) and the Kubernetes phase (40 %). */
  readonly minutes: number;
  readonly seed: number;
  /** Progress lines (one per episode). */
  readonly log: (line: string) => void;
  /** Ctrl-C: ends the run early; everything is still removed. */
  readonly signal?: AbortSignal;
  /** Where each sidecar's whole log is written (`<phase>-sidecar.log`); not kept without it. */
  readonly logDir?: string;
}

export type Phase = 'folder' | 'k8s';

export interface FaultRecord {
  readonly phase: Phase;
  readonly name: string;
  readonly injectedAt: number;
  /** How long the fault lasted, injection to clearing. */
  readonly durationMs: number;
}

export interface SettleRecord {
  readonly phase: Phase;
  /** The fault cleared before it, or `changes` when none ran. */
  readonly after: string;
  /** From the fault clearing (or the last change, when later) to the router holding the desired state. */
  readonly convergenceMs: number | undefined;
  /**
   * From the same moment to the end of the sidecar's last apply (0 when it was done before): the
   * rest of `convergenceMs` is FRR's (reload effects, session set-up, route-map delay timer).
   */
  readonly sidecarMs: number | undefined;
}

export interface ControlResult {
  readonly invariant: InvariantName;
  readonly what: string;
  readonly caught: boolean;
  readonly detail: string;
}

export interface SoakResult {
  readonly frr: string;
  readonly seed: number;
  readonly minutes: number;
  readonly durationMs: number;
  readonly aborted: boolean;
  readonly faults: readonly FaultRecord[];
  readonly changes: { readonly valid: number; readonly invalid: number; readonly fixes: number; readonly episodes: number };
  readonly settles: readonly SettleRecord[];
  readonly resources: readonly { readonly label: string; readonly verdict: ResourceVerdict }[];
  readonly violations: readonly Violation[];
  /** How often each invariant was checked: an invariant never checked has proven nothing. */
  readonly checked: Readonly<Record<InvariantName, number>>;
  readonly controls: readonly ControlResult[];
  /** Faults the run never managed to inject (time ran out). */
  readonly missedFaults: readonly string[];
  readonly cleanup: readonly string[];
}

class Aborted extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Between two Kubernetes faults: the watches back off after a failure until a watch delivers again
 * (an event or the API server's bookmark, every 10 s here), so a second fault within that time is
 * recovered from more slowly by design (up to the 60 s backoff cap; README, "npm run soak").
 */
const K8S_FAULT_SPACING_MS = 15_000;

/** How long a settle waits before it reports "never converged". */
const SETTLE_TIMEOUT_MS = 30_000;

/** Options of every sidecar the soak starts, beside its source and the FRR it talks to. */
const SIDECAR_FLAGS = [
  '--node', NODE,
  '--namespace', NS,
  // FRR restarts and daemon deaths are seen by this check: at the default 15 s the 5 s bound
  // after a daemon comes back could not hold (README, "npm run soak").
  '--drift-check', '1000',
  // A config that failed during a fault (disk full, frr.conf unwritable) is retried with backoff;
  // the default cap (300 s) would let a long fault's retry come minutes after it cleared. The 5 s
  // bound holds with retries at most 2 s apart (README, "Soak").
  '--retry-max', '2000',
];

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const run = new SoakRun(opts);
  try {
    await run.execute();
  } finally {
    await run.cleanup();
  }
  return run.result();
}

class SoakRun {
  private readonly random: Random;
  private readonly started = Date.now();
  private readonly violations: Violation[] = [];
  private readonly checked = Object.fromEntries(Object.keys(INVARIANTS).map((k) => [k, 0])) as Record<InvariantName, number>;
  private readonly faultRecords: FaultRecord[] = [];
  private readonly settles: SettleRecord[] = [];
  private readonly changes = { valid: 0, invalid: 0, fixes: 0, episodes: 0 };
  private readonly passwords = new Set<string>();
  private readonly exposed: Exposed[] = [];
  private readonly sessionSamples: SessionSample[] = [];
  private readonly quietWindows: QuietWindow[] = [];
  private readonly resourceVerdicts: { label: string; verdict: ResourceVerdict }[] = [];
  private readonly controls: ControlResult[] = [];
  private readonly covered = new Set<string>();
  private readonly undo: (() => Promise<void> | void)[] = [];
  private cleanupLog: string[] = [];
  private aborted = false;

  private work = '';
  private speaker: FrrInstance | undefined;
  private router: FrrInstance | undefined;
  private disk: SmallDisk | undefined;
  private env: FaultEnv | undefined;
  private server: FakeApiServer | undefined;
  private sidecar: Sidecar | undefined;
  private sampling = false;
  private samplers: Promise<void>[] = [];
  private resourceSamples: ResourceSample[] = [];

  // The input: the model of valid changes, a breakage laid over it, and the last valid model.
  private model: ClusterModel;
  private breakage: Breakage | undefined;
  private lastValid: ClusterModel;
  private routerAt = { password: '', bfd: false };
  private writer: InputWriter | undefined;
  private phase: Phase = 'folder';
  /** The number of the input as written last (its marker service, see `manifests`). */
  private seq = 0;
  /** The sidecar's last `/intent` answer (its status: when it last applied). */
  /** From a fault's injection to its clearing. */
  private faultActive = false;
  private lastK8sFaultAt = 0;

  constructor(private readonly opts: SoakOptions) {
    this.random = seededRandom(opts.seed);
    this.model = initialModel(this.random);
    this.lastValid = cloneModel(this.model);
    this.passwords.add(this.model.peer.password);
    opts.signal?.addEventListener('abort', () => (this.aborted = true), { once: true });
  }

  private log(line: string): void {
    const t = ((Date.now() - this.started) / 1000).toFixed(1).padStart(6);
    this.opts.log(`[soak ${t}s] ${line}\n`);
  }

  private checkAbort(): void {
    if (this.aborted || this.opts.signal?.aborted) {
      this.aborted = true;
      throw new Aborted('soak interrupted');
    }
  }

  private violate(invariant: InvariantName, message: string): void {
    this.violations.push({ invariant, at: Date.now(), message });
    this.log(`VIOLATION ${invariant}: ${message}`);
  }

  // ------------------------------------------------------------------ set-up and tear-down

  async execute(): Promise<void> {
    this.cleanupLog = await cleanupStaleSoak();
    if (this.cleanupLog.length > 0) this.log(`removed leftovers of earlier runs: ${this.cleanupLog.join('; ')}`);
    this.work = mkdtempSync(join(tmpdir(), `frrsoak-${process.pid}-work-`));
    this.undo.push(() => rmSync(this.work, { recursive: true, force: true }));
    try {
      await this.setUp();
      const budget = this.opts.minutes * 60_000;
      await this.runPhase('folder', budget * 0.6);
      await this.runPhase('k8s', budget * 0.4);
    } catch (err) {
      if (!(err instanceof Aborted)) throw err;
      this.log('interrupted: removing everything');
    }
  }

  /**
   * With `--logs`: a folder for FRR's daemons of `role` to log to (inside the installation, as the
   * daemons see it), copied to the log folder as `<role>-<daemon>.log` at the end.
   */
  private async frrLogDir(role: string): Promise<string | undefined> {
    const logDir = this.opts.logDir;
    if (logDir === undefined) return undefined;
    const installation = installationUnderTest();
    const inRoot = `/var/tmp/frrsoak-${process.pid}-frrlog-${role}`;
    const onHost = join(installation.root, inRoot);
    mkdirSync(onHost, { recursive: true });
    await chownToFrr(installation, inRoot);
    this.undo.push(() => {
      mkdirSync(logDir, { recursive: true });
      for (const f of existsSync(onHost) ? readdirSync(onHost) : []) copyFileSync(join(onHost, f), join(logDir, `${role}-${f}`));
      rmSync(onHost, { recursive: true, force: true });
    });
    return inRoot;
  }

  /**
   * With `--logs`: why a session went down, in the router's logs (enable-mode debugs). Never on the
   * speaker: its bfdd writes `debug bfd peer` into its running config even so (FRR 10.3), which
   * the sidecar then sees as a difference to remove and fails to (`- no debug bfd peer`).
   */
  private async routerDebugs(router: FrrInstance): Promise<void> {
    if (this.opts.logDir === undefined) return;
    for (const command of ['debug bfd peer', 'debug bgp neighbor-events', 'debug bgp bfd']) await router.show(command).catch(() => undefined);
  }

  private async setUp(): Promise<void> {
    const speakerLogs = await this.frrLogDir('speaker');
    const speaker = await FrrInstance.start('soakspk', speakerLogs === undefined ? {} : { logDir: speakerLogs });
    this.undo.push(() => speaker.destroy());
    this.speaker = speaker;
    const routerLogs = await this.frrLogDir('router');
    const router = await FrrInstance.start('soakrtr', routerLogs === undefined ? {} : { logDir: routerLogs });
    this.undo.push(() => router.destroy());
    this.router = router;
    await linkNamespaces({ namespace: speaker.namespace, addresses: [`${SPEAKER_ADDRESS}/24`] }, { namespace: router.namespace, addresses: [`${ROUTER_ADDRESS}/24`] });
    const side = routerSide(this.lastValid);
    const file = join(this.work, 'router.conf');
    writeFileSync(
      file,
      routerConfig({ asn: ROUTER_ASN, routerId: ROUTER_ADDRESS, neighbors: [{ address: SPEAKER_ADDRESS, remoteAs: SPEAKER_ASN, password: side.password, bfd: side.bfd }] }),
    );
    await router.load(file);
    this.routerAt = { ...side };
    await this.routerDebugs(router);
    this.log(`FRR ${speaker.installation.packageVersion}: speaker ${speaker.name}, router ${router.name}`);

    const disk = SmallDisk.mount(soakFolderParent(speaker.installation.root), 512);
    this.undo.push(() => disk.unmount());
    this.disk = disk;
    // As in a pod, FRR starts from the file the sidecar writes: a daemon watchfrr restarts, and FRR
    // started again, load it (frrcommon.sh runs `vtysh -b` for each daemon it starts). The
    // pathspace's frr.conf points to it, by its path inside the installation's root.
    const inRoot = `/${relative(speaker.installation.root, join(disk.dir, 'frr.conf'))}`;
    const startupConfig = join(speaker.confDir, 'frr.conf');
    rmSync(startupConfig, { force: true });
    symlinkSync(inRoot, startupConfig);
    const hangFlag = join(this.work, 'vtysh-hangs');
    const wrapper = join(this.work, 'vtysh-hang');
    writeFileSync(wrapper, hangingVtysh(speaker.installation.vtysh, hangFlag));
    chmodSync(wrapper, 0o755);
    const history: FrrHistory = { frrStartedAt: Date.now(), restartedAt: new Map() };
    this.env = { speaker, disk, configFile: 'frr.conf', hangFlag, server: undefined, history };
    this.undo.push(() => clearAll(this.env!));
    this.startSessionSampler();
  }

  async cleanup(): Promise<void> {
    this.sampling = false;
    await this.sidecar?.stop().catch(() => undefined);
    await Promise.allSettled(this.samplers);
    for (const f of this.undo.reverse()) {
      try {
        await f();
      } catch (err) {
        this.cleanupLog.push(`cleanup step failed: ${String((err as Error).message ?? err)}`);
      }
    }
    this.undo.length = 0;
  }

  /** The sidecar's command line: where FRR is, and the hanging vtysh in front of the real one. */
  private frrFlags(): string[] {
    const s = this.speaker!;
    return [
      '--frr-pathspace', s.name,
      '--vtysh', join(this.work, 'vtysh-hang'),
      '--frr-reload', s.installation.reloadScript,
      // As in a pod: the polls ask the daemons' sockets; the hanging vtysh still sits in front of every vtysh call.
      '--frr-vty-dir', s.frr.vtyDir!,
      '--frr-config', join(this.disk!.dir, 'frr.conf'),
    ];
  }

  // ------------------------------------------------------------------ samplers

  private startSessionSampler(): void {
    this.sampling = true;
    this.samplers.push(
      (async () => {
        while (this.sampling) {
          const s = await sessionSample(this.router!, SPEAKER_ADDRESS).catch(() => undefined);
          const prev = this.sessionSamples.at(-1);
          if (s !== undefined && prev !== undefined && (s.dropped > prev.dropped || s.established > prev.established)) {
            // A reset: the BFD side of it, while the diagnostics still say what went down.
            const bfd = await bfdPeerState(this.router!, SPEAKER_ADDRESS).catch((err: Error) => `BFD unknown (${err.message.split('\n')[0]})`);
            this.sessionSamples.push({ ...s, bfd });
          } else if (s !== undefined) this.sessionSamples.push(s);
          await sleep(500);
        }
      })(),
    );
  }

  /** Memory and descriptors every second, and /healthz every 2 s (it never depends on FRR). */
  private startSidecarSamplers(sidecar: Sidecar): { stop: () => Promise<void> } {
    let on = true;
    this.resourceSamples = [];
    const loops = [
      (async () => {
        while (on) {
          const s = sidecar.resources();
          if (s !== undefined) this.resourceSamples.push(s);
          await sleep(1000);
        }
      })(),
      (async () => {
        while (on) {
          const ok = await sidecar.get('/healthz', 5_000).then(
            (a) => a.status === 200,
            () => false,
          );
          this.checked.sidecarHealthy++;
          if (on && !ok && sidecar.exited === undefined) this.violate('sidecarHealthy', `${sidecar.label} sidecar: /healthz did not answer 200 within 5 s`);
          await sleep(2000);
        }
      })(),
    ];
    return {
      stop: async () => {
        on = false;
        await Promise.allSettled(loops);
      },
    };
  }

  // ------------------------------------------------------------------ phases

  private async runPhase(phase: Phase, budgetMs: number): Promise<void> {
    this.checkAbort();
    this.phase = phase;
    const endpoints = phase === 'k8s';
    // A phase starts from the last valid input: the switch of source must not change FRR's config.
    this.model = cloneModel(this.lastValid);
    this.breakage = undefined;
    let args: string[];
    if (phase === 'folder') {
      const dir = join(this.work, 'input');
      mkdirSync(dir);
      this.writer = folderWriter(dir);
      args = ['--source', `dir:${dir}`];
    } else {
      const server = await FakeApiServer.start({ bookmarkIntervalMs: 10_000 });
      this.undo.push(() => server.close());
      // The one status kind the fake does not know by itself (its CRD, manifests/crds/).
      server.register({ group: 'metallb.io', resource: 'configurationstates', kind: 'ConfigurationState', namespaced: true });
      this.server = server;
      this.env!.server = server;
      const kubeconfig = join(this.work, 'kubeconfig.json');
      writeFileSync(kubeconfig, server.kubeConfig().exportConfig());
      this.writer = apiServerWriter(server);
      args = ['--source', 'k8s', '--kubeconfig', kubeconfig];
    }
    this.writer.write(manifests(this.model, endpoints, ++this.seq), undefined);

    const restartFrom = Date.now();
    const sidecar = await Sidecar.start(phase, [...args, ...SIDECAR_FLAGS, ...this.frrFlags()]);
    this.sidecar = sidecar;
    const samplers = this.startSidecarSamplers(sidecar);
    this.log(`${phase} phase: sidecar pid ${sidecar.pid}, ${Math.round(budgetMs / 1000)} s of churn`);
    try {
      const first = await this.settle('start', restartFrom, undefined);
      this.log(`${phase} sidecar: the router holds the desired state ${first === undefined ? 'NEVER' : `after ${first} ms`}`);
      if (phase === 'k8s') {
        // The sidecar was replaced (another source, same config): it adopts what FRR runs.
        this.quietWindows.push({ from: restartFrom, to: Date.now(), what: 'the sidecar restart (folder -> Kubernetes source)' });
      }
      const phaseStart = Date.now();
      const hardEnd = phaseStart + budgetMs * 2 + 180_000;
      const holdsBefore = this.checked.lastGoodWhileInvalid;
      for (;;) {
        this.checkAbort();
        const now = Date.now();
        const uncovered = this.phaseFaults(phase).filter((f) => !this.covered.has(f.name));
        // The input is left invalid only at the end of an episode without a fault (never while one
        // runs), and by chance: a run with few such episodes could check the hold never (found: 2
        // of 18). Each phase checks it at least once; past half its budget, an episode makes sure.
        const held = this.checked.lastGoodWhileInvalid > holdsBefore;
        if (now - phaseStart >= budgetMs && uncovered.length === 0 && held) break;
        if (now > hardEnd) break;
        await this.episode(phase, endpoints, !held && now - phaseStart >= budgetMs / 2);
      }
      if (phase === 'k8s') await this.runControls(endpoints);
      await this.collectExposed(sidecar, endpoints);
    } finally {
      await samplers.stop();
      await sidecar.stop();
      this.sidecar = undefined;
      this.finishSidecar(sidecar);
    }
  }

  private phaseFaults(phase: Phase): Fault[] {
    return allFaults().filter((f) => (phase === 'folder' ? f.source === 'any' : f.source === 'k8s'));
  }

  /** The next episode's fault: one not yet run in this phase when it can run, else now and then any. */
  private pickFault(phase: Phase): Fault | undefined {
    const env = this.env!;
    const now = Date.now();
    const all = allFaults().filter((f) => f.source === 'any' || phase === 'k8s');
    const eligible = (f: Fault): boolean =>
      f.eligible(env, now) &&
      !(f.source === 'k8s' && now - this.lastK8sFaultAt < K8S_FAULT_SPACING_MS) &&
      // Restarting FRR restarts watchfrr, which makes a zebra kill wait its interval again.
      !(f.name === 'FRR stopped and started' && all.some((z) => z.name === 'zebra killed') && !this.covered.has('zebra killed'));
    const uncovered = this.phaseFaults(phase).filter((f) => !this.covered.has(f.name) && eligible(f));
    if (uncovered.length > 0 && this.random.chance(0.8)) return this.random.pick(uncovered);
    if (this.random.chance(0.4)) {
      const any = all.filter(eligible);
      return any.length > 0 ? this.random.pick(any) : undefined;
    }
    return undefined;
  }

  // ------------------------------------------------------------------ episodes

  /** One episode; `endInvalid`: without a fault, and ending on an invalid input (the hold checked). */
  private async episode(phase: Phase, endpoints: boolean, endInvalid = false): Promise<void> {
    // The router is sampled every 500 ms and a reset is put in the window either of its two samples
    // lies in: without a sample between the last window's end and this episode's first change, a
    // reset this episode causes at once (the router following a password or BFD change sends
    // Cease/Other Configuration Change) was blamed on the quiet window before it.
    await this.sessionSampleAfter(Date.now());
    this.changes.episodes++;
    const cls: ChangeClass = this.random.chance(0.65) ? 'advertisement' : 'session';
    const fault = endInvalid ? undefined : this.pickFault(phase);
    const startedAt = Date.now();
    const churnMs = this.random.int(2500, 5000);
    // A Kubernetes outage spans the end of the churn and lasts 1.5-2 s: the watches' backoff grows
    // with its length (0.5 s doubling, reset only when a watch delivers), so a longer outage is
    // recovered from at the backoff's pace, beyond the 5 s bound by design (README, "Soak").
    const faultAt = startedAt + (fault?.source === 'k8s' ? churnMs - this.random.int(200, 700) : this.random.int(300, 1200));
    const keyBefore = sessionKey(this.lastValid);
    let sessionTouched = false;
    let injected: { at: number; done: Promise<void> } | undefined;
    let lastChangeAt = startedAt;
    const descriptions: string[] = [];

    while (Date.now() - startedAt < churnMs) {
      this.checkAbort();
      if (fault && injected === undefined && Date.now() >= faultAt) {
        this.faultActive = true;
        injected = { at: Date.now(), done: fault.inject(this.env!) };
      }
      descriptions.push(await this.change(cls, endpoints));
      if (sessionKey(this.lastValid) !== keyBefore) sessionTouched = true;
      lastChangeAt = Date.now();
      await sleep(this.random.int(50, 500));
    }
    // Now and then the episode ends on an invalid input: the last good config must then stay.
    if (this.breakage === undefined && (endInvalid || this.random.chance(0.3))) {
      descriptions.push(await this.change(cls, endpoints, 'break'));
      lastChangeAt = Date.now();
    }
    if (fault && injected === undefined) {
      this.faultActive = true;
      injected = { at: Date.now(), done: fault.inject(this.env!) };
    }

    let clearedAt: number | undefined;
    if (fault && injected) {
      await injected.done;
      // A fault lasts at least a second after the last change, so changes also arrive during it.
      const minEnd = Math.max(injected.at + 1500, lastChangeAt + 1000);
      if (Date.now() < minEnd) await sleep(minEnd - Date.now());
      await fault.clear(this.env!);
      this.faultActive = false;
      clearedAt = Date.now();
      this.covered.add(fault.name);
      if (fault.source === 'k8s') this.lastK8sFaultAt = clearedAt;
      this.faultRecords.push({ phase, name: fault.name, injectedAt: injected.at, durationMs: clearedAt - injected.at });
    }
    const from = Math.max(clearedAt ?? 0, lastChangeAt);
    const ms = await this.settle(fault?.name ?? 'changes', from, fault);
    if (fault?.disruptive || sessionTouched) await this.sessionSettled();
    const invalid = this.breakage !== undefined;
    if (invalid) await this.invalidHold(endpoints);
    const quiet = cls === 'advertisement' && !fault?.disruptive && !sessionTouched;
    if (quiet) this.quietWindows.push({ from: startedAt, to: Date.now(), what: `episode ${this.changes.episodes} (${phase}, advertisement changes${fault ? `, ${fault.name}` : ''})` });
    this.log(
      `episode ${this.changes.episodes} ${phase} ${cls}${sessionTouched ? ' (session changed)' : ''}: ${descriptions.length} changes` +
        `${fault ? `, ${fault.name} for ${((clearedAt! - injected!.at) / 1000).toFixed(1)} s` : ''}, ` +
        `converged ${ms === undefined ? 'NEVER' : `in ${ms} ms`}${invalid ? `, input left invalid (${this.breakage?.kind})` : ''}`,
    );
  }

  /**
   * One change of the input: valid (on the model), a breakage laid over it, or the breakage removed.
   *
   * The input only turns invalid once the sidecar has rendered the valid input it replaces, and
   * never while a fault runs (the source may be blind, the sidecar busy): otherwise that valid
   * input may never have reached the sidecar (a coalesced burst, a watch down), and "the last valid
   * input" the soak expects in force would be one the sidecar could not know.
   */
  private async change(cls: ChangeClass, endpoints: boolean, force?: 'break'): Promise<string> {
    let what: string;
    const roll = this.random.next();
    if ((force === 'break' || (this.breakage === undefined && roll < 0.15)) && !this.faultActive && (await this.sidecarRenderedValid())) {
      this.breakage = randomBreakage(this.random, this.phase === 'folder');
      for (const s of this.breakage.secrets) this.passwords.add(s);
      this.changes.invalid++;
      what = `INVALID ${this.breakage.kind}`;
    } else if (this.breakage !== undefined && roll < 0.35) {
      what = `fixed ${this.breakage.kind}`;
      this.breakage = undefined;
      this.changes.fixes++;
    } else {
      what = validChange(this.model, cls, this.random, endpoints);
      this.passwords.add(this.model.peer.password);
      this.changes.valid++;
    }
    this.writer!.write(manifests(this.model, endpoints, ++this.seq), this.breakage);
    if (this.breakage === undefined) {
      this.lastValid = cloneModel(this.model);
      await this.routerFollows();
    }
    return what;
  }

  /** Waits (up to 3 s) until the sidecar rendered the input as it is now and found it valid. */
  private async sidecarRenderedValid(): Promise<boolean> {
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      const intent = await this.sidecar?.intent().catch(() => undefined);
      if (intent !== undefined && rendered(intent, this.seq) && intent.status.conversion?.valid === true) return true;
      await sleep(100);
    }
    return false;
  }

  /** The router's side of the session follows the speaker's effective config (password, BFD), as an operator would. */
  private async routerFollows(): Promise<void> {
    const want = routerSide(this.lastValid);
    const lines: string[] = [];
    if (want.password !== this.routerAt.password) lines.push(`neighbor ${SPEAKER_ADDRESS} password ${want.password}`);
    if (want.bfd !== this.routerAt.bfd) lines.push(`${want.bfd ? '' : 'no '}neighbor ${SPEAKER_ADDRESS} bfd`);
    if (lines.length === 0) return;
    await this.router!.configure([`router bgp ${ROUTER_ASN}`, ...lines]);
    this.routerAt = { ...want };
  }

  // ------------------------------------------------------------------ settling and checks

  /**
   * Waits until the system is where the last valid input puts it, and times it from `from` (the
   * fault clearing, or the last change when later):
   * - the sidecar rendered the input as it is now (its marker) and judged it as the soak does;
   * - the router holds the expected routes (`convergenceMs`);
   * - FRR runs the config `frr-renderer render` makes of the last valid input (`frr-reload.py
   *   --test` of it lists nothing: checked independently of what the sidecar reports), and the
   *   sidecar's apply of it ended `sidecarMs` after `from` (0 when it was in force before).
   * Violations: the sidecar's part over 5 s, the router's over 5 s plus FRR's own 5 s, or never
   * within 30 s.
   */
  private async settle(after: string, from: number, fault: Fault | undefined): Promise<number | undefined> {
    const endpoints = this.phase === 'k8s';
    const expected = expectedRoutes(this.lastValid, endpoints);
    const wantValid = this.breakage === undefined;
    const oracle = join(this.work, 'oracle.conf');
    writeFileSync(oracle, await this.oracleRender(this.lastValid, endpoints));
    const deadline = from + SETTLE_TIMEOUT_MS;
    let why: string[] = [];
    let converged: number | undefined;
    for (;;) {
      this.checkAbort();
      why = await this.differences(expected, wantValid);
      if (why.length === 0) {
        converged = Date.now() - from;
        break;
      }
      if (Date.now() > deadline) break;
      await sleep(150);
    }
    let sidecarMs: number | undefined;
    if (converged !== undefined) {
      for (;;) {
        const delta = await this.speaker!.testReload(oracle).catch((err: Error) => err);
        const intent = await this.sidecar!.intent().catch(() => undefined);
        if (!(delta instanceof Error) && delta.toAdd.length + delta.toDelete.length === 0) {
          const apply = intent?.status.apply;
          // The sidecar's own account must agree: a failed apply still pending (its retry) or no
          // apply yet (a sidecar just started, still adopting) is waited for, and counts.
          if (apply !== undefined && apply.result !== 'failure') {
            sidecarMs = Math.max(0, apply.at - from);
            why = [];
            break;
          }
          why = [`FRR runs the last valid config, but the sidecar reports its last apply ${apply?.result ?? 'missing'}`];
        } else why = [
          delta instanceof Error
            ? `frr-reload.py --test failed: ${delta.message.split('\n')[0]}`
            : `FRR does not run the config of the last valid input: ${[...delta.toDelete.map((l) => `-${l.trim()}`), ...delta.toAdd.map((l) => `+${l.trim()}`)].slice(0, 6).join(' ')}`,
        ];
        if (Date.now() > deadline) break;
        await sleep(300);
      }
    }
    this.checked.converges++;
    this.settles.push({ phase: this.phase, after, convergenceMs: converged, sidecarMs });
    const cause = fault ? `after ${fault.name} cleared` : after === 'start' ? 'after the sidecar started' : 'after the last change';
    const observed = { phase: this.phase, cause, bounded: after !== 'start', convergedMs: converged, sidecarMs, unmet: why, timeoutMs: SETTLE_TIMEOUT_MS };
    const violations = settleViolations(observed);
    for (const v of violations) this.violate(v.invariant, v.message);
    if (violations.some((v) => v.invariant === 'converges')) await this.dumpState(`${this.phase}-settle-${this.settles.length}`);
    return converged;
  }

  /**
   * With `--logs`: what the speaker runs and announces and what the router holds, when a settle
   * failed, for whoever looks into it (passwords redacted, as `show` does by default).
   */
  private async dumpState(name: string): Promise<void> {
    if (this.opts.logDir === undefined) return;
    const parts: string[] = [];
    const commands: [FrrInstance, string][] = [
      [this.speaker!, 'show running-config'],
      [this.speaker!, 'show bgp ipv4 unicast'],
      [this.speaker!, `show bgp ipv4 unicast neighbors ${ROUTER_ADDRESS} advertised-routes`],
      [this.speaker!, 'show bgp update-groups'],
      [this.router!, 'show bgp ipv4 unicast'],
    ];
    for (const [frr, command] of commands) {
      const out = await frr.show(command).catch((err: Error) => `(failed: ${err.message.split('\n')[0]})`);
      parts.push(`== ${frr === this.speaker ? 'speaker' : 'router'}: ${command}\n${out}`);
    }
    mkdirSync(this.opts.logDir, { recursive: true });
    writeFileSync(join(this.opts.logDir, `${name}.txt`), `${parts.join('\n')}\n`);
    this.log(`state written to ${join(this.opts.logDir, `${name}.txt`)}`);
  }

  /** Why the system is not yet where it must be; empty when it is. */
  private async differences(expected: readonly ExpectedPrefix[], wantValid: boolean): Promise<string[]> {
    const why: string[] = [];
    const held = await heldRoutes(this.router!).catch((err: Error) => err);
    if (held instanceof Error) why.push(`the router did not answer: ${held.message.split('\n')[0]}`);
    else why.push(...routeDifferences(held, expected).map((d) => `router ${d}`));
    const intent = await this.sidecar!.intent().catch(() => undefined);
    const conversion = intent?.status.conversion;
    if (intent === undefined) why.push('the sidecar did not answer /intent');
    else if (!rendered(intent, this.seq)) why.push(`the sidecar has not rendered the last input (${markerName(this.seq)}) yet`);
    else if (conversion?.valid !== wantValid) {
      why.push(`${VERDICT_MISMATCH} the input is ${conversion?.valid ? 'valid' : `invalid (${conversion?.errors[0] ?? '?'})`}, the soak wrote ${wantValid ? 'a valid' : 'an invalid'} one`);
    }
    if (this.sidecar!.exited !== undefined) why.push(`the sidecar exited (${this.sidecar!.exited})`);
    return why;
  }

  /** Waits until `sampledSince(t)` (at most 5 s: a sampler whose calls fail keeps no sample). */
  private async sessionSampleAfter(t: number): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!sampledSince(this.sessionSamples, t) && Date.now() < deadline) {
      this.checkAbort();
      await sleep(50);
    }
  }

  /**
   * After FRR reset the session (or might have): waits until it is Established and its counters
   * have not moved for 3 s of samples taken since this call, so that a late reset never lands in
   * the next episode's window.
   */
  private async sessionSettled(): Promise<void> {
    const start = Date.now();
    const deadline = start + 60_000;
    while (Date.now() < deadline) {
      this.checkAbort();
      const now = Date.now();
      const recent = this.sessionSamples.filter((s) => s.at >= start && s.at > now - 3_000);
      const first = recent[0];
      if (now - start >= 3_000 && recent.length >= 4 && first && recent.every((s) => s.state === 'Established' && s.established === first.established && s.dropped === first.dropped)) return;
      await sleep(250);
    }
    this.log('the session did not stay up for 3 s within 60 s');
  }

  /**
   * The input is invalid: FRR must keep running the config of the last valid input. Checked four
   * ways: the sidecar's frr.conf is byte for byte what `frr-renderer render` makes of the last
   * valid input, FRR runs it (`frr-reload.py --test` empty), nothing changes for 2 s (FRR's
   * running config, frr.conf, the router's routes), and the sidecar reports the input invalid.
   */
  private async invalidHold(endpoints: boolean, sneak?: () => Promise<void>): Promise<string[]> {
    const configPath = join(this.disk!.dir, 'frr.conf');
    const expectedConfig = await this.oracleRender(this.lastValid, endpoints);
    const config = readFileSync(configPath, 'utf8');
    const delta = await this.speaker!.testReload(configPath).catch((err: Error) => err);
    const reloadDelta = delta instanceof Error ? { error: delta.message.split('\n')[0] ?? '' } : delta;
    const expected = expectedRoutes(this.lastValid, endpoints);
    const look = async (): Promise<HoldSample> => {
      const held = await heldRoutes(this.router!).catch(() => undefined);
      return {
        running: createHash('sha256').update(await this.speaker!.show('show running-config')).digest('hex'),
        config: readFileSync(configPath, 'utf8'),
        routeDifferences: held === undefined ? undefined : routeDifferences(held, expected),
      };
    };
    const samples = [await look()];
    if (sneak) await sneak();
    const until = Date.now() + 2_000;
    while (Date.now() < until) {
      await sleep(250);
      samples.push(await look());
    }
    const status = await this.sidecar!.status().catch(() => undefined);
    const metrics = await this.sidecar!.get('/metrics').catch(() => undefined);
    const problems = holdProblems({ config, expectedConfig, reloadDelta, samples, reportedValid: status?.conversion?.valid, metrics: metrics?.body });
    if (sneak === undefined) {
      this.checked.lastGoodWhileInvalid++;
      for (const p of problems) this.violate('lastGoodWhileInvalid', `${this.phase}, input invalid (${this.breakage?.kind}): ${p}`);
    }
    return problems;
  }

  /** What the renderer makes of `model` for this node and FRR release: the config the sidecar must run. */
  private async oracleRender(model: ClusterModel, endpoints: boolean): Promise<string> {
    const dir = mkdtempSync(join(this.work, 'oracle-'));
    try {
      writeFolderSnapshot(dir, manifests(model, endpoints));
      const release = this.speaker!.installation.release;
      const r = await execa(process.execPath, [join(repoRoot(), 'bin', 'frr-renderer.js'), 'render', '--dir', dir, '--node', NODE, '--namespace', NS, '--hostname', hostname(), '--frr-version', `${release.major}.${release.minor}`], { reject: false });
      if (r.exitCode !== 0) throw new Error(`frr-renderer render of the last valid input failed: ${r.stderr.split('\n')[0]}`);
      return r.stdout.endsWith('\n') ? r.stdout : `${r.stdout}\n`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Texts the sidecar exposed: its endpoints now, its status objects, later its whole log. */
  private async collectExposed(sidecar: Sidecar, endpoints: boolean): Promise<void> {
    for (const path of ['/status', '/metrics', '/intent', '/readyz', '/explain?service=shop/svc-1']) {
      const answer = await sidecar.get(path, 10_000).catch(() => undefined);
      if (answer !== undefined) this.exposed.push({ where: `${sidecar.label} sidecar ${path}`, text: answer.body });
    }
    if (endpoints && this.server) {
      for (const r of this.server.requests) {
        if (r.method !== 'GET' && r.body !== undefined) this.exposed.push({ where: `the sidecar's ${r.method} ${r.path}`, text: JSON.stringify(r.body) });
      }
      for (const kind of ['frrnodestates.frrk8s.metallb.io', 'bgpsessionstates.frrk8s.metallb.io', 'servicebgpstatuses.metallb.io', 'configurationstates.metallb.io']) {
        for (const o of this.server.objects(kind)) this.exposed.push({ where: `status object ${kind}`, text: JSON.stringify(o) });
      }
    }
  }

  /** The sidecar ended: its log is scanned, its memory and descriptors judged. */
  private finishSidecar(sidecar: Sidecar): void {
    if (this.opts.logDir !== undefined) {
      mkdirSync(this.opts.logDir, { recursive: true });
      writeFileSync(join(this.opts.logDir, `${sidecar.label}-sidecar.log`), `${sidecar.lines.join('\n')}\n`);
    }
    this.exposed.push(...sidecar.lines.map((line, i) => ({ where: `${sidecar.label} sidecar log line ${i + 1}`, text: line })));
    this.checked.sidecarHealthy += sidecar.lines.length;
    for (const v of logViolations(sidecar.label, sidecar.lines)) this.violate(v.invariant, v.message);
    const verdict = checkResources(`${sidecar.label} sidecar`, this.resourceSamples, sidecar.heap);
    this.checked.resourcesFlat++;
    for (const v of verdict.violations) this.violate(v.invariant, v.message);
    this.resourceVerdicts.push({ label: `${sidecar.label} sidecar (pid ${sidecar.pid})`, verdict });
  }

  // ------------------------------------------------------------------ controls

  /** Every invariant's check is shown to catch a violation made on purpose (the report lists them). */
  private async runControls(endpoints: boolean): Promise<void> {
    this.log('controls: each check must catch a violation made on purpose');
    // converges: an expectation the router can never meet.
    {
      const wrong = [...expectedRoutes(this.lastValid, endpoints), { prefix: '198.51.100.250/32', communities: [], largeCommunities: [] }];
      const from = Date.now();
      let met = false;
      while (Date.now() - from < CONVERGE_WITHIN_MS + 500) {
        const held = await heldRoutes(this.router!).catch(() => undefined);
        if (held && routeDifferences(held, wrong).length === 0) met = true;
        await sleep(150);
      }
      const held = await heldRoutes(this.router!).catch(() => []);
      this.controls.push({ invariant: 'converges', what: 'an expected prefix nobody announces (198.51.100.250/32)', caught: !met, detail: routeDifferences(held, wrong).join('; ') });
    }
    // noSessionReset: the router resets the session inside a window of advertisement changes.
    {
      const from = Date.now();
      await this.router!.show(`clear bgp ${SPEAKER_ADDRESS}`);
      await sleep(2_000);
      await this.sessionSettled();
      const window: QuietWindow = { from, to: Date.now(), what: 'the control window (clear bgp on the router)' };
      const found = checkSessionResets(this.sessionSamples, [window]);
      this.controls.push({ invariant: 'noSessionReset', what: '`clear bgp` on the router during advertisement changes', caught: found.length > 0, detail: found[0]?.message ?? 'no reset seen' });
    }
    // lastGoodWhileInvalid: a valid change slipped in while the hold believes the input invalid.
    {
      await this.change('advertisement', endpoints, 'break');
      await this.settle('control', Date.now(), undefined);
      const problems = await this.invalidHold(endpoints, async () => {
        this.breakage = undefined;
        for (const [name, svc] of this.model.services) if (svc.ip === '198.51.100.126') this.model.services.delete(name);
        this.model.services.set('svc-control', { ip: '198.51.100.126', ready: true });
        this.writer!.write(manifests(this.model, endpoints, ++this.seq), undefined);
      });
      this.lastValid = cloneModel(this.model);
      await this.settle('control', Date.now(), undefined);
      this.controls.push({ invariant: 'lastGoodWhileInvalid', what: 'a valid change written while the input counts as invalid', caught: problems.length > 0, detail: problems.join('; ') || 'nothing seen' });
    }
    // noPasswordLeak: FRR's running config with passwords, which must be found.
    {
      const text = await this.speaker!.show('show running-config', { keepPasswords: true });
      const found = findPasswords([{ where: "the speaker's running config (control)", text }], this.passwords);
      this.controls.push({ invariant: 'noPasswordLeak', what: "FRR's running config with passwords", caught: found.length > 0, detail: found[0]?.message ?? 'no password found' });
    }
    // sidecarHealthy: a verdict the sidecar must contradict (the soak claims the valid input invalid).
    {
      const why = await this.differences(expectedRoutes(this.lastValid, endpoints), false);
      const caught = why.some((w) => w.startsWith(VERDICT_MISMATCH));
      this.controls.push({ invariant: 'sidecarHealthy', what: 'the soak claiming the valid input invalid', caught, detail: why.join('; ') });
    }
    // resourcesFlat: a process that leaks memory and descriptors, sampled like the sidecar.
    this.controls.push(await leakControl());
  }

  result(): SoakResult {
    const violations = [...this.violations];
    violations.push(...checkSessionResets(this.sessionSamples, this.quietWindows));
    this.checked.noSessionReset = this.quietWindows.length;
    const leaks = findPasswords(this.exposed, this.passwords);
    violations.push(...leaks);
    this.checked.noPasswordLeak = this.exposed.length;
    const covered = new Set(this.faultRecords.map((f) => f.name));
    return {
      frr: this.speaker?.installation.packageVersion ?? 'unknown',
      seed: this.opts.seed,
      minutes: this.opts.minutes,
      durationMs: Date.now() - this.started,
      aborted: this.aborted,
      faults: this.faultRecords,
      changes: { ...this.changes },
      settles: this.settles,
      resources: this.resourceVerdicts,
      violations,
      checked: { ...this.checked },
      controls: this.controls,
      missedFaults: allFaults().map((f) => f.name).filter((n) => !covered.has(n)),
      cleanup: this.cleanupLog,
    };
  }
}

/** The sidecar's last render was of input number `seq` (its marker service is listed). */
function rendered(intent: SidecarIntent, seq: number): boolean {
  const name = `shop/${markerName(seq)}`;
  return intent.latest?.services.some((s) => s.service === name) ?? false;
}

/**
 * A child that leaks heap (arrays it keeps), memory outside the heap (Buffers) and 4 descriptors
 * every 50 ms for 8 s, run and sampled like the sidecar: the resource check must catch it.
 */
export async function leakControl(): Promise<ControlResult> {
  // gc() every 250 ms: full collections to read the heap kept from, as the sidecar has over minutes.
  const script = `const fs=require('fs');const keep=[];const t=setInterval(()=>{keep.push(new Array(32768).fill(keep.length),Buffer.alloc(1<<20,1));for(let i=0;i<4;i++)keep.push(fs.openSync('/dev/null','r'))},50);const g=setInterval(()=>gc(),250);setTimeout(()=>{clearInterval(t);clearInterval(g);process.exit(0)},8000);`;
  const child = execa(process.execPath, ['--trace-gc', '--expose-gc', '-e', script], { reject: false, buffer: false, stdout: 'pipe' });
  const heap: HeapSample[] = [];
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const mib = parseFullGc(line);
      if (mib !== undefined) heap.push({ at: Date.now(), heapMiB: mib });
    }
  });
  const samples: ResourceSample[] = [];
  while (child.exitCode === null && child.pid !== undefined) {
    const s = sampleProcess(child.pid);
    if (s !== undefined) samples.push(s);
    await sleep(200);
  }
  await child;
  const verdict = checkResources('leaking control process', samples, heap, { heapMiB: 8, rssKiB: 64 * 1024, fds: 8, warmupMs: 0 });
  return {
    invariant: 'resourcesFlat',
    what: 'a process leaking heap, Buffers and 4 descriptors every 50 ms',
    // Each of the three measures must have seen it: the heap kept, RSS, and descriptors.
    caught: ['heap kept after full collections grew', 'memory grew', 'open file descriptors grew'].every((m) => verdict.violations.some((v) => v.message.includes(m))),
    detail: verdict.violations.map((v) => v.message).join('; ') || 'no growth seen',
  };
}
