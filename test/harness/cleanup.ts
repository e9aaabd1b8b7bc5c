/**
 * Removes what earlier, killed runs left behind: FRR daemons, pathspace folders and namespaces
 * whose names carry the harness prefix and whose owning process is dead, on the host and in the
 * FRR roots (including a root's default instance). Names of live runs (other Jest workers, other
 * projects) and anything without the prefix are left alone.
 */
import { cleanupStaleDefaultInstances } from './default-instance.js';
import { destroyByName } from './frr-instance.js';
import { existingRoots } from './installation.js';
import { isStaleName } from './names.js';
import { listNamespaces } from './namespaces.js';
import { pathspaceDirs, runningPathspaces } from './pathspace.js';

/** Returns the names it removed, so a test run can report them. */
export async function cleanupStale(): Promise<string[]> {
  const removed = await cleanupStaleDefaultInstances(existingRoots());
  const candidates = new Set([...(await listNamespaces()), ...(await pathspaceDirs()), ...(await runningPathspaces())]);
  const stale = [...candidates].filter(isStaleName).sort();
  for (const name of stale) await destroyByName(name);
  return [...removed, ...stale];
}
