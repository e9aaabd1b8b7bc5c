/** The sidecar's `/intent` answer, built from the reconciler; views are cached per intent result. */
import type { IntentResult } from '../intent/build-intent.js';
import type { ReconcilerStatus } from '../reconciler/status.js';
import { toIntentView, type IntentSnapshot, type IntentView } from './intent-view.js';

export interface IntentSource {
  status(): ReconcilerStatus;
  intents(): { readonly latest: IntentResult | undefined; readonly applied: IntentResult | undefined };
}

const views = new WeakMap<IntentResult, IntentView | null>();

function viewOf(r: IntentResult | undefined): IntentView | null {
  if (r === undefined) return null;
  let v = views.get(r);
  if (v === undefined) views.set(r, (v = toIntentView(r)));
  return v;
}

export function snapshotOf(source: IntentSource, node: string, namespace: string): IntentSnapshot {
  const { latest, applied } = source.intents();
  return { version: 1, node, namespace, status: source.status(), latest: viewOf(latest), applied: viewOf(applied) };
}
