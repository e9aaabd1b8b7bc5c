/**
 * The part of the reconciler's intent that status and `explain` need, as plain JSON: the sidecar
 * serves it on `/intent`, and `frr-renderer status|explain` (another process in the same pod)
 * reads it back. Pure data; building it never touches FRR.
 */
import type { IntentResult } from '../intent/build-intent.js';
import type { NotAnnouncedReason } from '../intent/announce.js';
import { keyOf } from '../intent/keys.js';
import type { ReconcilerStatus } from '../reconciler/status.js';

export type Family = 'ipv4' | 'ipv6';

export interface NeighborView {
  /** FRR's VRF name: `default` for the default VRF. */
  readonly vrf: string;
  /** Address, or interface of an unnumbered neighbor: FRR's key in the neighbors JSON. */
  readonly target: string;
  readonly isInterface: boolean;
  /** BGPPeers (`namespace/name`) behind this neighbor. */
  readonly peers: readonly string[];
  readonly ipv4: boolean;
  readonly ipv6: boolean;
  readonly bfdProfile: string | null;
  /** What the neighbor is meant to receive, sorted by prefix. */
  readonly announced: readonly { readonly prefix: string; readonly family: Family; readonly services: readonly string[] }[];
}

/** A service as the intent decided it: announced, or not with the intent's reason (the same value). */
export type ServiceView = AnnouncedServiceView | NotAnnouncedServiceView;

interface ServiceViewBase {
  readonly service: string;
  readonly pool: string | null;
  /** The advertisements that announce it from this node, with the peer names they are limited to ([] = all). */
  readonly advertisements: readonly { readonly name: string; readonly peers: readonly string[] }[];
  readonly ingress: readonly { readonly ip: string; readonly family: Family }[];
}

export interface AnnouncedServiceView extends ServiceViewBase {
  readonly announced: true;
  readonly reason: null;
  readonly detail: null;
}

export interface NotAnnouncedServiceView extends ServiceViewBase {
  readonly announced: false;
  readonly reason: NotAnnouncedReason;
  readonly detail: string;
}

export interface IntentView {
  /** False when the configuration had errors: `neighbors` is then empty. */
  readonly valid: boolean;
  readonly neighbors: readonly NeighborView[];
  readonly services: readonly ServiceView[];
}

/** What `/intent` serves. */
export interface IntentSnapshot {
  readonly version: 1;
  readonly node: string;
  readonly namespace: string;
  readonly status: ReconcilerStatus;
  /** The last render (valid or not). */
  readonly latest: IntentView | null;
  /** What the config FRR runs was rendered from. */
  readonly applied: IntentView | null;
}

export function toIntentView(result: IntentResult | undefined): IntentView | null {
  if (result === undefined) return null;
  const neighbors: NeighborView[] = [];
  for (const r of result.intent?.routers ?? []) {
    for (const n of r.neighbors) {
      neighbors.push({
        vrf: r.vrf ?? 'default',
        target: n.target,
        isInterface: n.isInterface,
        peers: n.peers,
        ipv4: n.ipv4,
        ipv6: n.ipv6,
        bfdProfile: n.bfdProfile,
        announced: n.announced.map((a) => ({ prefix: a.prefix, family: a.family, services: a.services })),
      });
    }
  }
  const services: ServiceView[] = result.services.map(({ service, ingress, verdict }): ServiceView =>
    verdict.announced
      ? {
          service,
          announced: true,
          reason: null,
          detail: null,
          pool: keyOf(verdict.pool),
          advertisements: verdict.advertisements.map((a) => ({ name: keyOf(a), peers: a.peers })),
          ingress: verdict.ingress.map((i) => ({ ip: i.ip, family: i.family })),
        }
      : { service, announced: false, reason: verdict.reason, detail: verdict.detail, pool: null, advertisements: [], ingress: ingress.map((i) => ({ ip: i.ip, family: i.family })) },
  );
  return { valid: result.intent !== undefined, neighbors, services };
}
