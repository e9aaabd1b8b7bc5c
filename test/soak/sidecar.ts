/**
 * The sidecar as the soak runs it: the real binary (`node bin/frr-renderer.js run ...`) in a child
 * process, its command line being the interface. Everything it prints is kept (the leak scanner
 * reads every line), its HTTP endpoints are asked over 127.0.0.1, and its memory and open file
 * descriptors are read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/soak/sidecar.ts, or dist-soak/test/soak/sidecar.js). */
export function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${join('dist-soak', 'test', 'soak')}`) ? ['..', '..', '..'] : ['..', '..'];
  return join(here, ...up);
}

export interface ResourceSample {
  readonly at: number;
  /** Resident memory (VmRSS), KiB. */
  readonly rssKiB: number;
  readonly fds: number;
}

/** Memory and open descriptors of any process, from /proc; undefined once it is gone. */
export function sampleProcess(pid: number): ResourceSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    if (rss === undefined) return undefined;
    return { at: Date.now(), rssKiB: Number(rss), fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

/** The V8 heap left after a full garbage collection (`--trace-gc`): the memory the process really keeps. */
export interface HeapSample {
  readonly at: number;
  readonly heapMiB: number;
}

/**
 * A full collection's line of `node --trace-gc`, e.g.
 * `[4242:0x5d1b3c0]  1203 ms: Mark-Compact 8.9 (11.3) -> 6.1 (11.5) MB, ...`: the heap after it.
 */
export function parseFullGc(line: string): number | undefined {
  const m = /: Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/.exec(line);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export class Sidecar {
  /** Every line it wrote to stderr (its JSON log) and stdout (`--trace-gc`). */
  readonly lines: string[] = [];
  /** The heap after each full garbage collection. */
  readonly heap: HeapSample[] = [];
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private port = 0;
  private partial = { stdout: '', stderr: '' };

  private constructor(
    private readonly child: ChildProcess,
    /** `folder` or `k8s`, for messages. */
    readonly label: string,
  ) {
    child.on('exit', (code, signal) => {
      this.exit = { code, signal };
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]?.setEncoding('utf8');
      child[stream]?.on('data', (chunk: string) => this.take(stream, chunk));
    }
  }

  /**
   * Starts `frr-renderer run ARGS --listen 127.0.0.1:0` and waits until it listens. Node runs it
   * with `--trace-gc` (a line on stdout per collection), which measures the heap it keeps.
   */
  static async start(label: string, args: readonly string[], timeoutMs = 30_000): Promise<Sidecar> {
    const bin = join(repoRoot(), 'bin', 'frr-renderer.js');
    const child = spawn(process.execPath, ['--trace-gc', bin, 'run', ...args, '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', NODE_OPTIONS: '' },
    });
    const sidecar = new Sidecar(child, label);
    const deadline = Date.now() + timeoutMs;
    while (sidecar.port === 0) {
      if (sidecar.exit !== undefined) throw new Error(`the ${label} sidecar exited at start (${sidecar.exitText()}):\n${sidecar.lines.slice(-20).join('\n')}`);
      if (Date.now() > deadline) {
        await sidecar.stop();
        throw new Error(`the ${label} sidecar did not listen within ${timeoutMs} ms:\n${sidecar.lines.slice(-20).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return sidecar;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Undefined while it runs; how it ended otherwise. */
  get exited(): string | undefined {
    return this.exit === undefined ? undefined : this.exitText();
  }

  private exitText(): string {
    return this.exit?.signal ? `killed by ${this.exit.signal}` : `exit ${String(this.exit?.code)}`;
  }

  private take(stream: 'stdout' | 'stderr', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      const heap = stream === 'stdout' ? parseFullGc(line) : undefined;
      if (heap !== undefined) this.heap.push({ at: Date.now(), heapMiB: heap });
      if (this.port === 0 && line.includes('"frr-renderer started"')) {
        const listen = /"listen":"[^"]*:(\d+)"/.exec(line)?.[1];
        if (listen !== undefined) this.port = Number(listen);
      }
    }
  }

  /** GET on its HTTP server (`/status`, `/metrics`, ...). */
  get(path: string, timeoutMs = 5_000): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: this.port, path, method: 'GET', timeout: timeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** `/status` parsed. */
  async status(): Promise<SidecarStatus> {
    const answer = await this.get('/status');
    if (answer.status !== 200) throw new Error(`GET /status answered ${answer.status}`);
    return JSON.parse(answer.body) as SidecarStatus;
  }

  resources(): ResourceSample | undefined {
    return this.exit === undefined ? sampleProcess(this.pid) : undefined;
  }

  /** SIGTERM (the sidecar's own shutdown), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exit !== undefined || this.child.pid === undefined) return;
    const ended = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await ended;
    clearTimeout(timer);
    for (const stream of ['stdout', 'stderr'] as const) if (this.partial[stream] !== '') this.lines.push(this.partial[stream]);
  }

  /** `/intent` parsed: the status, and the services of the last render. */
  async intent(): Promise<SidecarIntent> {
    const answer = await this.get('/intent');
    if (answer.status !== 200) throw new Error(`GET /intent answered ${answer.status}`);
    return JSON.parse(answer.body) as SidecarIntent;
  }
}

/** The part of `/intent` the soak reads. */
export interface SidecarIntent {
  readonly status: SidecarStatus;
  readonly latest: { readonly valid: boolean; readonly services: readonly { readonly service: string }[] } | null;
}

/** The part of `/status` the soak reads. */
export interface SidecarStatus {
  readonly synced: boolean;
  readonly conversion?: { readonly at: number; readonly valid: boolean; readonly errors: readonly string[] };
  readonly apply?: { readonly at: number; readonly result: string; readonly stage?: string; readonly description: string };
  readonly appliedAt?: number;
}
