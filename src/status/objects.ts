/**
 * The Kubernetes status objects users already query, computed from FRR's state, the intent and
 * the reconciler's results. Pure functions; `writer.ts` sends them.
 *
 * - `BGPSessionState` (frrk8s.metallb.io/v1beta1, namespaced): one per node x neighbor x VRF, labels
 *   `frrk8s.metallb.io/{node,peer,vrf}` as frr-k8s writes them; `bgpStatus` is FRR's raw state,
 *   `bfdStatus` the neighbor's BFD status as `frr/frr-state.ts` joined it (`N/A` without BFD).
 * - `ServiceBGPStatus` (metallb.io/v1beta1): one per service announced from the node, `peers` = the
 *   sorted BGPPeer names FRR's config advertises it to (MetalLB: configured, not session state).
 * - `ConfigurationState` `speaker-<node>` (metallb.io/v1beta1): Valid/Invalid with the errors
 *   (and a valid configuration's warnings in its condition's message).
 * - `FRRNodeState` `<node>` (frrk8s.metallb.io/v1beta1, cluster-scoped): last conversion and reload
 *   results, running config with passwords redacted.
 */
import { createHash } from 'node:crypto';
import { Address6 } from 'ip-address';
import { redactPasswords } from '../frr/redact.js';
import type { FrrState } from '../frr/frr-state.js';
import type { BgpNeighbor } from '../frr/parse-neighbors.js';
import { failedApplyOutcome, type ReconcilerStatus } from '../reconciler/status.js';
import type { IntentView } from './intent-view.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'frr-renderer';

export interface StatusObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly status: Readonly<Record<string, unknown>>;
}

export const KINDS = {
  BGPSessionState: { group: 'frrk8s.metallb.io', version: 'v1beta1', plural: 'bgpsessionstates', kind: 'BGPSessionState', namespaced: true },
  ServiceBGPStatus: { group: 'metallb.io', version: 'v1beta1', plural: 'servicebgpstatuses', kind: 'ServiceBGPStatus', namespaced: true },
  ConfigurationState: { group: 'metallb.io', version: 'v1beta1', plural: 'configurationstates', kind: 'ConfigurationState', namespaced: true },
  FRRNodeState: { group: 'frrk8s.metallb.io', version: 'v1beta1', plural: 'frrnodestates', kind: 'FRRNodeState', namespaced: false },
} as const;
export type KindName = keyof typeof KINDS;

/** A DNS-1123 subdomain from readable parts; a hash keeps it unique when it had to be changed or cut. */
export function objectName(parts: readonly string[], max = 253): string {
  const raw = parts.join('-');
  let name = raw.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  if (name !== raw || name.length > max) {
    const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
    name = `${name.slice(0, max - 9).replace(/[^a-z0-9]+$/, '')}-${hash}`;
  }
  return name;
}

/** frr-k8s' label format for a neighbor: IPv4 as is, IPv6 expanded with `-` for `:`, interfaces by name. */
export function peerLabel(n: Pick<BgpNeighbor, 'id' | 'isInterface'>): string {
  if (n.isInterface || !n.id.includes(':')) return n.id;
  try {
    return new Address6(n.id).canonicalForm().replaceAll(':', '-');
  } catch {
    return n.id.replaceAll(':', '-');
  }
}

/** `""` for FRR's default VRF, as frr-k8s does. */
export function vrfLabel(vrf: string): string {
  return vrf === 'default' ? '' : vrf;
}

export function bgpSessionStates(node: string, namespace: string, state: FrrState): StatusObject[] {
  return state.neighbors.map((n) => {
    const peer = peerLabel(n);
    const vrf = vrfLabel(n.vrf);
    return {
      apiVersion: 'frrk8s.metallb.io/v1beta1',
      kind: 'BGPSessionState',
      metadata: {
        name: objectName([node, peer, ...(vrf ? [vrf] : [])]),
        namespace,
        labels: { 'frrk8s.metallb.io/node': node, 'frrk8s.metallb.io/peer': peer, 'frrk8s.metallb.io/vrf': vrf, [MANAGED_BY_LABEL]: MANAGED_BY },
      },
      status: { node, peer, vrf, bgpStatus: n.state, bfdStatus: n.bfdStatus },
    };
  });
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}

