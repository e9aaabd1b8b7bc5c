/** `explain NAMESPACE/SERVICE`: per peer and prefix, whether FRR really advertised it, and why not. */
import type { FrrLocation } from '../frr/context.js';
import { gatherFrrState } from '../frr/frr-state.js';
import { explainService } from '../status/explain.js';
import { formatExplain } from '../status/format.js';
import { InvalidConfigError, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { frrContext, readSidecar } from './status-command.js';

export interface ExplainArgs {
  readonly service: string;
  readonly json: boolean;
  readonly listen: string;
  readonly frr: FrrLocation;
}

export async function explainCommand(args: ExplainArgs, io: CliIo): Promise<void> {
  if (!/^[^/\s]+\/[^/\s]+$/.test(args.service)) throw new UsageError(`explain needs NAMESPACE/SERVICE, not ${JSON.stringify(args.service)}`);
  const [sidecar, state] = await Promise.all([readSidecar(args.listen), gatherFrrState(frrContext(args.frr), { advertised: true })]);
  if ('error' in sidecar) {
    throw new InvalidConfigError(`error: cannot explain without the sidecar's intent: ${sidecar.error} (is "frr-renderer run" listening there? see --listen)`);
  }
  const result = explainService(sidecar.snapshot, state, args.service);
  io.stdout(args.json ? `${JSON.stringify(result, null, 2)}\n` : formatExplain(result));
}
