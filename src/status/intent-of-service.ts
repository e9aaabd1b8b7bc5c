/**
 * What explaining one service reads of the sidecar's intent: its prefixes, and the snapshot
 * narrowed to them. Pure.
 *
 * Why narrowed: `/intent` holds every service twice (last render and applied) and every
 * neighbor's whole announced list; at 10,000 services, serving, fetching and parsing it was most
 * of `explain`'s time. `/intent?service=NS/NAME` serves `intentOfService`, on which
 * `explainService` gives the same answer as on the whole snapshot.
 */
import type { Family, IntentSnapshot, IntentView } from './intent-view.js';

/**
 * The prefixes whose advertisement `explain` may report for `service`: those any neighbor is meant
 * to receive for it (in the last render and in the applied one), and its addresses as host routes.
 */
export function prefixesOf(snapshot: IntentSnapshot, service: string): Map<string, Family> {
  const out = new Map<string, Family>();
  for (const view of [snapshot.latest, snapshot.applied]) {
    for (const n of view?.neighbors ?? []) for (const a of n.announced) if (a.services.includes(service)) out.set(a.prefix, a.family);
    for (const s of view?.services ?? []) {
      if (s.service !== service) continue;
      for (const i of s.ingress) out.set(`${i.ip}/${i.family === 'ipv4' ? 32 : 128}`, i.family);
    }
  }
  return out;
}

/** FRR's VRF names of the neighbors in the last render and the applied one: where `explain` asks about the prefixes. */
export function vrfsOf(snapshot: IntentSnapshot): string[] {
  return [...new Set([snapshot.latest, snapshot.applied].flatMap((v) => v?.neighbors.map((n) => n.vrf) ?? []))].sort();
}

/**
 * `snapshot` with only what explaining `service` reads: that service's entry in each view, and
 * every neighbor (each is a row of the answer) with only the announced prefixes of `prefixesOf`
 * (whichever services they are for: a prefix the applied config sends for another service still
 * counts as applied). The status and the node stay as they are.
 */
export function intentOfService(snapshot: IntentSnapshot, service: string): IntentSnapshot {
  const prefixes = prefixesOf(snapshot, service);
  const narrow = (view: IntentView | null): IntentView | null =>
    view === null
      ? null
      : {
          valid: view.valid,
          neighbors: view.neighbors.map((n) => ({ ...n, announced: n.announced.filter((a) => prefixes.has(a.prefix)) })),
          services: view.services.filter((s) => s.service === service),
        };
  return { ...snapshot, latest: narrow(snapshot.latest), applied: narrow(snapshot.applied) };
}
