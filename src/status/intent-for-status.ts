/**
 * What `frr-renderer status` reads of the sidecar's intent (`/intent?view=status`): the applied
 * view's neighbors with the prefixes each is meant to receive, and the reconciler's status. Pure.
 *
 * Why: the whole `/intent` at 10,000 services x 8 peers is 16.7 MB of JSON (every service twice,
 * and every announced prefix with the services behind it, in both views); serving it built a
 * string and a buffer of that size in the sidecar per `status`, a large part of its peak RSS, and
 * parsing it was seconds of `status`. `statusReport` gives the same report on this view.
 */
import type { IntentSnapshot } from './intent-view.js';

/**
 * `snapshot` with only what `statusReport` reads: no last render (`latest: null`), no services,
 * and each applied neighbor's announced prefixes without the services behind them (`services: []`).
 */
export function intentForStatus(snapshot: IntentSnapshot): IntentSnapshot {
  const applied = snapshot.applied;
  return {
    ...snapshot,
    latest: null,
    applied:
      applied === null
        ? null
        : {
            valid: applied.valid,
            neighbors: applied.neighbors.map((n) => ({ ...n, announced: n.announced.map((a) => ({ prefix: a.prefix, family: a.family, services: [] })) })),
            services: [],
          },
  };
}
