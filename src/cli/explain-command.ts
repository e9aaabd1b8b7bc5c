/** `explain NAMESPACE/SERVICE`: per peer and prefix, whether FRR really advertised it, and why not. */
import type { FrrContext, FrrLocation } from '../frr/context.js';
import { gatherFrrState, type FrrState, type GatherOptions } from '../frr/frr-state.js';
import { escapeText } from '../api/problems.js';
import { explainService } from '../status/explain.js';
import { formatExplain } from '../status/format.js';
import type { IntentSnapshot } from '../status/intent-view.js';
import { prefixesOf, vrfsOf } from '../status/intent-of-service.js';
import { InvalidConfigError, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { readSidecar } from './sidecar-client.js';
import { frrContext } from './status-command.js';

export interface ExplainArgs {
  readonly service: string;
  readonly json: boolean;
  readonly listen: string;
  readonly frr: FrrLocation;
}

/** Where `explain` reads from: the sidecar's `/intent` and FRR (tests pass fakes). */
export interface ExplainSources {
  /** With `service`: only what explaining it reads (`/intent?service=`). */
  readonly readSidecar: (listen: string, part: { readonly service: string }) => Promise<{ snapshot: IntentSnapshot } | { error: string }>;
  readonly gatherFrrState: (frr: FrrContext, opts: GatherOptions) => Promise<FrrState>;
}

const realSources: ExplainSources = { readSidecar, gatherFrrState };

/**
 * Exit 0 with the answer for a Service the sidecar knows; exit 1 for one it does not know (like
 * `kubectl get` of a missing object), after printing the answer (a script reading `--json` still
 * gets `"found": false` and the reason).
 */
export async function explainCommand(args: ExplainArgs, io: CliIo, sources: ExplainSources = realSources): Promise<void> {
  if (!/^[^/\s]+\/[^/\s]+$/.test(args.service)) throw new UsageError(`explain needs NAMESPACE/SERVICE, not ${JSON.stringify(args.service)}`);
  const sidecar = await sources.readSidecar(args.listen, { service: args.service });
  if ('error' in sidecar) {
    throw new InvalidConfigError(`error: cannot explain without the sidecar's intent: ${sidecar.error} (is "frr-renderer run" listening there? see --listen)`);
  }
  // FRR is asked about this service's prefixes only: every neighbor's whole advertised-routes
  // table took seconds at 10,000 services. In the VRFs of the intent's neighbors, beside the
  // sessions query rather than after it.
  const state = await sources.gatherFrrState(frrContext(args.frr), {
    advertised: true,
    advertisedPrefixes: prefixesOf(sidecar.snapshot, args.service),
    advertisedPrefixVrfs: vrfsOf(sidecar.snapshot),
    version: false,
  });
  const result = explainService(sidecar.snapshot, state, args.service);
  io.stdout(args.json ? `${JSON.stringify(result, null, 2)}\n` : formatExplain(result));
  if (!result.found) throw new InvalidConfigError(`error: Service ${escapeText(args.service)} not found: ${escapeText(result.detail)}`);
}
