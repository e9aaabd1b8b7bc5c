/**
 * Which FRR the real-FRR tests drive. Every supported release is proven by the same tests: the
 * Jest config runs the FRR project once per release (`frr-8.4`, `frr-10.3`, and `frr-latest` for
 * `npm run test:frr-latest`) and tells this module which one through the global `FRR_UNDER_TEST`.
 *
 * - `host`: Debian 12's FRR 8.4.4 installed with apt on the machine.
 * - `bookworm`, `trixie`, `sid`: FRR from a Debian root made by `scripts/frr-root.sh` (8.4.4, 10.3,
 *   the newest Debian has). Its programs run chrooted through small wrapper scripts (below), so the
 *   host's C library is never replaced and the code under test calls them as it calls the host's.
 *
 * FRR's default instance (no pathspace, `/etc/frr/frr.conf`: what a pod runs) needs an FRR of its
 * own; the tests that need one take it from a root (`defaultInstanceInstallation`), never from the
 * host, whose /etc/frr belongs to the machine.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFrrRelease, type FrrRelease } from '../../src/intent/frr-release.js';

export type InstallationName = 'host' | 'bookworm' | 'trixie' | 'sid';

export interface FrrInstallation {
  readonly name: InstallationName;
  /** `/` for the host, else the Debian root FRR lives in. */
  readonly root: string;
  /** The FRR package version (`8.4.4-1.1~deb12u2`), for test titles and messages. */
  readonly packageVersion: string;
  /** The release the renderer is asked to render for. */
  readonly release: FrrRelease;
  /** Programs as the tests (and the code under test) call them. */
  readonly vtysh: string;
  readonly reloadScript: string;
  readonly frrinit: string;
  /** Runs any other program of the installation (`chown`, `ip`): [] on the host, `chroot ROOT` in a root. */
  readonly inRoot: readonly string[];
}

/** Where `scripts/frr-root.sh` keeps its roots (same default, same variable). */
export const ROOTS_DIR = process.env['FRR_ROOTS_DIR'] ?? '/var/cache/frr-renderer/roots';

const HOST_PROGRAMS = { vtysh: 'vtysh', reloadScript: '/usr/lib/frr/frr-reload.py', frrinit: '/usr/lib/frr/frrinit.sh' };

/** The installation this Jest project proves (`FRR_UNDER_TEST`, set per project in jest.config.js; `host` by default). */
export function installationUnderTest(): FrrInstallation {
  return installation(underTestName());
}

/** The root-based installation of the same release, for tests that need FRR's default instance. */
export function defaultInstanceInstallation(): FrrInstallation {
  return installation(defaultInstanceName());
}

export function defaultInstanceName(): Exclude<InstallationName, 'host'> {
  const name = underTestName();
  return name === 'host' ? 'bookworm' : name;
}

/** Why `name` cannot be used here, or undefined when it can. */
export function installationUnavailableReason(name: InstallationName): string | undefined {
  if (name === 'host') {
    const missing = [HOST_PROGRAMS.frrinit, HOST_PROGRAMS.reloadScript].filter((p) => !isExecutable(p));
    return missing.length === 0 ? undefined : `${missing.join(', ')} missing (apt-get install frr frr-pythontools)`;
  }
  if (!existsSync(stampOf(name))) return `no FRR root at ${join(ROOTS_DIR, name)} (build it with: scripts/frr-root.sh ${name})`;
  return undefined;
}

export function underTestName(): InstallationName {
  const value = (globalThis as { FRR_UNDER_TEST?: unknown }).FRR_UNDER_TEST ?? process.env['FRR_UNDER_TEST'] ?? 'host';
  if (value === 'host' || value === 'bookworm' || value === 'trixie' || value === 'sid') return value;
  throw new Error(`FRR_UNDER_TEST must be host, bookworm, trixie or sid, not ${JSON.stringify(value)}`);
}

/** Roots that exist on this machine (for the cleanup of what killed runs left in them). */
export function existingRoots(): string[] {
  return (['bookworm', 'trixie', 'sid'] as const).filter((n) => existsSync(stampOf(n))).map((n) => join(ROOTS_DIR, n));
}

