import type { FrrRelease } from '../intent/frr-release.js';
import { renderDirectory } from '../pipeline.js';
import { InvalidConfigError } from './errors.js';
import type { CliIo } from './io.js';
import { printProblems } from './print-problems.js';
import { DEFAULT_SPEAKER_ARGS, speakerRenderOptions, type SpeakerArgs } from './speaker-args.js';

export interface RenderArgs {
  readonly dir: string;
  readonly node: string;
  readonly out: string | undefined;
  readonly namespace: string | undefined;
  readonly redactPasswords: boolean;
  readonly exampleServices: boolean;
  readonly hostname: string | undefined;
  readonly frrRelease: FrrRelease;
  /** MetalLB speaker's flags (`--lb-class`, `--log-level`, `--bgp-extras`, ...). */
  readonly speaker?: SpeakerArgs;
}

/** `render`: this node's frr.conf to stdout or `--out`; nothing is written when the input is invalid. */
export async function renderCommand(args: RenderArgs, io: CliIo): Promise<void> {
  const result = await renderDirectory(args.dir, {
    node: args.node,
    ...(args.namespace ? { metallbNamespace: args.namespace } : {}),
    ...(args.hostname ? { hostname: args.hostname } : {}),
    redactPasswords: args.redactPasswords,
    exampleServices: args.exampleServices,
    frrRelease: args.frrRelease,
    ...speakerRenderOptions(args.speaker ?? DEFAULT_SPEAKER_ARGS),
  });
  printProblems(result.problems, io);
  if (result.config === undefined) {
    // The errors are printed, one per line; no summary line, so every line names an object.
    throw new InvalidConfigError('');
  }
  if (args.out) await io.writeFile(args.out, result.config);
  else io.stdout(result.config);
}
