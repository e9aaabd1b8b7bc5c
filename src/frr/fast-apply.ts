/**
 * The fast path's effects: one vtysh `configure` session that makes the delta, then the reads that
 * verify it (`fast-verify.ts`). At 5,000 services frr-reload.py spends most of a change reading
 * FRR's running config and diffing it in Python; here the delta is known exactly from the two
 * renders (`fast-delta.ts`), so FRR is sent only the changed lines and asked only about them.
 *
 * It never decides that a failure is final: whatever goes wrong (a command vtysh or bgpd refuses,
 * a verification that does not match, vtysh not answering) comes back as a reason, and the
 * caller (`frr-target.ts`) applies the config in full with frr-reload.py, which verifies.
 */
import { DEFAULT_VTYSH, DEFAULT_VTYSH_TIMEOUT_MS, vtyshPathspaceArgs, type FrrContext } from './context.js';
import { sessionCommands, type FastDelta } from './fast-delta.js';
import { checkRoute, checkRunningConfig, routeCommand, splitJsonValues } from './fast-verify.js';
import { redactPasswords } from './redact.js';
import { show } from './vtysh.js';

export type FastApplyResult = { readonly applied: true } | { readonly applied: false; readonly reason: string };

type Understood = Extract<FastDelta, { understood: true }>;

/**
 * Sends the delta to FRR in one `configure` session and verifies it.
 * `expectedSkeleton`: FRR's running config without network lines, as shown when the config the
 * delta starts from was last verified in full.
 */
export async function applyFastDelta(frr: FrrContext, delta: Understood, expectedSkeleton: string): Promise<FastApplyResult> {
  const refused = await runSession(frr, sessionCommands(delta.changes));
  if (refused !== undefined) return { applied: false, reason: refused };
  let running: string;
  let routes: unknown[];
  try {
    [running, routes] = await Promise.all([
      show(frr, 'show running-config', { keepPasswords: true }),
      show(frr, delta.changes.map(routeCommand), { keepPasswords: true }).then(splitJsonValues),
    ]);
  } catch (err) {
    return { applied: false, reason: `the verification could not read FRR: ${redactPasswords(String((err as Error)?.message ?? err))}` };
  }
  const mismatch = checkRunningConfig(expectedSkeleton, delta.next, running);
  if (mismatch !== undefined) return { applied: false, reason: mismatch };
  if (routes.length !== delta.changes.length) return { applied: false, reason: `FRR answered ${routes.length} of ${delta.changes.length} route queries` };
  for (const [i, change] of delta.changes.entries()) {
    const wrong = checkRoute(change, routes[i]);
    if (wrong !== undefined) return { applied: false, reason: wrong };
  }
  return { applied: true };
}

/**
 * `vtysh -c 'configure terminal' -c ... -c end`: vtysh keeps its node from one `-c` to the next
 * and stops at the first command that fails, exiting non-zero with the complaint on stdout
 * (`% Unknown command: ...`, bgpd's `% Can't find static route specified`; 8.4.4 and 10.3 alike).
 * Undefined when every command was taken; otherwise why not (the commands before it were applied).
 */
async function runSession(frr: FrrContext, commands: readonly string[]): Promise<string | undefined> {
  const vtysh = frr.vtysh ?? DEFAULT_VTYSH;
  try {
    const result = await frr.run(vtysh, [...vtyshPathspaceArgs(frr), ...commands.flatMap((c) => ['-c', c])], {
      timeoutMs: frr.vtyshTimeoutMs ?? DEFAULT_VTYSH_TIMEOUT_MS,
    });
    if (result.exitCode === 0) return undefined;
    const said = `${result.stdout}\n${result.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    return `FRR refused a command of the session (vtysh exit ${result.exitCode}): ${redactPasswords(said.join(' | ') || 'no detail')}`;
  } catch (err) {
    return `the session did not complete: ${redactPasswords(String((err as Error)?.message ?? err))}`;
  }
}