const cache = new Map<InstallationName, FrrInstallation>();

function installation(name: InstallationName): FrrInstallation {
  const known = cache.get(name);
  if (known) return known;
  const reason = installationUnavailableReason(name);
  if (reason !== undefined) throw new Error(`FRR installation ${name} unavailable: ${reason}`);
  const made = name === 'host' ? hostInstallation() : rootInstallation(name);
  cache.set(name, made);
  return made;
}

function hostInstallation(): FrrInstallation {
  const version = readDpkgVersion('/var/lib/dpkg/status');
  return { name: 'host', root: '/', packageVersion: version, release: releaseOf(version, 'host'), ...HOST_PROGRAMS, inRoot: [] };
}

function rootInstallation(name: Exclude<InstallationName, 'host'>): FrrInstallation {
  const root = join(ROOTS_DIR, name);
  // The stamp's second line is `frr <package version>` (scripts/frr-root.sh).
  const version = /^frr (\S+)$/m.exec(readFileSync(stampOf(name), 'utf8'))?.[1] ?? 'unknown';
  const bin = join(tmpdir(), `frrt-bin-${name}`);
  mkdirSync(bin, { recursive: true });
  const programs = { vtysh: '/usr/bin/vtysh', reloadScript: '/usr/lib/frr/frr-reload.py', frrinit: '/usr/lib/frr/frrinit.sh' };
  const wrappers = Object.fromEntries(
    Object.entries(programs).map(([key, program]) => {
      const file = join(bin, program.split('/').at(-1)!);
      writeFileSync(file, wrapperScript(root, program, version), { mode: 0o755 });
      return [key, file];
    }),
  ) as typeof programs;
  return { name, root, packageVersion: version, release: releaseOf(version, name), ...wrappers, inRoot: ['chroot', root] };
}

/**
 * A program of the root, run chrooted in a private mount namespace that shows the root the host's
 * /proc, /sys, /dev, /tmp and network namespaces (watchfrr `--netns` and zebra's netns VRFs look
 * them up by name). Private propagation: nothing mounted inside reaches the host, and the network
 * namespaces a daemon sees are those that existed when it started (with zebra's netns VRF backend,
 * other processes' namespaces coming and going would be VRFs coming and going: make a netns VRF
 * before its speaker). The mounts end with the process, or for FRR's daemons with the daemons:
 * nothing to unmount, nothing left on the machine. An argument naming a path under the root is passed as the path inside it,
 * so the code under test can be given `ROOT/etc/frr/frr.conf` and FRR sees `/etc/frr/frr.conf`.
 */
function wrapperScript(root: string, program: string, version: string): string {
  return `#!/bin/sh
# Generated by test/harness/installation.ts: ${program} of FRR ${version} from ${root}.
root='${root}'
for a do
  shift
  case $a in "$root"/*) a=\${a#"$root"} ;; esac
  set -- "$@" "$a"
done
exec unshare --mount --propagation private -- /bin/sh -c '
  root=$1; shift
  for d in proc sys dev dev/pts tmp; do mount --bind "/$d" "$root/$d" || exit 125; done
  if [ -d /run/netns ]; then mkdir -p "$root/run/netns" && mount --rbind /run/netns "$root/run/netns" || exit 125; fi
  exec chroot "$root" "$@"' sh "$root" '${program}' "$@"
`;
}

function stampOf(name: string): string {
  return join(ROOTS_DIR, name, '.frr-renderer-root');
}

function readDpkgVersion(statusFile: string): string {
  const status = readFileSync(statusFile, 'utf8');
  const block = status.split('\n\n').find((b) => /^Package: frr$/m.test(b) && /^Status: install ok installed$/m.test(b));
  return /^Version: (\S+)$/m.exec(block ?? '')?.[1] ?? 'unknown';
}

function releaseOf(version: string, name: string): FrrRelease {
  const release = parseFrrRelease(version);
  if (release === undefined) throw new Error(`cannot read the FRR release of installation ${name} from version ${JSON.stringify(version)}`);
  return release;
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
