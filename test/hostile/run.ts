/**
 * Two ways to run the CLI on a hostile input: in this process through `main` (fast, for the full
 * product of fields and attacks), and as the real binary in a child process (exit code, streams,
 * wall time and peak memory as a user sees them), for a sample.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { main } from '../../src/cli/main.js';
import { writeFileAtomic } from '../../src/ops/write-file.js';
import type { RunResult } from './properties.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'frr-renderer.js');
const USAGE_PRELOAD = join(ROOT, 'test', 'hostile', 'report-usage.mjs');
export const SENTINEL = 'previous frr.conf\n';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `frr-renderer-hostile-${prefix}-`));
}

/** `render` (or another command) in this process, with `--out` pointing at a sentinel file. */
export async function runInProcess(argv: readonly string[], options: { out?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  if (options.out !== undefined) writeFileSync(options.out, SENTINEL);
  const exitCode = await main([...argv, ...(options.out !== undefined ? ['--out', options.out] : [])], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    writeFile: writeFileAtomic,
    env: options.env ?? {},
  });
  const outFile = options.out !== undefined ? readFileSync(options.out, 'utf8') : undefined;
  return { exitCode, stdout, stderr, ...(options.out !== undefined ? { outFile, outBefore: SENTINEL } : {}) };
}

/** The real binary: wall time from spawn to exit, peak RSS reported by the child itself. */
export async function runProcess(argv: readonly string[], options: { uid?: number; gid?: number; timeoutMs?: number } = {}): Promise<RunResult> {
  const usageDir = tempDir('usage');
  chmodSync(usageDir, 0o777); // the child may run as an unprivileged user
  const usageFile = join(usageDir, 'usage');
  const start = process.hrtime.bigint();
  const r = await execa(process.execPath, ['--import', USAGE_PRELOAD, BIN, ...argv], {
    reject: false,
    stripFinalNewline: false,
    timeout: options.timeoutMs ?? 20_000,
    env: { FRR_RENDERER_USAGE_FILE: usageFile, NODE_OPTIONS: '' },
    extendEnv: false,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid } : {}),
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  let maxRssKiB: number | undefined;
  try {
    maxRssKiB = Number(readFileSync(usageFile, 'utf8'));
  } catch {
    maxRssKiB = undefined;
  }
  rmSync(usageDir, { recursive: true, force: true });
  return {
    exitCode: r.timedOut ? -1 : (r.exitCode ?? -1),
    stdout: String(r.stdout),
    stderr: String(r.stderr) + (r.timedOut ? '\n[timed out]' : ''),
    ms,
    ...(maxRssKiB !== undefined ? { maxRssKiB } : {}),
  };
}

/** The binary runs `dist/`: rebuild it when a source file is newer, so the sample tests this code. */
export async function ensureBuilt(): Promise<void> {
  const built = (() => {
    try {
      return statSync(join(ROOT, 'dist', 'cli', 'main.js')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  if ((await newestMtime(join(ROOT, 'src'))) <= built) return;
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT });
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? await newestMtime(path) : (await stat(path)).mtimeMs);
  }
  return newest;
}
