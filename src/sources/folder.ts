/**
 * `--source dir:PATH`: the manifests of a folder, watched with chokidar. Every change lists the
 * whole folder again (a full listing is always consistent: no event to miss) but decodes only the
 * files whose version changed (`DecodedFiles`); a half-written or invalid file shows up as a
 * problem, so the reconciler keeps the last good config until the file is fixed.
 *
 * Since any event means "read the folder again", chokidar watches the folders only (and links to
 * files, whose targets may live elsewhere), and the source listens to its `raw` events: inotify on
 * a folder reports every file created, written, renamed or removed in it. A watch per file, as
 * chokidar sets up by default, cost 2.3-3.3 s of CPU before 'ready' at 20,000 files; folders only,
 * about 0.6 s.
 */
import { lstatSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { RawObject } from '../api/decode.js';
import type { Problem } from '../api/problems.js';
import { readFolder, type DecodedFiles } from './read-folder.js';
import type { Source, SourceEvent, SourceState } from './source.js';

/**
 * Quiet time after the last event before the folder is read again. Editors and `kubectl cp` write
 * in several steps; a read between two of them finds a half-written file, which is a problem kept
 * until the next event, never a partial config (chokidar's awaitWriteFinish waited the same 100 ms).
 */
export const SETTLE_MS = 100;

export function createFolderSource(dir: string): Source {
  const root = resolve(dir);
  let objects: RawObject[] = [];
  let problems: Problem[] = [];
  let synced = false;
  let watcher: FSWatcher | undefined;
  let settle: NodeJS.Timeout | undefined;
  let stopped = false;
  let reading: Promise<void> = Promise.resolve();
  const decoded: DecodedFiles = new Map();

  const reread = (onChange: () => void, onEvent?: (e: SourceEvent) => void) => {
    // Reads are chained so a slow read never overwrites a newer one.
    reading = reading.then(async () => {
      let changed: boolean;
      try {
        const r = await readFolder(dir, decoded);
        objects = r.objects;
        problems = r.problems;
        changed = r.changed;
      } catch (err) {
        onEvent?.({ type: 'error', resource: `dir:${dir}`, error: String((err as Error)?.message ?? err) });
        return;
      }
      if (!synced) {
        synced = true;
        onEvent?.({ type: 'synced', resource: `dir:${dir}` });
      } else if (!changed) {
        return; // an event that changed no manifest (a file touched, the scan's own reread)
      }
      onChange();
    });
    return reading;
  };

  return {
    async start(onChange, onEvent) {
      const soon = (): void => {
        if (stopped) return;
        clearTimeout(settle);
        settle = setTimeout(() => void reread(onChange, onEvent), SETTLE_MS);
      };
      // The first read goes first, alone on the main thread: chokidar's scan (~0.5 s of CPU at
      // 20,000 entries) then runs while the reconciler renders and FRR loads the config. A change
      // made before a folder's watch exists is caught by one more read once the scan is done
      // ('ready'), which compares every file's version with what was read and says nothing when
      // nothing changed.
      await reread(onChange, onEvent);
      if (stopped) return;
      watcher = watch(dir, {
        ignoreInitial: true,
        // Hidden entries are not read (`readFolder`), so not watched: a `.git` folder would cost a
        // watch per folder of it. A ConfigMap update swaps the `..data` link in the top folder,
        // which the top folder's own watch reports.
        ignored: (path, stats) => {
          if (resolve(path) !== root && basename(path).startsWith('.')) return true;
          return stats?.isFile() === true && !isLink(path);
        },
      });
      watcher.on('raw', soon);
      watcher.on('all', soon);
      watcher.on('error', (err) => onEvent?.({ type: 'error', resource: `dir:${dir}`, error: String(err) }));
      watcher.once('ready', soon);
    },
    state(): SourceState {
      return { objects, problems, synced };
    },
    async stop() {
      stopped = true;
      clearTimeout(settle);
      await watcher?.close();
      await reading;
    },
  };
}

/** Whether `path` is a symbolic link (its target, maybe outside the folder, needs its own watch). */
function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
