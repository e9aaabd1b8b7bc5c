/**
 * The folder the sidecar writes frr.conf to, on a small tmpfs of the soak's own, so that "disk
 * full" and "frr.conf unwritable" can be made real without touching any disk or file of the
 * machine. The mount's source is named `frrsoak-<pid>` and its folder `frrsoak-<pid>-disk-*`, so a
 * later run finds and removes what a killed run left (`cleanupStaleSoak`).
 *
 * The folder lies inside the FRR installation's root (`<root>/var/tmp/...`): FRR's programs of a
 * root run chrooted in a mount namespace copied at each call, which shows them mounts made under
 * the root (a tmpfs under /tmp would be hidden behind the bind mount of /tmp).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const SOAK_PREFIX = 'frrsoak-';

/** Where the soak's own folders live inside an installation root ('/' for the host's FRR). */
export function soakFolderParent(installationRoot: string): string {
  return join(installationRoot, 'var', 'tmp');
}

export class SmallDisk {
  private filled = false;

  private constructor(readonly dir: string) {}

  /** Mounts a tmpfs of `sizeKiB` on a new folder under `parent`. */
  static mount(parent: string, sizeKiB: number): SmallDisk {
    mkdirSync(parent, { recursive: true });
    const dir = mkdtempSync(join(parent, `${SOAK_PREFIX}${process.pid}-disk-`));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0755`, `${SOAK_PREFIX}${process.pid}`, dir], { stdio: 'pipe' });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return new SmallDisk(dir);
  }

  private get filler(): string {
    return join(this.dir, '.filler');
  }

  /** Disk full: one file takes every free block (writes then fail with ENOSPC). */
  fill(): void {
    const fd = openSync(this.filler, 'w');
    const chunk = Buffer.alloc(16 * 1024);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    } finally {
      closeSync(fd);
    }
    this.filled = true;
  }

  unfill(): void {
    rmSync(this.filler, { force: true });
    this.filled = false;
  }

  get isFull(): boolean {
    return this.filled;
  }

  /** `chattr +i`: even root cannot replace or change the file (rename over it fails with EPERM). */
  setImmutable(file: string, on: boolean): void {
    execFileSync('chattr', [on ? '+i' : '-i', join(this.dir, file)], { stdio: 'pipe' });
  }

  /** Unmounts and removes the folder; safe to call twice. */
  unmount(): void {
    unmountSoakFolder(this.dir);
  }
}

/** Lifts immutable flags, unmounts (lazily when busy) and removes a soak folder. */
export function unmountSoakFolder(dir: string): void {
  if (!dir.split('/').pop()?.startsWith(SOAK_PREFIX)) throw new Error(`refusing to remove ${dir}: not a soak folder`);
  try {
    execFileSync('chattr', ['-R', '-i', dir], { stdio: 'pipe' });
  } catch {
    // Gone already, or nothing was immutable.
  }
  if (mountsUnder(dir).length > 0) {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Mount points at `dir` (from /proc/self/mountinfo). */
function mountsUnder(dir: string): string[] {
  return soakMounts()
    .map((m) => m.mountPoint)
    .filter((p) => p === dir);
}

export interface SoakMount {
  readonly source: string;
  readonly mountPoint: string;
  /** The pid in the source name `frrsoak-<pid>`. */
  readonly owner: number;
}

/** Every tmpfs the soak mounted (source `frrsoak-<pid>`), this run's and others'. */
export function soakMounts(): SoakMount[] {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  const out: SoakMount[] = [];
  for (const line of text.split('\n')) {
    // `36 35 98:0 / /mnt/x rw,noatime master:1 - tmpfs frrsoak-123 rw,size=512k`
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined) continue;
    const source = right.split(' ')[1] ?? '';
    const owner = new RegExp(`^${SOAK_PREFIX}(\\d+)$`).exec(source)?.[1];
    if (owner === undefined) continue;
    const mountPoint = (left.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    out.push({ source, mountPoint, owner: Number(owner) });
  }
  return out;
}
