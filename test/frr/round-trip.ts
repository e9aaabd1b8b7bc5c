/**
 * The FRR check every golden config must pass: FRR's parser accepts it, and once loaded into a
 * fresh live FRR the running config equals it (`frr-reload.py --test` has nothing to change).
 * A config that differs from FRR's canonical form would be deleted and re-added on every
 * reload in production, resetting sessions.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FrrContext } from '../../src/frr/context.js';
import type { ConfigDelta } from '../../src/frr/reload.js';
import { spawnRunner } from '../../src/frr/run.js';
import { checkSyntax, type SyntaxCheck } from '../../src/frr/vtysh.js';
import { FrrInstance, installationUnderTest } from '../harness/index.js';

/** vtysh -C of the release under test; it needs no daemon, so it runs with FRR's default paths. */
export function dryRunFrr(): FrrContext {
  return { run: spawnRunner, vtysh: installationUnderTest().vtysh };
}

/** Writes `config` to `dir/name` and returns the path. */
export async function writeConfig(dir: string, name: string, config: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, config, { mode: 0o600 });
  return file;
}

export function syntaxCheck(file: string): Promise<SyntaxCheck> {
  return checkSyntax(dryRunFrr(), file);
}

/**
 * Loads `file` into a fresh FRR (started for this call, destroyed before returning, whatever
 * happens) and returns what frr-reload.py --test would still change.
 */
export async function deltaAfterLoading(file: string, track: Set<FrrInstance>): Promise<ConfigDelta> {
  const speaker = await FrrInstance.start('speaker');
  track.add(speaker);
  try {
    await speaker.load(file);
    return await speaker.testReload(file);
  } finally {
    await speaker.destroy();
    track.delete(speaker);
  }
}

/** Destroys instances a failed test could not (safety net for `afterAll`). */
export async function destroyAll(track: Set<FrrInstance>): Promise<void> {
  for (const instance of track) await instance.destroy();
  track.clear();
}
