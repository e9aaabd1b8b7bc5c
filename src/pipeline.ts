/**
 * The offline pipeline in one call: folder of manifests -> snapshot -> intent -> frr.conf text.
 * `render` and `check` use it, and so do the golden and FRR tests.
 */
import type { RawObject } from './api/decode.js';
import type { Problem } from './api/problems.js';
import { sortProblems } from './api/problems.js';
import { checkHostname, checkNodeName } from './api/host-names.js';
import { buildSnapshot } from './api/snapshot.js';
import type { BgpExtrasOptions } from './intent/bgp-extras.js';
import { buildIntent, type IntentOptions, type IntentResult } from './intent/build-intent.js';
import { DEFAULT_SPEAKER_LOG_LEVEL, frrLogLevelFor, type FrrLogLevel, type SpeakerLogLevel } from './intent/frr-log-level.js';
import { exampleServices } from './intent/example-services.js';
import type { NodeForwarding } from './intent/model.js';
import { DEFAULT_FRR_RELEASE, formatRelease, formsFor, untestedReleaseNote, type FrrRelease, type ReleaseForms } from './intent/frr-release.js';
import { createRenderer, type Renderer } from './render/renderer.js';
import { loadTemplates } from './render/templates.js';
import { readFolder } from './sources/read-folder.js';

export const DEFAULT_METALLB_NAMESPACE = 'metallb-system';

export interface RenderOptions {
  /** The node whose frr.conf is rendered. */
  readonly node: string;
  /** Namespace of the MetalLB objects; default `metallb-system`. */
  readonly metallbNamespace?: string;
  /** Replace every password with `<redacted>` (golden files, logs, status). */
  readonly redactPasswords?: boolean;
  /** Adds `hostname NAME` (the sidecar passes the pod's host name so frr-reload sees no diff). */
  readonly hostname?: string;
  /** Pretend every pool has one LoadBalancer service on its first address (golden review of CRs in git). */
  readonly exampleServices?: boolean;
  /** The FRR release to render for; default `DEFAULT_FRR_RELEASE` (the image's). */
  readonly frrRelease?: FrrRelease;
  /** MetalLB speaker's `--lb-class`: announce only Services of this class (default: only Services without one). */
  readonly loadBalancerClass?: string;
  /** MetalLB speaker's `--ignore-exclude-lb`: ignore the exclude-from-external-load-balancers node label. */
  readonly ignoreExcludeLb?: boolean;
  /** MetalLB speaker's `--log-level`, which also sets FRR's (`log stdout`); default `info`. */
  readonly logLevel?: SpeakerLogLevel;
  /** FRR's log level apart from `logLevel` (MetalLB's FRR_LOGGING_LEVEL). */
  readonly frrLogLevel?: FrrLogLevel;
  /**
   * Read MetalLB's bgpextras ConfigMap and append its lines (`--bgp-extras`). `check` is FRR's
   * verdict on them (the sidecar's `vtysh -C`); without it they are appended unchecked.
   */
  readonly bgpExtras?: BgpExtrasOptions;
  /** The node's IP forwarding as FRR reports it (the sidecar); default on. */
  readonly forwarding?: NodeForwarding;
}

export interface RenderResult {
  /** The rendered frr.conf, or undefined when errors were found. */
  readonly config: string | undefined;
  /** Errors and warnings, sorted. */
  readonly problems: readonly Problem[];
  /** Per-service verdicts of the intent stage (for `explain`). */
  readonly intent: IntentResult | undefined;
}

/**
 * Reads and compiles the templates (at the edge, never in the core). Nothing is kept here: the
 * caller keeps the renderer as long as it needs it (the sidecar: for its life), and a load that
 * failed is tried again by the next call.
 */
export async function loadRenderer(templatesDir?: string): Promise<Renderer> {
  return createRenderer(await loadTemplates(templatesDir));
}

/** `render` and `check`'s path: one folder, rendered once (pass `render` to reuse a loaded renderer). */
export async function renderDirectory(dir: string, opts: RenderOptions, render?: Renderer): Promise<RenderResult> {
  const { objects, problems } = await readFolder(dir);
  return renderObjects(objects, opts, problems, render ?? (await loadRenderer()));
}

