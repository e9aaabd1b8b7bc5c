/**
 * An FRR pathspace: /etc/frr/<name> (config), /var/run/frr/<name> (pid files, vty sockets), and
 * the daemons started for it by frrinit.sh. With `watchfrr_options="--netns"` every daemon runs
 * inside the network namespace of the same name, so the namespace must exist first.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existingRoots, type FrrInstallation } from './installation.js';
import { sh, shAllowFailure, sleep } from './system.js';

export const FRR_CONF_ROOT = '/etc/frr';
/**
 * `/var/run/frr` is `/run/frr` behind the `/var/run -> /run` link, and in a root that link is
 * absolute: read from the host, ROOT/var/run/frr would be the host's /run/frr. So never via the link.
 */
export const FRR_RUN_ROOT = '/run/frr';

/** `/etc/frr/<name>` of the installation, as seen from the host (under its root for a chroot one). */
export function pathspaceConfDir(install: FrrInstallation, name: string): string {
  return join(install.root, FRR_CONF_ROOT, name);
}

/** Daemons every test instance runs: watchfrr reports them as `Up` once their vty answers. */
export const TEST_DAEMONS = ['zebra', 'bgpd', 'staticd', 'bfdd'] as const;

/**
 * The `daemons` file. `-A 127.0.0.1`: vty ports on the namespace's own loopback only.
 * `-s 90000000`: a netlink buffer big enough for many routes (as in MetalLB's image).
 */
export function daemonsFile(opts: PathspaceOptions & { readonly netns?: boolean }): string {
  // `-n`: FRR's netns VRF backend (every network namespace on the machine is a VRF of its name).
  const netns = opts.netnsVrfs === true ? ' -n' : '';
  // `--log file:` (FRR 7.5 on): each daemon logs to a file of its own, appended across restarts.
  const log = (daemon: string): string => (opts.logDir === undefined ? '' : ` --log file:${opts.logDir}/${daemon}.log --log-level debug`);
  return [
    'bgpd=yes',
    'bfdd=yes',
    'vtysh_enable=yes',
    `zebra_options=" -A 127.0.0.1 -s 90000000${netns}${log('zebra')}"`,
    `bgpd_options=" -A 127.0.0.1${log('bgpd')}"`,
    `bfdd_options=" -A 127.0.0.1${log('bfdd')}"`,
    `staticd_options=" -A 127.0.0.1${log('staticd')}"`,
    // FRR 10.x always starts mgmtd, and vtysh needs it; 8.4 ignores the line.
    `mgmtd_options=" -A 127.0.0.1${log('mgmtd')}"`,
    // Every daemon of a pathspace runs in the namespace of the same name; a default instance is
    // started inside its namespace (`ip netns exec`) instead.
    ...(opts.netns === false ? [] : ['watchfrr_options="--netns"']),
    '',
  ].join('\n');
}

export interface PathspaceOptions {
  /**
   * Start zebra with `-n` (VRFs backed by network namespaces), for live VRF sessions on kernels
   * without VRF devices. See the notes at the top of `frr-instance.ts` for what this changes.
   */
  readonly netnsVrfs?: boolean;
  /**
   * A folder (as seen inside the installation, writable by its frr user) where each daemon logs
   * (`<daemon>.log`, debug level: what `debug ...` turns on is written there). No logs without it.
   */
  readonly logDir?: string;
}

/**
 * Writes /etc/frr/<name>/{daemons,vtysh.conf,frr.conf} (empty config) in the installation, owned
 * by its frr:frr as FRR requires (a root's frr user has ids of its own: chown runs inside it).
 */
export async function writePathspaceFiles(name: string, install: FrrInstallation, opts: PathspaceOptions = {}): Promise<void> {
  const dir = pathspaceConfDir(install, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'daemons'), daemonsFile(opts));
  // frr-reload.py refuses to --reload without the integrated config.
  await writeFile(join(dir, 'vtysh.conf'), 'service integrated-vtysh-config\n');
  await writeFile(join(dir, 'frr.conf'), '');
  await chownToFrr(install, join(FRR_CONF_ROOT, name));
}

/** `chown -R frr:frr PATH` with the installation's frr user; PATH as seen inside the installation. */
export async function chownToFrr(install: FrrInstallation, path: string): Promise<void> {
  await inInstallation(install, 'chown', ['-R', 'frr:frr', path]);
}

/** Runs a program of the installation (chrooted into a root's), which must succeed. */
export async function inInstallation(install: FrrInstallation, file: string, args: readonly string[]): Promise<void> {
  const [first, ...rest] = [...install.inRoot, file, ...args];
  await sh(first!, rest);
}

/** Starts watchfrr and the daemons, and waits until watchfrr reports every daemon up. */
export async function startPathspace(name: string, install: FrrInstallation, readyTimeoutMs = 15_000): Promise<void> {
  await runFrrinit([install.frrinit, 'start', name], name);
  await waitForDaemons(install, ['-N', name], `pathspace ${name}`, readyTimeoutMs);
}

