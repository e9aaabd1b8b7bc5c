/**
 * Debug switches an operator turned on by hand (`oc exec ... vtysh -c "debug zebra events"`) are
 * theirs: the sidecar neither counts them as drift nor leaves them off after a reload.
 *
 * Some daemons show such a switch in `show running-config` (zebra's and bfdd's do; bgpd's
 * enable-mode debugs do not), so without this the drift check saw "FRR running config changed
 * behind our back" within `--drift-check` and frr-reload.py turned the operator's debugging off
 * while they were using it. A debug line the render has is the sidecar's (`--log-level debug`),
 * and so is one of the config it applied before: those still follow the render.
 */
import type { ConfigDelta } from './reload.js';

/** A top-level `debug ...` line, as a render or FRR's running config prints it. */
const DEBUG_LINE = /^debug \S.*$/;

/** The top-level debug lines of a config text. */
export function debugLines(text: string): string[] {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => DEBUG_LINE.test(l));
}

/**
 * The text without its top-level debug lines: what drift is judged on. FRR prints a `!` after
 * its debug lines, so a `!` left next to another `!` goes too.
 */
export function withoutDebugLines(text: string): string {
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    if (DEBUG_LINE.test(line.trimEnd())) continue;
    if (line.trimEnd() === '!' && kept.at(-1)?.trimEnd() === '!') continue;
    kept.push(line);
  }
  return kept.join('\n');
}

/** Debug lines FRR runs that none of `ours` (the render, the config applied before it) has. */
export function operatorDebugs(running: string, ...ours: (string | undefined)[]): string[] {
  const mine = new Set(ours.flatMap((c) => (c === undefined ? [] : debugLines(c))));
  return debugLines(running).filter((l) => !mine.has(l));
}

/**
 * The delta without the removal of debug lines the render does not have (frr-reload.py lists
 * them as `no debug ...`): a difference that is only an operator's debugging is no difference.
 */
export function ignoringExtraDebugs(delta: ConfigDelta, config: string): ConfigDelta {
  const rendered = new Set(debugLines(config));
  const toDelete = delta.toDelete.filter((l) => {
    const m = /^no (debug \S.*)$/.exec(l.trimEnd());
    return m === null || rendered.has(m[1]!);
  });
  return toDelete.length === delta.toDelete.length ? delta : { toDelete, toAdd: delta.toAdd };
}
