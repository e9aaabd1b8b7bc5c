/**
 * Removes what a killed soak left behind, before a new one starts: its processes (the sidecar, a
 * hanging vtysh wrapper), its tmpfs mounts, its folders, and (through the harness) its network
 * namespaces and FRR instances. Only names that carry the soak's prefix and the pid of a process
 * that no longer runs are touched: a soak running at the same time keeps everything.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupStale } from '../harness/cleanup.js';
import { existingRoots } from '../harness/installation.js';
import { soakFolderParent, soakMounts, SOAK_PREFIX, unmountSoakFolder } from './disk.js';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const OWNED = new RegExp(`${SOAK_PREFIX}(\\d+)-`);

/** The pid in a soak name (`frrsoak-<pid>-...`), when the name is one. */
function ownerOf(text: string): number | undefined {
  const pid = OWNED.exec(text)?.[1];
  return pid === undefined ? undefined : Number(pid);
}

function isStale(owner: number | undefined): owner is number {
  return owner !== undefined && owner !== process.pid && !isAlive(owner);
}

/** Returns what it removed, for the log. */
export async function cleanupStaleSoak(): Promise<string[]> {
  const removed: string[] = [];
  // Processes first: a leftover sidecar would otherwise re-apply to an FRR being removed.
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(join('/proc', entry, 'cmdline'), 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (!isStale(ownerOf(cmdline))) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      removed.push(`process ${entry} (${cmdline.slice(0, 120)})`);
    } catch {
      // Exited meanwhile.
    }
  }
  for (const mount of soakMounts()) {
    if (!isStale(mount.owner)) continue;
    unmountSoakFolder(mount.mountPoint);
    removed.push(`tmpfs ${mount.mountPoint}`);
  }
  const parents = [tmpdir(), ...['/', ...existingRoots()].map(soakFolderParent)];
  for (const parent of parents) {
    let names: string[];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.startsWith(SOAK_PREFIX) || !isStale(ownerOf(name))) continue;
      unmountSoakFolder(join(parent, name));
      removed.push(`folder ${join(parent, name)}`);
    }
  }
  removed.push(...(await cleanupStale()));
  return removed;
}
