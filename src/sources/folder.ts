/**
 * `--source dir:PATH`: the manifests of a folder, watched with chokidar. Every change lists the
 * whole folder again (a full listing is always consistent: no event to miss) but decodes only the
 * files whose version changed (`DecodedFiles`); a half-written or invalid file shows up as a
 * problem, so the reconciler keeps the last good config until the file is fixed.
 */
import { watch, type FSWatcher } from 'chokidar';
import type { RawObject } from '../api/decode.js';
import type { Problem } from '../api/problems.js';
import { readFolder, type DecodedFiles } from './read-folder.js';
import type { Source, SourceEvent, SourceState } from './source.js';

export function createFolderSource(dir: string): Source {
  let objects: RawObject[] = [];
  let problems: Problem[] = [];
  let synced = false;
  let watcher: FSWatcher | undefined;
  let reading: Promise<void> = Promise.resolve();
  const decoded: DecodedFiles = new Map();

  const reread = (onChange: () => void, onEvent?: (e: SourceEvent) => void) => {
    // Reads are chained so a slow read never overwrites a newer one.
    reading = reading.then(async () => {
      try {
        const r = await readFolder(dir, decoded);
        objects = r.objects;
        problems = r.problems;
      } catch (err) {
        onEvent?.({ type: 'error', resource: `dir:${dir}`, error: String((err as Error)?.message ?? err) });
        return;
      }
      if (!synced) {
        synced = true;
        onEvent?.({ type: 'synced', resource: `dir:${dir}` });
      }
      onChange();
    });
    return reading;
  };

  return {
    async start(onChange, onEvent) {
      watcher = watch(dir, {
        ignoreInitial: true,
        // Editors write in several steps; wait until a file stops changing.
        awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 25 },
      });
      watcher.on('all', () => void reread(onChange, onEvent));
      watcher.on('error', (err) => onEvent?.({ type: 'error', resource: `dir:${dir}`, error: String(err) }));
      await new Promise<void>((resolve) => watcher!.once('ready', () => resolve()));
      await reread(onChange, onEvent);
    },
    state(): SourceState {
      return { objects, problems, synced };
    },
    async stop() {
      await watcher?.close();
      await reading;
    },
  };
}
