/**
 * The sidecar's tunables in one table: `main.ts` makes a flag of each (with its default, checked
 * like every number) and prints them in `--help`; `run-command.ts` wires them. No other module
 * holds a default for them.
 */

/** Where `/healthz`, `/readyz`, `/metrics`, `/status`, `/intent` and `/explain` are served; `status` and `explain` ask there. */
export const DEFAULT_LISTEN = ':9120';

/** Every timing of the sidecar, in milliseconds. */
export interface SidecarTunables {
  readonly debounceMs: number;
  readonly maxDebounceMs: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly driftCheckMs: number;
  readonly statusIntervalMs: number;
  readonly runningConfigIntervalMs: number;
  readonly statusResyncMs: number;
}

export interface TunableSpec {
  readonly key: keyof SidecarTunables;
  /** The flag, without `--`; its value is a whole number of milliseconds. */
  readonly flag: string;
  readonly default: number;
  readonly help: string;
}

export const TUNABLES = [
  { key: 'debounceMs', flag: 'debounce', default: 200, help: 'quiet time after the last change before rendering' },
  { key: 'maxDebounceMs', flag: 'max-debounce', default: 2_000, help: 'longest a stream of changes delays a render (at least --debounce)' },
  { key: 'retryInitialMs', flag: 'retry-initial', default: 1_000, help: 'first retry of a failed apply; doubles per failure, equal jitter' },
  { key: 'retryMaxMs', flag: 'retry-max', default: 300_000, help: 'longest wait between retries of a failed apply' },
  { key: 'driftCheckMs', flag: 'drift-check', default: 15_000, help: 'checks that FRR still runs what was applied (0: never)' },
  { key: 'statusIntervalMs', flag: 'status-interval', default: 5_000, help: 'polls of FRR (sessions, BFD) for the status objects' },
  { key: 'runningConfigIntervalMs', flag: 'running-config-interval', default: 60_000, help: "reads of FRR's running config for FRRNodeState (also after each apply)" },
  { key: 'statusResyncMs', flag: 'status-resync', default: 300_000, help: 'rewrites of every status object, repairing edits by others' },
] as const satisfies readonly TunableSpec[];

export type Tunable = (typeof TUNABLES)[number];
export type TunableFlag = Tunable['flag'];

/** Each tunable's value: `valueOf` reads it (a flag), or the table's default when it returns undefined. */
export function tunables(valueOf: (t: Tunable) => number | undefined = () => undefined): SidecarTunables {
  const out: Record<keyof SidecarTunables, number> = {
    debounceMs: 0, maxDebounceMs: 0, retryInitialMs: 0, retryMaxMs: 0, driftCheckMs: 0, statusIntervalMs: 0, runningConfigIntervalMs: 0, statusResyncMs: 0,
  };
  for (const t of TUNABLES) out[t.key] = valueOf(t) ?? t.default;
  return out;
}

/** `--help` lines: flag, default, what it tunes. */
export function tunablesHelp(): string {
  const width = Math.max(...TUNABLES.map((t) => t.flag.length)) + 6;
  return TUNABLES.map((t) => `  ${`--${t.flag} MS`.padEnd(width)} ${t.help} (default ${t.default})`).join('\n');
}
