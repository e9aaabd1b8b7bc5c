import type { FrrRelease } from '../intent/frr-release.js';
import { escapeText } from '../api/problems.js';
import { checkDirectory } from '../pipeline.js';
import { InvalidConfigError } from './errors.js';
import type { CliIo } from './io.js';
import { printProblems } from './print-problems.js';

export interface CheckArgs {
  readonly dir: string;
  readonly node: string | undefined;
  readonly namespace: string | undefined;
  readonly frrRelease: FrrRelease;
  /** `--bgp-extras`: MetalLB's bgpextras ConfigMap is read (and its problems reported). */
  readonly bgpExtras?: boolean;
}

/** `check`: every problem of the folder, one per line; exit 1 if any is an error. */
export async function checkCommand(args: CheckArgs, io: CliIo): Promise<void> {
  const result = await checkDirectory(args.dir, {
    ...(args.node ? { node: args.node } : {}),
    ...(args.namespace ? { metallbNamespace: args.namespace } : {}),
    frrRelease: args.frrRelease,
    bgpExtras: args.bgpExtras ?? false,
  });
  printProblems(result.problems, io);
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  if (errors > 0) throw new InvalidConfigError(''); // every line printed names an object
  const scope = result.nodes.length > 0 ? `node(s) ${result.nodes.join(', ')}` : 'all objects (no Node objects: per-node rules checked for references only)';
  io.stderr(`ok: ${escapeText(scope)}\n`);
}
