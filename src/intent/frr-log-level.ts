/**
 * FRR's log level, as MetalLB's speaker sets it: `log stdout LEVEL` from the speaker's --log-level
 * (internal/bgp/frr/frr.go `logLevelToFRR`), and at debugging level the `debug` lines of its
 * template (internal/bgp/frr/templates/frr.tmpl). MetalLB's FRR_LOGGING_LEVEL environment variable
 * sets the level apart from the speaker's; here that is `--frr-log-level`.
 *
 * Written in the form FRR shows them (measured with `show running-config` on 8.4.4 and 10.3, the
 * same on both), so frr-reload.py finds nothing to change:
 * - `debugging` is FRR's default level and is shown as a bare `log stdout`;
 * - MetalLB's `error` is completed by FRR's parser to `errors`;
 * - `debug bgp updates` is shown as `debug bgp updates in` plus `debug bgp updates out`, and the
 *   debug lines come in FRR's own order.
 */

/** The speaker's levels (MetalLB's internal/logging `Levels`). */
export const SPEAKER_LOG_LEVELS = ['all', 'debug', 'info', 'warn', 'error', 'none'] as const;
export type SpeakerLogLevel = (typeof SPEAKER_LOG_LEVELS)[number];

/** FRR's log levels (syslog severities), as `log stdout` takes and shows them. */
export const FRR_LOG_LEVELS = ['emergencies', 'alerts', 'critical', 'errors', 'warnings', 'notifications', 'informational', 'debugging'] as const;
export type FrrLogLevel = (typeof FRR_LOG_LEVELS)[number];

/** MetalLB's `logLevelToFRR`, with `error` in the form FRR runs (`errors`). */
const FRR_LEVEL_OF: ReadonlyMap<SpeakerLogLevel, FrrLogLevel> = new Map([
  ['all', 'debugging'],
  ['debug', 'debugging'],
  ['info', 'informational'],
  ['warn', 'warnings'],
  ['error', 'errors'],
  ['none', 'emergencies'],
]);

export const DEFAULT_SPEAKER_LOG_LEVEL: SpeakerLogLevel = 'info';

export function frrLogLevelFor(level: SpeakerLogLevel): FrrLogLevel {
  return FRR_LEVEL_OF.get(level) ?? 'informational';
}

/**
 * `--frr-log-level`: one of FRR's level names (this text reaches frr.conf, so nothing else is
 * taken). MetalLB's own spelling `error` is read as `errors`, FRR's name for it.
 */
export function parseFrrLogLevel(text: string): FrrLogLevel | undefined {
  if (text === 'error') return 'errors';
  return (FRR_LOG_LEVELS as readonly string[]).includes(text) ? (text as FrrLogLevel) : undefined;
}

/** MetalLB's 13 debug lines at debugging level, as FRR 8.4.4 and 10.3 show them (14 lines, FRR's order). */
const DEBUG_LINES: readonly string[] = [
  'debug zebra events',
  'debug zebra kernel',
  'debug zebra rib',
  'debug zebra nht',
  'debug zebra nexthop',
  'debug bgp keepalives',
  'debug bgp neighbor-events',
  'debug bgp nht',
  'debug bgp updates in',
  'debug bgp updates out',
  'debug bgp zebra',
  'debug bfd peer',
  'debug bfd zebra',
  'debug bfd network',
];

export interface FrrLogLines {
  /** After `log stdout`; null for FRR's default (debugging), which it shows as a bare `log stdout`. */
  readonly level: FrrLogLevel | null;
  /** MetalLB's debug lines when the level is debugging, else none. */
  readonly debug: readonly string[];
}

export function frrLogLines(level: FrrLogLevel): FrrLogLines {
  return level === 'debugging' ? { level: null, debug: DEBUG_LINES } : { level, debug: [] };
}
