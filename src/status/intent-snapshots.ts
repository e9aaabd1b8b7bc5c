/** The sidecar's `/intent` answer, built from the reconciler. */
import type { IntentResult } from '../intent/build-intent.js';
import type { ReconcilerStatus } from '../reconciler/status.js';
import { toIntentView, type IntentSnapshot, type IntentView } from './intent-view.js';

export interface IntentSource {
  status(): ReconcilerStatus;
  intents(): { readonly latest: IntentResult | undefined; readonly applied: IntentResult | undefined };
}

/**
 * A function that answers `/intent` for `source`. Views are computed once per intent result and
 * kept by this function (its own cache, dropped with it), so a poll every few seconds does not
 * rebuild them while nothing changed.
 */
export function intentSnapshots(source: IntentSource, node: string, namespace: string): () => IntentSnapshot {
  const views = new WeakMap<IntentResult, IntentView | null>();
  const viewOf = (r: IntentResult | undefined): IntentView | null => {
    if (r === undefined) return null;
    let v = views.get(r);
    if (v === undefined) views.set(r, (v = toIntentView(r)));
    return v;
  };
  return () => {
    const { latest, applied } = source.intents();
    return { version: 1, node, namespace, status: source.status(), latest: viewOf(latest), applied: viewOf(applied) };
  };
}
