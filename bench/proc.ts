/**
 * Whole-process figures, read from Linux's own accounting in /proc (no cgroup is created: the
 * machine's cgroups are not ours to change).
 *
 * - CPU of a process tree: the process's utime + stime, plus cutime + cstime (every child it
 *   waited for, and theirs, recursively: Node reaps its children, and vtysh, frr-reload.py and the
 *   shells of wrapper scripts reap theirs), plus the live descendants' own totals at the moment of
 *   reading. The difference of two readings is the tree's CPU over the window, children that
 *   started and ended inside it included.
 * - Peak RSS of a process: VmHWM of /proc/PID/status while it runs; for a process timed from start
 *   to exit, `peak-rss.cjs` (preloaded with `--require`) writes its VmHWM to a file at exit.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './render.js';

/** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on every Linux architecture Node runs on). */
const TICKS_PER_SECOND = 100;

interface StatFields {
  readonly ppid: number;
  /** utime + stime, in ticks. */
  readonly own: number;
  /** cutime + cstime (waited-for children), in ticks. */
  readonly children: number;
}

function readStat(pid: number): StatFields | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Field numbers of proc(5), counted from `state` (3) as index 0.
  const n = (field: number): number => Number(f[field - 3]);
  return { ppid: n(4), own: n(14) + n(15), children: n(16) + n(17) };
}

/** CPU seconds the tree rooted at `pid` has used so far (see the header); undefined once it is gone. */
export function treeCpuSeconds(pid: number): number | undefined {
  const split = treeCpuSplit(pid);
  return split === undefined ? undefined : split.self + split.children;
}

/** The same, split into the process itself and its children (reaped or running). */
export function treeCpuSplit(pid: number): { self: number; children: number } | undefined {
  const root = readStat(pid);
  if (root === undefined) return undefined;
  const byParent = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const p = Number(entry);
    const s = readStat(p);
    if (s === undefined) continue;
    const list = byParent.get(s.ppid) ?? [];
    list.push(p);
    byParent.set(s.ppid, list);
  }
  let children = root.children;
  const stack = [...(byParent.get(pid) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop()!;
    const s = readStat(p);
    if (s !== undefined) children += s.own + s.children;
    stack.push(...(byParent.get(p) ?? []));
  }
  return { self: root.own / TICKS_PER_SECOND, children: children / TICKS_PER_SECOND };
}

/** CPU seconds used by a set of processes (e.g. FRR's daemons), not counting their children. */
export function processesCpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const p of pids) ticks += readStat(p)?.own ?? 0;
  return ticks / TICKS_PER_SECOND;
}

/** VmHWM and VmRSS of a running process, in KiB (0 when it is gone). */
export function memoryKb(pid: number): { peakKb: number; rssKb: number } {
  let text = '';
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { peakKb: 0, rssKb: 0 };
  }
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { peakKb: kb('VmHWM'), rssKb: kb('VmRSS') };
}

export interface ProcessRun {
  readonly exitCode: number | null;
  /** From spawn to exit, ms. */
  readonly wallMs: number;
  /** VmHWM at exit (KiB); undefined if the process did not report it (killed, not Node). */
  readonly peakRssKb: number | undefined;
  readonly stdoutBytes: number;
  readonly stderr: string;
}

let runs = 0;

/**
 * Runs `node ARGS` (the CLI as a user runs it: a fresh process) and times it from spawn to exit.
 * The process gets `opts.nodeOptions` as NODE_OPTIONS (none by default, as from a shell), never
 * the bench's own (`npm run bench` sets the image's young-generation size for the sidecar, which
 * made a 50,000-file `render` ~20 % slower than a user's), plus `--require peak-rss.cjs` so it
 * reports its peak RSS at exit (a few lines read at exit; nothing else changes). stdout is counted
 * and dropped.
 */
export async function timeNodeProcess(
  args: readonly string[],
  opts: { readonly cwd?: string; readonly timeoutMs?: number; readonly env?: NodeJS.ProcessEnv; readonly nodeOptions?: string } = {},
): Promise<ProcessRun> {
  const rssFile = join(tmpdir(), `frrt-bench-rss-${process.pid}-${++runs}`);
  const preload = join(REPO_ROOT, 'bench', 'peak-rss.cjs');
  const env = { ...process.env, ...opts.env, NODE_OPTIONS: `${opts.nodeOptions ?? ''} --require ${preload}`.trim(), FRRT_BENCH_PEAK_RSS_FILE: rssFile };
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: opts.cwd ?? REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdoutBytes = 0;
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdoutBytes += b.length));
  child.stderr.on('data', (b: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += b.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const wallMs = performance.now() - t0;
  clearTimeout(timer);
  const peak = await readFile(rssFile, 'utf8').catch(() => undefined);
  await rm(rssFile, { force: true });
  return { exitCode, wallMs, peakRssKb: peak === undefined ? undefined : Number(peak), stdoutBytes, stderr };
}
