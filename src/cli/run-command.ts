/**
 * `run`: the sidecar. Watches the source, renders this node's config, applies it to FRR, serves
 * health, readiness and metrics, and on SIGTERM stops watching while FRR keeps running as it is.
 *
 * All of the sidecar's wiring is here, and every timing comes from `sidecar-tunables.ts`. Modules
 * are imported statically, except those that load @kubernetes/client-node or chokidar, which only
 * one kind of source (or the status objects) needs: they are imported when that is chosen.
 */
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { frrContextAt, type FrrContext, type FrrLocation } from '../frr/context.js';
import { configFingerprint } from '../frr/vty-socket.js';
import { createAutoTarget } from '../frr/auto-target.js';
import { createExtrasChecker } from '../frr/check-extras.js';
import { createFileTarget } from '../frr/file-target.js';
import { gatherFrrState } from '../frr/frr-state.js';
import { createFrrTarget, type ConfigTarget } from '../frr/frr-target.js';
import { spawnRunner } from '../frr/run.js';
import type { SpeakerLogLevel } from '../intent/frr-log-level.js';
import { formatRelease, type FrrRelease } from '../intent/frr-release.js';
import { realConfigFiles } from '../frr/write-file.js';
import { realClock } from '../ops/clock.js';
import { startHttpServer } from '../ops/http-server.js';
import { createJsonLogger, type Logger, type LogLevel } from '../ops/logger.js';
import { createMetrics } from '../ops/metrics.js';
import { loadRenderer } from '../pipeline.js';
import { Reconciler } from '../reconciler/reconciler.js';
import { isReady } from '../reconciler/status.js';
import type { Source } from '../sources/source.js';
import { explainService } from '../status/explain.js';
import { intentOfService, prefixesOf, vrfsOf } from '../status/intent-of-service.js';
import { intentForStatus } from '../status/intent-for-status.js';
import { StatusPublisher } from '../status/publisher.js';
import type { IntentSnapshot } from '../status/intent-view.js';
import { intentSnapshots } from '../status/intent-snapshots.js';
import { StatusWriter } from '../status/writer.js';
import { InvalidConfigError, NotAppliedError, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { applyHeapMode, DEFAULT_HEAP_MODE, type HeapMode } from '../ops/heap-mode.js';
import type { SidecarTunables } from './sidecar-tunables.js';
import type { SpeakerArgs } from './speaker-args.js';

export type ApplyMode = 'always' | 'auto' | 'never';

export interface RunArgs {
  /** `k8s` or `dir:PATH`. */
  readonly source: string;
  readonly node: string;
  readonly namespace: string;
  readonly frrConfig: string | undefined;
  /** Which FRR: its pathspace (`vtysh -N`) and programs. */
  readonly frr: FrrLocation;
  readonly apply: ApplyMode;
  readonly hostname: string | undefined;
  /** `HOST:PORT`; port 0 picks a free one. */
  readonly listen: string;
  /** Every timing, from the one table (`sidecar-tunables.ts`). */
  readonly tunables: SidecarTunables;
  /** MetalLB speaker's flags: `--log-level` (ours and FRR's), `--lb-class`, `--bgp-extras`, ... */
  readonly speaker: SpeakerArgs;
  readonly kubeconfig: string | undefined;
  /** Reconcile once, then exit: 0 when FRR runs the config, 1 otherwise. */
  readonly once: boolean;
  /** Also print each new config on stdout (the `npm start` demo). */
  readonly print: boolean;
  /** Status objects in the cluster: `auto` = on with `--source k8s`, off otherwise. */
  readonly status?: 'auto' | 'on' | 'off';
  /** Rendered for until FRR reports its release (and with `--apply never`). */
  readonly frrRelease: FrrRelease;
  /** V8's heap heuristics (`ops/heap-mode.ts`); default `balanced`. */
  readonly heap?: HeapMode;
}

/** The frr.conf FRR reads: `/etc/frr/frr.conf`, or `/etc/frr/<pathspace>/frr.conf` (where `vtysh -N` writes it). */
export function defaultConfigPath(pathspace: string | undefined): string {
  return pathspace === undefined ? '/etc/frr/frr.conf' : join('/etc/frr', pathspace, 'frr.conf');
}

export async function runCommand(args: RunArgs, io: CliIo): Promise<void> {
  // First, before the sidecar allocates its cluster: V8 sizes the heap from here on.
  if (io.setV8Flags) applyHeapMode(args.heap ?? DEFAULT_HEAP_MODE, io.setV8Flags);
  const { speaker, tunables } = args;
  const logger = createJsonLogger({ level: sidecarLogLevel(speaker.logLevel), write: io.stderr });
  const metrics = createMetrics();
  const frr: FrrContext = frrContextAt(spawnRunner, args.frr);
  const configPath = args.frrConfig ?? defaultConfigPath(args.frr.pathspace);
  const target = printing(buildTarget(args.apply, frr, configPath), args.print ? io.stdout : undefined);
  const kubeConfig = args.source === 'k8s' || args.status === 'on' ? await loadKubeConfig(args.kubeconfig) : undefined;
  const source = await buildSource(args, kubeConfig);

  const reconciler = new Reconciler(
    {
      node: args.node,
      metallbNamespace: args.namespace,
      hostname: args.hostname ?? osHostname(),
      debounceMs: tunables.debounceMs,
      maxDebounceMs: Math.max(tunables.debounceMs, tunables.maxDebounceMs),
      retry: { initialMs: tunables.retryInitialMs, maxMs: tunables.retryMaxMs },
      driftCheckMs: args.once ? 0 : tunables.driftCheckMs,
      frrRelease: args.frrRelease,
      speaker: {
        ...(speaker.loadBalancerClass === undefined ? {} : { loadBalancerClass: speaker.loadBalancerClass }),
        ignoreExcludeLb: speaker.ignoreExcludeLb,
        logLevel: speaker.logLevel,
        ...(speaker.frrLogLevel === undefined ? {} : { frrLogLevel: speaker.frrLogLevel }),
      },
      bgpExtras: speaker.bgpExtras,
    },
    {
      source,
      renderer: await loadRenderer(),
      target,
      clock: realClock,
      random: Math.random,
      logger,
      metrics,
      ...(speaker.bgpExtras ? { checkExtras: createExtrasChecker(frr) } : {}),
    },
  );
  const snapshot = intentSnapshots(reconciler, args.node, args.namespace);
  const statusOn = args.status === 'on' || ((args.status ?? 'auto') === 'auto' && args.source === 'k8s');
  const publisher = statusOn && !args.once && kubeConfig ? await buildPublisher(args, io, { frr, kubeConfig, snapshot, logger }) : undefined;
  // The reconciler's event is the publisher's cue to look again soon.
  if (publisher) reconciler.onReconciled(() => publisher.trigger());

  const [host, port] = splitListen(args.listen);
  const http = args.once
    ? undefined
    : await startHttpServer(host, port, {
        status: () => reconciler.status(),
        ready: () => isReady(reconciler.status()),
        registry: metrics.registry,
        // Narrowed for the commands (`explain`, `status`): the whole intent is MBs at 10,000 services.
        intent: (narrow) => (narrow === 'whole' ? snapshot() : 'service' in narrow ? intentOfService(snapshot(), narrow.service) : intentForStatus(snapshot())),
        // As `explain` does: FRR is asked about this service's prefixes only.
        explain: async (service) => {
          const snap = snapshot();
          const state = await gatherFrrState(frr, { advertised: true, advertisedPrefixes: prefixesOf(snap, service), advertisedPrefixVrfs: vrfsOf(snap), version: false });
          return explainService(snap, state, service);
        },
      });
  logger.info('frr-renderer started', {
    source: args.source,
    node: args.node,
    namespace: args.namespace,
    frrConfig: configPath,
    frrPathspace: args.frr.pathspace ?? null,
    apply: args.apply,
    frrVersionUntilFrrAnswers: formatRelease(args.frrRelease),
    lbClass: speaker.loadBalancerClass ?? null,
    ignoreExcludeLb: speaker.ignoreExcludeLb,
    logLevel: speaker.logLevel,
    frrLogLevel: speaker.frrLogLevel ?? null,
    bgpExtras: speaker.bgpExtras,
    tunables,
    ...(http ? { listen: `${host}:${http.port}` } : {}),
  });
  await reconciler.start();
  publisher?.start();

  if (args.once) {
    await waitUntilSettled(reconciler);
    await reconciler.stop();
    const s = reconciler.status();
    if (s.apply?.result === 'success' || s.apply?.result === 'adopted') return;
    if (s.conversion && !s.conversion.valid) throw new InvalidConfigError('configuration is invalid');
    throw new NotAppliedError(`not applied: ${s.apply?.description ?? 'source never synced'}`);
  }

  const signal = await (io.waitForShutdown ?? (() => new Promise<string>(() => undefined)))();
  logger.info('shutting down; FRR keeps running its current config', { signal });
  await reconciler.stop();
  await publisher?.stop();
  await http?.close();
}

/** The status objects' publisher (`--status`): its writer talks to the cluster through client-node. */
async function buildPublisher(
  args: RunArgs,
  io: CliIo,
  deps: { readonly frr: FrrContext; readonly kubeConfig: KubeConfig; readonly snapshot: () => IntentSnapshot; readonly logger: Logger },
): Promise<StatusPublisher> {
  const { createK8sStatusApi } = await import('../status/k8s-status-api.js');
  const env = io.env ?? {};
  const owner = env['POD_NAME'] && env['POD_UID'] ? [{ apiVersion: 'v1', kind: 'Pod', name: env['POD_NAME'], uid: env['POD_UID'] }] : [];
  return new StatusPublisher(
    { node: args.node, namespace: args.namespace, intervalMs: args.tunables.statusIntervalMs, runningConfigMs: args.tunables.runningConfigIntervalMs },
    {
      frr: deps.frr,
      writer: new StatusWriter(createK8sStatusApi(deps.kubeConfig), { resyncMs: args.tunables.statusResyncMs, now: () => Date.now(), ownerReferences: owner }),
      snapshot: deps.snapshot,
      clock: realClock,
      logger: deps.logger,
      configFingerprint: () => configFingerprint(deps.frr),
    },
  );
}

function buildTarget(mode: ApplyMode, frr: FrrContext, configPath: string): ConfigTarget {
  const live = createFrrTarget({ frr, configPath, files: realConfigFiles });
  if (mode === 'always') return live;
  if (mode === 'never') return createFileTarget(configPath, realConfigFiles, '--apply never');
  const where = frr.pathspace ? `FRR pathspace ${frr.pathspace}` : 'FRR';
  return createAutoTarget(frr, live, createFileTarget(configPath, realConfigFiles, `no ${where} answered vtysh`));
}

/** `--print`: show each config that reaches the target (what `npm start` demonstrates). */
function printing(target: ConfigTarget, print: ((t: string) => void) | undefined): ConfigTarget {
  if (!print) return target;
  return {
    ...target,
    apply: async (config, lastGood) => {
      const outcome = await target.apply(config, lastGood);
      print(config);
      return outcome;
    },
  };
}

async function loadKubeConfig(file: string | undefined): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  try {
    if (file) kubeConfig.loadFromFile(file);
    else kubeConfig.loadFromDefault();
  } catch (err) {
    // An unreadable or malformed kubeconfig is a startup error to fix, not an internal error.
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EACCES' ? 'permission denied' : e.code === 'ENOENT' ? 'no such file' : String(e.message ?? err).split('\n')[0];
    throw new UsageError(`cannot load the kubeconfig ${file ? JSON.stringify(file) : '(KUBECONFIG or ~/.kube/config)'}: ${why}`);
  }
  return kubeConfig;
}