/** Pure apart from the renderer passed in: raw objects -> frr.conf. */
export function renderObjects(objects: readonly RawObject[], opts: RenderOptions, decodeProblems: readonly Problem[], render: Renderer): RenderResult {
  const metallbNamespace = opts.metallbNamespace ?? DEFAULT_METALLB_NAMESPACE;
  const built = buildSnapshot([...objects], { metallbNamespace, node: opts.node, bgpExtras: opts.bgpExtras !== undefined });
  let snapshot = built.snapshot;
  const notes: Problem[] = [];
  let assumeEndpointsReady = false;
  if (opts.exampleServices) {
    snapshot = { ...snapshot, services: [...snapshot.services, ...exampleServices(snapshot.pools, opts.loadBalancerClass)] };
    assumeEndpointsReady = true;
  } else if (snapshot.endpointSlices.length === 0 && snapshot.services.length > 0) {
    // A folder of CRs and Services usually has no EndpointSlices (Kubernetes writes them). Treat
    // services as served rather than announce nothing, and say so.
    assumeEndpointsReady = true;
    notes.push({
      severity: 'warning',
      category: 'object',
      ref: { kind: 'Folder', namespace: '', name: 'input' },
      field: '',
      message: 'no EndpointSlice found: every LoadBalancer Service is treated as having ready endpoints on this node; add EndpointSlices to model externalTrafficPolicy: Local',
    });
  }
  const frr = formsFor(opts.frrRelease ?? DEFAULT_FRR_RELEASE);
  notes.push(...releaseNotes(frr));
  notes.push(...checkRenderOptions(opts));
  const intent = buildIntent(snapshot, {
    node: opts.node,
    redactPasswords: opts.redactPasswords ?? false,
    hostname: opts.hostname ?? null,
    assumeEndpointsReady,
    frr,
    ...speakerOptions(opts),
    ...(opts.forwarding ? { forwarding: opts.forwarding } : {}),
  }, built.problems);
  const problems = sortProblems([...decodeProblems, ...notes, ...intent.problems]);
  const failed = problems.some((p) => p.severity === 'error');
  return {
    config: failed || !intent.intent ? undefined : render(intent.intent),
    problems,
    intent,
  };
}

/** The speaker's options that change what the intent says (MetalLB speaker flags). */
function speakerOptions(opts: RenderOptions): Pick<IntentOptions, 'loadBalancerClass' | 'ignoreExcludeLb' | 'frrLogLevel' | 'bgpExtras'> {
  return {
    ...(opts.bgpExtras === undefined ? {} : { bgpExtras: opts.bgpExtras }),
    ...(opts.loadBalancerClass === undefined ? {} : { loadBalancerClass: opts.loadBalancerClass }),
    ignoreExcludeLb: opts.ignoreExcludeLb ?? false,
    frrLogLevel: opts.frrLogLevel ?? frrLogLevelFor(opts.logLevel ?? DEFAULT_SPEAKER_LOG_LEVEL),
  };
}

/** A warning when the release is not a tested one (its forms are the nearest tested release's). */
function releaseNotes(frr: ReleaseForms): Problem[] {
  const note = untestedReleaseNote(frr);
  if (note === undefined) return [];
  return [{ severity: 'warning', category: 'object', ref: { kind: 'FRR', namespace: '', name: formatRelease(frr.release) }, field: '', message: note }];
}

/** The node and host names reach frr.conf; callers validate them, and the core checks again. */
function checkRenderOptions(opts: RenderOptions): Problem[] {
  const out: Problem[] = [];
  const nodeProblem = checkNodeName(opts.node);
  if (nodeProblem) out.push({ severity: 'error', category: 'object', ref: { kind: 'Node', namespace: '', name: opts.node }, field: 'metadata.name', message: nodeProblem });
  const hostProblem = opts.hostname === undefined ? undefined : checkHostname(opts.hostname);
  if (hostProblem) out.push({ severity: 'error', category: 'object', ref: { kind: 'Node', namespace: '', name: opts.node }, field: 'hostname', message: hostProblem });
  return out;
}

export interface CheckResult {
  readonly problems: readonly Problem[];
  /** Nodes whose configuration was checked in full (peers, secrets, BFD references). */
  readonly nodes: readonly string[];
}

/**
 * Validation only. With a node: everything `render` checks for it. Without: every object, then
 * the per-node rules for each Node object in the folder (or, with none, for a node that every
 * peer selects, so that references to Secrets and BFD profiles are still checked).
 */
export async function checkDirectory(dir: string, opts: { node?: string; metallbNamespace?: string; frrRelease?: FrrRelease; bgpExtras?: boolean }): Promise<CheckResult> {
  const { objects, problems: decodeProblems } = await readFolder(dir);
  const metallbNamespace = opts.metallbNamespace ?? DEFAULT_METALLB_NAMESPACE;
  const frr = formsFor(opts.frrRelease ?? DEFAULT_FRR_RELEASE);
  const built = buildSnapshot([...objects], { metallbNamespace, ...(opts.node ? { node: opts.node } : {}), bgpExtras: opts.bgpExtras ?? false });
  // Node objects whose names no node can have are not checked as nodes (their names would reach frr.conf).
  const nodes = opts.node ? [opts.node] : built.snapshot.nodes.map((n) => n.ref.name).filter((n) => !checkNodeName(n)).sort();
  const perNode: Problem[] = [];
  if (nodes.length > 0) {
    for (const node of nodes) {
      for (const p of buildIntent(built.snapshot, { node, redactPasswords: true, hostname: null, assumeEndpointsReady: true, frr }).problems) perNode.push(p);
    }
  } else {
    const everywhere = { ...built.snapshot, peers: built.snapshot.peers.map((p) => ({ ...p, nodeSelectors: [] })) };
    const refsOnly = buildIntent(everywhere, { node: '', redactPasswords: true, hostname: null, assumeEndpointsReady: true, frr });
    // Pairwise per-node rules need real nodes; keep the reference checks only.
    for (const p of refsOnly.problems) if (p.category === 'reference') perNode.push(p);
  }
  return { problems: sortProblems([...decodeProblems, ...built.problems, ...perNode, ...releaseNotes(frr)]), nodes };
}