/**
 * Runs `frrinit.sh start` (COMMAND) with its output in a log file rather than our pipes: FRR 10.x's
 * daemons keep the stdout and stderr they were started with, and a pipe they hold would keep the
 * call waiting for its end until the timeout. The log is in the error when the start fails.
 */
export async function runFrrinit(command: readonly string[], name: string): Promise<void> {
  const log = join(tmpdir(), `${name}.frrinit.log`);
  try {
    const { exitCode } = await shAllowFailure('/bin/sh', ['-c', 'log=$1; shift; exec "$@" >"$log" 2>&1 </dev/null', 'sh', log, ...command], 30_000);
    if (exitCode !== 0) {
      const output = await readFile(log, 'utf8').catch(() => '');
      throw new Error(`${command.join(' ')} exited ${exitCode}:\n${output.trim().split('\n').slice(-20).join('\n')}`);
    }
  } finally {
    await rm(log, { force: true });
  }
}

/** Waits until watchfrr (`vtysh [-N NAME] -c "show watchfrr"`) reports every test daemon up. */
export async function waitForDaemons(install: FrrInstallation, vtyshArgs: readonly string[], what: string, readyTimeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const { stdout, stderr, exitCode } = await sh(install.vtysh, [...vtyshArgs, '-c', 'show watchfrr']).catch(
      (err: Error) => ({ stdout: '', stderr: err.message, exitCode: 1 }),
    );
    last = exitCode === 0 ? stdout : stderr;
    if (TEST_DAEMONS.every((daemon) => new RegExp(`^\\s*${daemon}\\s+Up\\b`, 'm').test(stdout))) return;
    await sleep(100);
  }
  throw new Error(`FRR (${what}, ${install.name} ${install.packageVersion}) not up after ${readyTimeoutMs} ms; last "show watchfrr":\n${last}`);
}

/**
 * Pids of every process started for a pathspace: FRR daemons carry `-N <name>` on their
 * command line. Matching the exact pathspace argument never touches other FRR instances.
 */
export async function pathspacePids(name: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(join('/proc', entry, 'cmdline'), 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (args.some((arg, i) => (arg === '-N' || arg === '--pathspace') && args[i + 1] === name)) {
      pids.push(Number(entry));
    }
  }
  return pids.filter((pid) => pid !== process.pid);
}

/** Names of the pathspaces FRR daemons currently run for (from their `-N` argument). */
export async function runningPathspaces(): Promise<string[]> {
  const names = new Set<string>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(join('/proc', entry, 'cmdline'), 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    const at = args.indexOf('-N');
    if (at >= 0 && args[0]?.startsWith('/usr/lib/frr/')) names.add(args[at + 1] ?? '');
  }
  names.delete('');
  return [...names];
}

function isGone(pid: number): Promise<boolean> {
  // A zombie (state Z) has exited already; only its parent's reaping is missing.
  return readFile(`/proc/${pid}/stat`, 'utf8').then(
    (stat) => /^\d+ \(.*\) Z/.test(stat),
    () => true,
  );
}

/**
 * Stops a pathspace's daemons with SIGKILL. The instance is thrown away, so there is nothing to
 * save, and a graceful `frrinit.sh stop` takes ~6 s (each daemon needs ~2 s after SIGINT).
 */
export async function killPathspace(name: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await pathspacePids(name);
    const alive: number[] = [];
    for (const pid of pids) if (!(await isGone(pid))) alive.push(pid);
    if (alive.length === 0) return;
    if (Date.now() > deadline) throw new Error(`FRR processes of ${name} still running: ${alive.join(', ')}`);
    for (const pid of alive) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited between the scan and the kill.
      }
    }
    await sleep(50);
  }
}

/** Removes /etc/frr/<name> and /var/run/frr/<name>, on the host and in every FRR root. */
export async function removePathspaceFiles(name: string): Promise<void> {
  if (name === '' || name.includes('/')) throw new Error(`refusing to remove pathspace "${name}"`);
  for (const root of ['/', ...existingRoots()]) {
    await rm(join(root, FRR_CONF_ROOT, name), { recursive: true, force: true });
    await rm(join(root, FRR_RUN_ROOT, name), { recursive: true, force: true });
  }
}

/** Lists the pathspace folders under /etc/frr and /var/run/frr, on the host and in every FRR root. */
export async function pathspaceDirs(): Promise<string[]> {
  const names = new Set<string>();
  for (const root of ['/', ...existingRoots()]) {
    for (const dir of [FRR_CONF_ROOT, FRR_RUN_ROOT]) {
      const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
      for (const entry of entries) if (entry.isDirectory()) names.add(entry.name);
    }
  }
  return [...names];
}
