/**
 * Podman as the image test drives it: the machine's settings from `scripts/image-env.sh` (runc,
 * cgroupfs, vfs in the project's own storage, `podman logs` without journald), a timeout on every
 * call, and names that say who owns them.
 *
 * Every podman object the test makes is named `frrt-img-<pid>-...` (containers) or
 * `localhost/frrt-img-<pid>-...` (images), so a later run removes what a killed run left, and
 * never what a live run (or anything else on the machine) owns.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { REPO } from '../unit/manifests/kustomize.js';

export const IMAGE_PREFIX = 'frrt-img-';

/** A fresh podman name owned by this process, e.g. `frrt-img-4242-bookworm-frr`. */
export function podmanName(...parts: readonly string[]): string {
  for (const p of parts) if (!/^[a-z0-9][a-z0-9.-]*$/.test(p)) throw new Error(`podman name part must be lower-case, got "${p}"`);
  return `${IMAGE_PREFIX}${process.pid}-${parts.join('-')}`;
}

/** The owner pid of a name made by `podmanName` (also inside an image reference), or undefined. */
export function ownerOf(name: string): number | undefined {
  const m = /(?:^|\/)frrt-img-(\d+)-/.exec(name);
  return m ? Number(m[1]) : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True for a name of ours whose owner no longer runs. Names without an owner pid are not ours. */
export function isStale(name: string): boolean {
  const owner = ownerOf(name);
  return owner !== undefined && !isAlive(owner);
}

/** CONTAINERS_CONF / CONTAINERS_STORAGE_CONF as `scripts/image-env.sh` writes and prints them. */
export function podmanEnv(): Record<string, string> {
  const out = execFileSync(join(REPO, 'scripts', 'image-env.sh'), { encoding: 'utf8' });
  const env: Record<string, string> = {};
  for (const m of out.matchAll(/^export (\w+)=(\S+)$/gm)) env[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1');
  if (!env.CONTAINERS_CONF || !env.CONTAINERS_STORAGE_CONF) throw new Error(`scripts/image-env.sh printed no podman settings:\n${out}`);
  return env;
}

export interface PodmanResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class Podman {
  constructor(private readonly env: Record<string, string> = podmanEnv()) {}

  /** Runs podman; resolves with the exit code whatever it is (callers decide). */
  async run(args: readonly string[], timeoutMs = 60_000, opts: { readonly cwd?: string } = {}): Promise<PodmanResult> {
    const r = await execa('podman', args, {
      env: this.env,
      reject: false,
      timeout: timeoutMs,
      forceKillAfterDelay: 5_000,
      stdin: 'ignore',
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    if (r.timedOut) throw new Error(`podman ${args.join(' ')} timed out after ${timeoutMs} ms\n${String(r.stderr)}`);
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  /** Runs podman; it must exit 0. Returns stdout. */
  async ok(args: readonly string[], timeoutMs = 60_000, opts: { readonly cwd?: string } = {}): Promise<string> {
    const r = await this.run(args, timeoutMs, opts);
    if (r.exitCode !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr.slice(-3000)}`);
    return r.stdout;
  }

  async exists(kind: 'image' | 'container', name: string): Promise<boolean> {
    return (await this.run([kind, 'exists', name])).exitCode === 0;
  }

  /** Removes containers (force) and images of ours; a name that is already gone is fine. */
  async remove(containers: readonly string[], images: readonly string[] = []): Promise<void> {
    for (const c of containers) await this.run(['rm', '--force', '--time', '2', c], 60_000);
    for (const i of images) await this.run(['rmi', '--force', i], 120_000);
  }

  /** Ids of the layer images a `podman build` output shows it built or reused (`--> ID`, `--> Using cache ID`). */
  static layersOf(buildOutput: string): string[] {
    return [...buildOutput.matchAll(/^--> (?:Using cache )?([0-9a-f]{11,64})$/gm)].map((m) => m[1]!);
  }

  /** Where the layers of each variant's last build are listed: `<cache>/build-cache/<variant>.layers`. */
  private layerListOf(variant: string): string {
    return join(dirname(this.env.CONTAINERS_CONF!), 'build-cache', `${variant}.layers`);
  }

  /** Records the layers a variant's build made or reused: they are its build cache. */
  recordBuildLayers(variant: string, layers: readonly string[]): void {
    const file = this.layerListOf(variant);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${layers.join('\n')}\n`);
  }

  /**
   * The build cache is podman's layer cache in the project's storage: the untagged images that
   * the last build of each variant made or reused stay, so the next build with the same inputs
   * takes seconds; every other untagged image (layers of older inputs, or of a killed run) is
   * removed. Tagged images (the cached bases) are never touched here.
   */
  async pruneBuildCache(): Promise<string[]> {
    const dir = dirname(this.layerListOf('x'));
    const keep = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.layers'))
          .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
          .filter((l) => l !== '')
      : [];
    const dangling = (await this.ok(['images', '--all', '--quiet', '--no-trunc', '--filter', 'dangling=true'])).split('\n').map((l) => l.trim().replace(/^sha256:/, '')).filter((l) => l !== '');
    const removed = dangling.filter((id) => !keep.some((k) => id.startsWith(k)));
    for (const id of removed) await this.run(['rmi', id], 120_000);
    return removed;
  }

  /** Containers and images named `frrt-img-<pid>-...` whose owner is dead, and our work folders. */
  async cleanupStale(): Promise<string[]> {
    const removed: string[] = [];
    const containers = (await this.ok(['ps', '--all', '--format', '{{.Names}}'])).split('\n').filter((n) => n.startsWith(IMAGE_PREFIX) && isStale(n));
    const images = (await this.ok(['images', '--format', '{{.Repository}}:{{.Tag}}']))
      .split('\n')
      .filter((n) => n.startsWith(`localhost/${IMAGE_PREFIX}`) && isStale(n));
    await this.remove(containers, images);
    removed.push(...containers, ...images);
    // Helper processes of a killed run (the API relay) name its work folder on their command line.
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const cmdline = (() => {
        try {
          return readFileSync(join('/proc', entry, 'cmdline'), 'utf8');
        } catch {
          return '';
        }
      })();
      const owner = /\/frrt-img-(\d+)-/.exec(cmdline)?.[1];
      if (owner !== undefined && !isAlive(Number(owner)) && Number(entry) !== process.pid) {
        try {
          process.kill(Number(entry), 'SIGKILL');
          removed.push(`process ${entry}`);
        } catch {
          // Gone meanwhile.
        }
      }
    }
    for (const entry of readdirSync(tmpdir())) {
      if (entry.startsWith(IMAGE_PREFIX) && isStale(entry)) {
        rmSync(join(tmpdir(), entry), { recursive: true, force: true });
        removed.push(join(tmpdir(), entry));
      }
    }
    return removed;
  }
}