async function buildSource(args: RunArgs, kubeConfig: KubeConfig | undefined): Promise<Source> {
  if (args.source.startsWith('dir:')) {
    const dir = args.source.slice('dir:'.length);
    if (!dir) throw new UsageError('--source dir:PATH needs a path');
    const { createFolderSource } = await import('../sources/folder.js');
    return createFolderSource(dir);
  }
  if (args.source === 'k8s') {
    const { createKubernetesSource, nodeResources } = await import('../sources/k8s/index.js');
    return createKubernetesSource({
      kubeConfig: kubeConfig ?? (await loadKubeConfig(args.kubeconfig)),
      node: args.node,
      metallbNamespace: args.namespace,
      resources: nodeResources(args.namespace, args.node, { bgpExtras: args.speaker.bgpExtras }),
    });
  }
  throw new UsageError(`--source must be "k8s" or "dir:PATH", not ${JSON.stringify(args.source)}`);
}

/** The sidecar's own log level for MetalLB's names: `all` is `debug`; `none` keeps errors (an error is never hidden). */
function sidecarLogLevel(level: SpeakerLogLevel): LogLevel {
  return level === 'all' ? 'debug' : level === 'none' ? 'error' : level;
}

function splitListen(listen: string): [string, number] {
  const i = listen.lastIndexOf(':');
  const host = i <= 0 ? '0.0.0.0' : listen.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(i < 0 ? listen : listen.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--listen: ${JSON.stringify(listen)} is not HOST:PORT`);
  return [host, port];
}

/** `--once`: wait until the first reconcile (and its retries, if any) has a result. */
async function waitUntilSettled(r: Reconciler): Promise<void> {
  for (;;) {
    await r.idle();
    const s = r.status();
    if (s.synced && (s.apply !== undefined || (s.conversion && !s.conversion.valid))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
