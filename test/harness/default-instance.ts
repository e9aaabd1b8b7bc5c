/**
 * FRR's default instance inside a root (see installation.ts): one per root, so a test process
 * claims it with a lock file naming its owner (the instance's namespace, `frrt-<pid>-...`). A lock
 * whose owner process is dead is a killed run's leftover: its daemons are killed and it is taken.
 */
import { readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FrrInstallation } from './installation.js';
import { isStaleName } from './names.js';
import { deleteNamespace } from './namespaces.js';
import { FRR_CONF_ROOT, FRR_RUN_ROOT } from './pathspace.js';
import { sleep } from './system.js';

const LOCK = '.frrt-default-owner';
const CLAIM_TIMEOUT_MS = 120_000;

function lockFile(root: string): string {
  return join(root, FRR_CONF_ROOT, LOCK);
}

/** Takes the root's default instance for `owner`; waits while another live test process has it. */
export async function claimDefaultInstance(install: FrrInstallation, owner: string): Promise<void> {
  const deadline = Date.now() + CLAIM_TIMEOUT_MS;
  for (;;) {
    try {
      await writeFile(lockFile(install.root), `${owner}\n`, { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = (await readFile(lockFile(install.root), 'utf8').catch(() => '')).trim();
    if (holder === '' || isStaleName(holder)) {
      await stopDefaultInstance(install.root, holder);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the default FRR instance of ${install.root} is still used by ${holder}`);
    await sleep(250);
  }
}

/** Stops the default instance `owner` holds and frees the root for the next claim. */
export async function releaseDefaultInstance(install: FrrInstallation, owner: string): Promise<void> {
  const holder = (await readFile(lockFile(install.root), 'utf8').catch(() => '')).trim();
  if (holder !== owner) return;
  await stopDefaultInstance(install.root, owner);
}

/** Removes a stale claim left in any root (the cleanup at the start of a run). */
export async function cleanupStaleDefaultInstances(roots: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const root of roots) {
    const holder = (await readFile(lockFile(root), 'utf8').catch(() => undefined))?.trim();
    if (holder === undefined || !(holder === '' || isStaleName(holder))) continue;
    await stopDefaultInstance(root, holder);
    removed.push(`${root} (default instance of ${holder || 'nobody'})`);
  }
  return removed;
}

async function stopDefaultInstance(root: string, holder: string): Promise<void> {
  await killDefaultDaemons(root);
  // Pid files and vty sockets of the daemons just killed, and the config they ran.
  const run = join(root, FRR_RUN_ROOT);
  for (const entry of await readdir(run, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory()) await rm(join(run, entry.name), { force: true });
  }
  await writeFile(join(root, FRR_CONF_ROOT, 'frr.conf'), '').catch(() => undefined);
  if (holder !== '') await deleteNamespace(holder).catch(() => undefined);
  await rm(lockFile(root), { force: true });
}

/** SIGKILLs FRR's default-instance daemons running from `root` (no `-N`), and waits until they are gone. */
async function killDefaultDaemons(root: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await defaultDaemonPids(root);
    if (pids.length === 0) return;
    if (Date.now() > deadline) throw new Error(`FRR default instance of ${root} still running: ${pids.join(', ')}`);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited between the scan and the kill.
      }
    }
    await sleep(50);
  }
}

async function defaultDaemonPids(root: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const procRoot = await readlink(join('/proc', entry, 'root')).catch(() => '');
    if (procRoot !== root) continue;
    const stat = await readFile(join('/proc', entry, 'stat'), 'utf8').catch(() => '');
    if (/^\d+ \(.*\) Z/.test(stat)) continue;
    const args = (await readFile(join('/proc', entry, 'cmdline'), 'utf8').catch(() => '')).split('\0');
    if (args[0]?.startsWith('/usr/lib/frr/') && !args.includes('-N')) pids.push(Number(entry));
  }
  return pids;
}
