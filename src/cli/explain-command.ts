/** `explain NAMESPACE/SERVICE`: per peer and prefix, whether FRR really advertised it, and why not. */
import type { FrrContext, FrrLocation } from '../frr/context.js';
import { gatherFrrState, type FrrState } from '../frr/frr-state.js';
import { escapeText } from '../api/problems.js';
import { explainService } from '../status/explain.js';
import { formatExplain } from '../status/format.js';
import type { IntentSnapshot } from '../status/intent-view.js';
import { InvalidConfigError, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { frrContext, readSidecar } from './status-command.js';

export interface ExplainArgs {
  readonly service: string;
  readonly json: boolean;
  readonly listen: string;
  readonly frr: FrrLocation;
}

/** Where `explain` reads from: the sidecar's `/intent` and FRR (tests pass fakes). */
export interface ExplainSources {
  readonly readSidecar: (listen: string) => Promise<{ snapshot: IntentSnapshot } | { error: string }>;
  readonly gatherFrrState: (frr: FrrContext, opts: { advertised: boolean }) => Promise<FrrState>;
}

const realSources: ExplainSources = { readSidecar, gatherFrrState };

/**
 * Exit 0 with the answer for a Service the sidecar knows; exit 1 for one it does not know (like
 * `kubectl get` of a missing object), after printing the answer (a script reading `--json` still
 * gets `"found": false` and the reason).
 */
export async function explainCommand(args: ExplainArgs, io: CliIo, sources: ExplainSources = realSources): Promise<void> {
  if (!/^[^/\s]+\/[^/\s]+$/.test(args.service)) throw new UsageError(`explain needs NAMESPACE/SERVICE, not ${JSON.stringify(args.service)}`);
  const [sidecar, state] = await Promise.all([sources.readSidecar(args.listen), sources.gatherFrrState(frrContext(args.frr), { advertised: true })]);
  if ('error' in sidecar) {
    throw new InvalidConfigError(`error: cannot explain without the sidecar's intent: ${sidecar.error} (is "frr-renderer run" listening there? see --listen)`);
  }
  const result = explainService(sidecar.snapshot, state, args.service);
  io.stdout(args.json ? `${JSON.stringify(result, null, 2)}\n` : formatExplain(result));
  if (!result.found) throw new InvalidConfigError(`error: Service ${escapeText(args.service)} not found: ${escapeText(result.detail)}`);
}
