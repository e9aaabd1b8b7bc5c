/**
 * Which FRR to talk to and how: shared by `vtysh.ts` and `reload.ts`. The sidecar builds one
 * with FRR's default paths; the tests build one per FRR instance, with its pathspace.
 */
import type { CommandRunner } from './run.js';

export interface FrrContext {
  readonly run: CommandRunner;
  /**
   * FRR pathspace (`vtysh -N`, `frr-reload.py --pathspace`): the instance whose files live in
   * /etc/frr/<pathspace> and /var/run/frr/<pathspace>. `undefined` = FRR's default paths (a pod).
   */
  readonly pathspace?: string | undefined;
  /** Limit for each vtysh call; default `DEFAULT_VTYSH_TIMEOUT_MS`. */
  readonly vtyshTimeoutMs?: number;
  /** Limit for each frr-reload.py call; default `DEFAULT_RELOAD_TIMEOUT_MS`. */
  readonly reloadTimeoutMs?: number;
  /** Path of vtysh; default `vtysh` (found on PATH). */
  readonly vtysh?: string;
  /** Path of frr-reload.py; default where Debian's frr-pythontools installs it. */
  readonly reloadScript?: string;
  /**
   * Folder of the daemons' vty sockets, before the pathspace (FRR's default `/var/run/frr`): the
   * polls ask single daemons there directly instead of starting vtysh (`vty-socket.ts`).
   * `undefined` = always vtysh.
   */
  readonly vtyDir?: string;
}

/** Where the commands find FRR: its pathspace and, for an FRR not installed where Debian puts it, its programs. */
export interface FrrLocation {
  readonly pathspace: string | undefined;
  readonly vtysh: string | undefined;
  readonly reloadScript: string | undefined;
  /** `--frr-vty-dir`; undefined = FRR's default folder, unless `vtysh` names another FRR's vtysh. */
  readonly vtyDir?: string | undefined;
}

/** A context for `location`, with the production runner. */
export function frrContextAt(run: CommandRunner, location: FrrLocation, extra: Partial<FrrContext> = {}): FrrContext {
  return {
    run,
    pathspace: location.pathspace,
    ...(location.vtysh === undefined ? {} : { vtysh: location.vtysh }),
    ...(location.reloadScript === undefined ? {} : { reloadScript: location.reloadScript }),
    ...vtyDirOf(location),
    ...extra,
  };
}

/**
 * The sockets are where Debian's FRR puts them unless told otherwise. An FRR reached through
 * another vtysh (`--vtysh`) lives elsewhere (another root, a container): its sockets are used only
 * when `--frr-vty-dir` says where they are, never guessed.
 */
function vtyDirOf(location: FrrLocation): { vtyDir?: string } {
  if (location.vtyDir !== undefined) return { vtyDir: location.vtyDir };
  return location.vtysh === undefined ? { vtyDir: DEFAULT_VTY_DIR } : {};
}

/** Where FRR's daemons put their vty sockets by default (before the pathspace). */
export const DEFAULT_VTY_DIR = '/var/run/frr';
export const DEFAULT_VTYSH_TIMEOUT_MS = 30_000;
/** Reloads grow with config size (seconds for thousands of services), so they get more room. */
export const DEFAULT_RELOAD_TIMEOUT_MS = 300_000;
export const DEFAULT_VTYSH = 'vtysh';
export const DEFAULT_RELOAD_SCRIPT = '/usr/lib/frr/frr-reload.py';

/** `-N <pathspace>` for vtysh, or nothing for the default instance. */
export function vtyshPathspaceArgs(frr: FrrContext): string[] {
  return frr.pathspace === undefined ? [] : ['-N', frr.pathspace];
}

/** `--pathspace <pathspace>` for frr-reload.py, or nothing for the default instance. */
export function reloadPathspaceArgs(frr: FrrContext): string[] {
  return frr.pathspace === undefined ? [] : ['--pathspace', frr.pathspace];
}
