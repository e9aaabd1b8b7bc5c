/**
 * Where the sidecar's time goes between its start and the first route: wrapper scripts for vtysh
 * and frr-reload.py (passed with `--vtysh` / `--frr-reload`, flags the sidecar has for an FRR
 * installed elsewhere) append a line with a millisecond timestamp when each call starts and ends,
 * then exec nothing else: the real program runs as a child of the wrapper with the same arguments.
 * Used only for the first-route run (each call costs two `date` processes more); the figures timed
 * elsewhere run the programs directly.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FrrCall {
  /** ms on the performance.now() clock. */
  readonly startAt: number;
  readonly endAt: number | undefined;
  readonly program: 'vtysh' | 'frr-reload.py';
  readonly args: string;
  readonly exitCode: number | undefined;
}

export interface FrrTrace {
  /** Arguments for `frr-renderer run`. */
  readonly args: readonly string[];
  read(): Promise<FrrCall[]>;
}

/** Writes the wrappers and an empty call log into `dir`. */
export async function createFrrTrace(dir: string, programs: { readonly vtysh: string; readonly reloadScript: string }): Promise<FrrTrace> {
  const log = join(dir, 'frr-calls.log');
  await writeFile(log, '');
  const wrappers: Record<'vtysh' | 'frr-reload.py', string> = { vtysh: join(dir, 'vtysh'), 'frr-reload.py': join(dir, 'frr-reload.py') };
  for (const [name, real] of [['vtysh', programs.vtysh], ['frr-reload.py', programs.reloadScript]] as const) {
    await writeFile(
      wrappers[name],
      [
        '#!/bin/sh',
        `# frr-renderer benchmark: times each call of ${real}.`,
        `echo "$(date +%s%3N) start $$ ${name} $*" >> '${log}'`,
        `'${real}' "$@"`,
        'rc=$?',
        `echo "$(date +%s%3N) end $$ ${name} $rc" >> '${log}'`,
        'exit $rc',
        '',
      ].join('\n'),
    );
    await chmod(wrappers[name], 0o755);
  }
  return {
    args: ['--vtysh', wrappers.vtysh, '--frr-reload', wrappers['frr-reload.py']],
    async read() {
      const calls = new Map<string, { startAt: number; endAt?: number; program: 'vtysh' | 'frr-reload.py'; args: string; exitCode?: number }>();
      for (const line of (await readFile(log, 'utf8')).split('\n')) {
        const m = /^(\d+) (start|end) (\d+) (vtysh|frr-reload\.py) ?(.*)$/.exec(line);
        if (!m) continue;
        const at = Number(m[1]) - performance.timeOrigin;
        if (m[2] === 'start') calls.set(m[3]!, { startAt: at, program: m[4] as 'vtysh' | 'frr-reload.py', args: m[5] ?? '' });
        else {
          const c = calls.get(m[3]!);
          if (c) Object.assign(c, { endAt: at, exitCode: Number(m[5]) });
        }
      }
      return [...calls.values()].map((c) => ({ startAt: c.startAt, endAt: c.endAt, program: c.program, args: c.args, exitCode: c.exitCode })).sort((a, b) => a.startAt - b.startAt);
    },
  };
}

/** What a call is, for the split: `vtysh -f` is the load, `frr-reload.py --test` a verification... */
export function callKind(c: FrrCall): string {
  if (c.program === 'frr-reload.py') return c.args.includes('--test') ? 'frr-reload.py --test' : 'frr-reload.py --reload';
  if (/(^| )-C( |$)/.test(c.args)) return 'vtysh -C (syntax)';
  if (/(^| )-f( |$)/.test(c.args)) return 'vtysh -f (load)';
  const cmds = [...c.args.matchAll(/-c (show [a-z0-9 -]+?)(?= -c |$)/g)].map((m) => m[1]);
  return cmds.length ? `vtysh ${cmds.join(' + ')}` : `vtysh ${c.args}`;
}
