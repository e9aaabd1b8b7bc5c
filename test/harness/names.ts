/**
 * Every machine-wide name the harness creates (network namespaces, FRR pathspaces, interfaces)
 * starts with `HARNESS_PREFIX`, so a later run can find and remove what a killed run left.
 *
 * Namespace/pathspace names also carry the pid of the process that made them
 * (`frrt-<pid>-<role><n>`): several Jest workers may run FRR tests at once, and one worker's
 * cleanup must only remove names whose owner is dead.
 */

export const HARNESS_PREFIX = 'frrt-';

let counter = 0;

/** A fresh namespace/pathspace name owned by this process, e.g. `frrt-4242-speaker3`. */
export function ownedName(role: string): string {
  if (!/^[a-z][a-z0-9]*$/.test(role)) throw new Error(`role must be lower-case letters and digits, got "${role}"`);
  counter += 1;
  return `${HARNESS_PREFIX}${process.pid}-${role}${counter}`;
}

/** A fresh interface name (at most 15 characters, Linux's limit); interfaces live inside our namespaces. */
export function interfaceName(): string {
  counter += 1;
  return `${HARNESS_PREFIX}if${counter}`;
}

/** True for a harness name whose owning process no longer runs (or that has no owner pid at all). */
export function isStaleName(name: string): boolean {
  if (!name.startsWith(HARNESS_PREFIX)) return false;
  const owner = /^frrt-(\d+)-/.exec(name)?.[1];
  if (owner === undefined) return true;
  return !isProcessAlive(Number(owner));
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
