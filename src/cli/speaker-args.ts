/**
 * MetalLB speaker's flags that change a node's frr.conf or what it announces (`--lb-class`,
 * `--ignore-exclude-lb`, `--log-level`, `--frr-log-level`, `--bgp-extras`): the same for `run` and
 * `render`, so that a review renders what the node runs.
 */
import type { FrrLogLevel, SpeakerLogLevel } from '../intent/frr-log-level.js';
import type { RenderOptions } from '../pipeline.js';

export interface SpeakerArgs {
  readonly loadBalancerClass: string | undefined;
  readonly ignoreExcludeLb: boolean;
  /** The speaker's level; FRR's follows it unless `frrLogLevel` is set. */
  readonly logLevel: SpeakerLogLevel;
  readonly frrLogLevel: FrrLogLevel | undefined;
  readonly bgpExtras: boolean;
}

export const DEFAULT_SPEAKER_ARGS: SpeakerArgs = {
  loadBalancerClass: undefined,
  ignoreExcludeLb: false,
  logLevel: 'info',
  frrLogLevel: undefined,
  bgpExtras: false,
};

/** The render options they stand for. `bgpExtras` here means "appended unchecked" (no FRR to ask). */
export function speakerRenderOptions(a: SpeakerArgs): Pick<RenderOptions, 'loadBalancerClass' | 'ignoreExcludeLb' | 'logLevel' | 'frrLogLevel' | 'bgpExtras'> {
  return {
    ...(a.loadBalancerClass === undefined ? {} : { loadBalancerClass: a.loadBalancerClass }),
    ignoreExcludeLb: a.ignoreExcludeLb,
    logLevel: a.logLevel,
    ...(a.frrLogLevel === undefined ? {} : { frrLogLevel: a.frrLogLevel }),
    ...(a.bgpExtras ? { bgpExtras: {} } : {}),
  };
}
