/**
 * `status` and (via `readSidecar`) `explain`: meant to run inside the speaker pod
 * (`oc exec ... -- frr-renderer status`). FRR's state comes from vtysh; the intent and the
 * reconciler's results come from the sidecar's HTTP endpoint on localhost (`--listen`,
 * `sidecar-client.ts`).
 */
import { frrContextAt, type FrrContext, type FrrLocation } from '../frr/context.js';
import { gatherFrrState } from '../frr/frr-state.js';
import { spawnRunner } from '../frr/run.js';
import { statusReport } from '../status/explain.js';
import { formatStatus } from '../status/format.js';
import { readSidecar } from './sidecar-client.js';
import type { CliIo } from './io.js';

export interface StatusArgs {
  readonly json: boolean;
  /** The sidecar's `--listen`; `:9120` means 127.0.0.1:9120. */
  readonly listen: string;
  readonly frr: FrrLocation;
}

export function frrContext(location: FrrLocation): FrrContext {
  return frrContextAt(spawnRunner, location, { vtyshTimeoutMs: 20_000 });
}

export async function statusCommand(args: StatusArgs, io: CliIo): Promise<void> {
  const [sidecar, state] = await Promise.all([readSidecar(args.listen, 'status'), gatherFrrState(frrContext(args.frr), { advertised: true })]);
  const snapshot = 'snapshot' in sidecar ? sidecar.snapshot : null;
  const report = statusReport(snapshot, state);
  if (args.json) {
    io.stdout(`${JSON.stringify({ ...report, sidecar: 'error' in sidecar ? { error: sidecar.error } : { ok: true } }, null, 2)}\n`);
    return;
  }
  if ('error' in sidecar) io.stderr(`warning: sidecar not reachable (${sidecar.error}): peers, config and reload results unknown\n`);
  io.stdout(formatStatus(report, Date.now()));
}