/** Per service announced from the node: the BGPPeer names (sorted) FRR's config sends it to. */
export function serviceBgpStatuses(node: string, namespace: string, applied: IntentView): StatusObject[] {
  const peersOf = new Map<string, Set<string>>();
  for (const n of applied.neighbors) {
    const names = n.peers.map((p) => splitKey(p)[1]);
    for (const a of n.announced) {
      for (const s of a.services) {
        let set = peersOf.get(s);
        if (!set) peersOf.set(s, (set = new Set()));
        for (const name of names) set.add(name);
      }
    }
  }
  return [...peersOf.entries()]
    .filter(([, peers]) => peers.size > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([service, peers]) => {
      const [serviceNamespace, serviceName] = splitKey(service);
      return {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'ServiceBGPStatus',
        metadata: {
          name: objectName([node, serviceNamespace, serviceName]),
          namespace,
          labels: {
            'metallb.io/node': node,
            'metallb.io/service-name': serviceName,
            'metallb.io/service-namespace': serviceNamespace,
            [MANAGED_BY_LABEL]: MANAGED_BY,
          },
        },
        status: { node, serviceName, serviceNamespace, peers: [...peers].sort() },
      };
    });
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

/** Apply stages where FRR refused the rendered config itself (not FRR being down or slow). */
const CONFIG_REFUSED_STAGES: ReadonlySet<string> = new Set(['syntax', 'rejected']);

const APPLY_REASONS: Readonly<Record<string, string>> = {
  syntax: 'SyntaxRejected',
  write: 'WriteFailed',
  rejected: 'LinesRefused',
  reload: 'ReloadFailed',
  verify: 'NotConverged',
};

/**
 * `speaker-<node>`: Invalid with the errors while the configuration has errors, or while FRR
 * refuses lines of the rendered config (the refused lines are the summary then). Two conditions:
 * `configReconcilerValid` (the MetalLB objects) and `frrConfigApplied` (FRR runs the rendered
 * config; why not, by stage). `previous`: the object's current status, whose `lastTransitionTime`s
 * are kept while a condition is unchanged (so an unchanged state compares equal and is not patched).
 */
export function configurationState(
  node: string,
  namespace: string,
  status: ReconcilerStatus,
  now: number,
  previous?: Readonly<Record<string, unknown>>,
): StatusObject {
  const c = status.conversion;
  const a = status.apply;
  const refused = c?.valid === true && a?.result === 'failure' && CONFIG_REFUSED_STAGES.has(a.stage ?? '');
  const result = c === undefined ? 'Unknown' : c.valid && !refused ? 'Valid' : 'Invalid';
  const detailLines = (a?.details ?? []).slice(0, 20);
  const applyDetail = a === undefined ? '' : redactPasswords([a.description, ...detailLines].join('\n'));
  const errorSummary = c === undefined ? '' : !c.valid ? c.errors.map(redactPasswords).join('\n') : refused ? applyDetail : '';
  // The condition also says what FRR runs after the failure (never more than was verified).
  const after = failedApplyOutcome(status);
  const appliedMessage = a === undefined ? '' : redactPasswords([a.description, ...(after ? [after.text] : []), ...detailLines].join('\n'));
  const valid: Omit<Condition, 'lastTransitionTime'> =
    c === undefined
      ? { type: 'configReconcilerValid', status: 'Unknown', reason: 'UnknownError', message: 'no configuration rendered yet' }
      : c.valid
        ? { type: 'configReconcilerValid', status: 'True', reason: 'Reconciled', message: warningsMessage(c.warnings) }
        : { type: 'configReconcilerValid', status: 'False', reason: 'ConfigurationError', message: errorSummary };
  const applied: Omit<Condition, 'lastTransitionTime'> =
    a === undefined
      ? { type: 'frrConfigApplied', status: 'Unknown', reason: 'NotAppliedYet', message: 'nothing applied to FRR yet' }
      : a.result === 'failure'
        ? { type: 'frrConfigApplied', status: 'False', reason: APPLY_REASONS[a.stage ?? ''] ?? 'ApplyFailed', message: appliedMessage }
        : { type: 'frrConfigApplied', status: 'True', reason: a.result === 'adopted' ? 'Adopted' : 'Applied', message: '' };
  const prior = Array.isArray(previous?.conditions) ? (previous!.conditions as Condition[]) : [];
  const stamp = (cond: Omit<Condition, 'lastTransitionTime'>, at: number | undefined): Condition => {
    const prev = prior.find((p) => p?.type === cond.type);
    const same = prev !== undefined && prev.status === cond.status && prev.reason === cond.reason && prev.message === cond.message;
    const lastTransitionTime = same && typeof prev.lastTransitionTime === 'string' ? prev.lastTransitionTime : new Date(at ?? now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { ...cond, lastTransitionTime };
  };
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'ConfigurationState',
    metadata: {
      name: `speaker-${node}`,
      namespace,
      labels: { 'metallb.io/component-type': 'speaker', 'metallb.io/node-name': node, [MANAGED_BY_LABEL]: MANAGED_BY },
    },
    status: { result, errorSummary, conditions: [stamp(valid, c?.at), stamp(applied, a?.at)] },
  };
}

/** metav1.Condition's message limit. */
const MAX_CONDITION_MESSAGE = 32_768;

/**
 * A valid configuration's warnings (what was accepted but differs from what was written, such as
 * the keepalive FRR runs), one per line, in the condition's message: MetalLB leaves it empty, and
 * `kubectl get configurationstate -o yaml` is where users look.
 */
function warningsMessage(warnings: readonly string[]): string {
  if (warnings.length === 0) return '';
  const text = `${warnings.length} warning${warnings.length === 1 ? '' : 's'}:\n${warnings.map(redactPasswords).join('\n')}`;
  return text.length <= MAX_CONDITION_MESSAGE ? text : `${text.slice(0, MAX_CONDITION_MESSAGE - 20)}\n... (cut)`;
}

export function lastConversionResult(status: ReconcilerStatus): string {
  const c = status.conversion;
  if (c === undefined) return '';
  return c.valid ? 'success' : `failed: ${c.errors.map(redactPasswords).join('; ')}`;
}

export function lastReloadResult(status: ReconcilerStatus): string {
  const a = status.apply;
  if (a === undefined) return '';
  if (a.result !== 'failure') return 'success';
  const details = (a.details ?? []).slice(0, 20).join('\n');
  const after = failedApplyOutcome(status);
  return redactPasswords(`failed${a.stage ? ` (${a.stage})` : ''}: ${a.description}${after ? `; ${after.text}` : ''}${details ? `\n${details}` : ''}`);
}

/** `<node>` (cluster-scoped). `runningConfig` undefined: keep what the object has (not read this time). */
export function frrNodeState(node: string, status: ReconcilerStatus, runningConfig: string | undefined, previous?: Readonly<Record<string, unknown>>): StatusObject {
  const kept = typeof previous?.runningConfig === 'string' ? previous.runningConfig : '';
  return {
    apiVersion: 'frrk8s.metallb.io/v1beta1',
    kind: 'FRRNodeState',
    metadata: { name: node, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
    status: {
      runningConfig: runningConfig === undefined ? kept : redactPasswords(runningConfig),
      lastConversionResult: lastConversionResult(status),
      lastReloadResult: lastReloadResult(status),
    },
  };
}
