/**
 * `frr-renderer run` as its own process, started from `bin/frr-renderer.js` exactly as the image
 * starts it (same NODE_OPTIONS as the Containerfile), with its JSON log lines read from stderr and
 * stamped on arrival. The benchmark waits on log lines, reads the process's CPU and memory from
 * /proc (proc.ts) and stops it with SIGTERM, as Kubernetes does.
 *
 * Every started sidecar is remembered until it exits, so an interrupted benchmark can kill them
 * all (`killAllSidecars`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { memoryKb, treeCpuSeconds, treeCpuSplit } from './proc.js';
import { REPO_ROOT } from './render.js';

/** The Containerfile's NODE_OPTIONS for the sidecar. */
export const SIDECAR_NODE_OPTIONS = '--max-semi-space-size=4';

export interface LogLine {
  /** performance.now() when the line arrived. */
  readonly at: number;
  readonly msg: string;
  readonly level: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

const live = new Set<ChildProcess>();

/** SIGKILLs every sidecar still running (interrupted benchmark). */
export function killAllSidecars(): void {
  for (const c of live) c.kill('SIGKILL');
}

export class SidecarProcess {
  readonly logs: LogLine[] = [];
  private readonly waiters = new Set<() => void>();
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;
  /** Lines of stderr that were not JSON (a crash's stack trace). */
  readonly otherOutput: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    /** performance.now() just before spawn. */
    readonly startedAt: number,
  ) {
    live.add(child);
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        live.delete(child);
        this.exitCode = code;
        this.notify();
        resolve(code);
      }),
    );
    createInterface({ input: child.stderr! }).on('line', (line) => {
      const at = performance.now();
      try {
        const { msg, level, time: _time, ...fields } = JSON.parse(line) as { msg: string; level: string; time: string } & Record<string, unknown>;
        this.logs.push({ at, msg, level, fields });
      } catch {
        if (this.otherOutput.length < 200) this.otherOutput.push(line);
      }
      this.notify();
    });
    child.stdout!.resume();
  }

  /** Starts `frr-renderer run ARGS`. */
  static start(args: readonly string[], env: NodeJS.ProcessEnv = {}): SidecarProcess {
    const startedAt = performance.now();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'frr-renderer.js'), 'run', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_OPTIONS: SIDECAR_NODE_OPTIONS, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new SidecarProcess(child, startedAt);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** CPU seconds of the sidecar and every child it ran (vtysh, frr-reload.py) so far. */
  cpuSeconds(): number {
    return treeCpuSeconds(this.pid) ?? Number.NaN;
  }

  /** The same, the process itself apart from its children. */
  cpuSplit(): { self: number; children: number } {
    return treeCpuSplit(this.pid) ?? { self: Number.NaN, children: Number.NaN };
  }

  memory(): { peakKb: number; rssKb: number } {
    return memoryKb(this.pid);
  }

  /** The port of `--listen HOST:0`, from the start line. */
  async listenPort(timeoutMs = 30_000): Promise<number> {
    const started = await this.waitForLog((l) => l.msg === 'frr-renderer started', timeoutMs, 'the start line');
    const listen = String(started.fields['listen'] ?? '');
    return Number(listen.slice(listen.lastIndexOf(':') + 1));
  }

  /** The first log line from index `from` on that matches; rejects after timeoutMs or if the process exits. */
  async waitForLog(match: (l: LogLine) => boolean, timeoutMs: number, what: string, from = 0): Promise<LogLine> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.logs.slice(from).find(match);
      if (found) return found;
      if (this.exitCode !== undefined) throw new Error(`the sidecar exited (${this.exitCode}) while waiting for ${what}: ${this.tail()}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no ${what} from the sidecar within ${timeoutMs} ms: ${this.tail()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 1_000));
        const waiter = (): void => done();
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(waiter);
        void this.exited.then(() => this.waiters.delete(waiter));
      });
    }
  }

  /** Next apply recorded after log index `from`: `success` (applied) or `adopted`. */
  waitForApply(from: number, timeoutMs: number): Promise<LogLine> {
    return this.waitForLog((l) => l.fields['result'] === 'success' || l.fields['result'] === 'adopted', timeoutMs, 'apply', from);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      this.waiters.delete(w);
      w();
    }
  }

  private tail(): string {
    const last = this.logs.slice(-5).map((l) => `${l.level} ${l.msg} ${JSON.stringify(l.fields).slice(0, 300)}`);
    return [...last, ...this.otherOutput.slice(-10)].join(' | ') || '(no output)';
  }
}
