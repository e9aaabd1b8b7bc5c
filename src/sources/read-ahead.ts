/**
 * Reads a folder's manifests on a worker thread while the main thread decodes the ones already
 * read. With one file per object, opening and reading 20,000 files costs the main thread ~0.3 s of
 * system calls (100,000: ~1.5 s) next to ~30 µs of YAML decoding per file; the worker takes the
 * system calls to the other core. The texts come back in the order of `paths`, each exactly what
 * `readManifestFile` gives on the main thread.
 *
 * Should the worker fail to start or die (its file missing, as when the sources run untranspiled
 * under Jest; out of memory), the files it has not delivered are read on the main thread: slower,
 * never different.
 */
import { Worker } from 'node:worker_threads';
import type { ReadAheadAck, ReadAheadJob } from './read-ahead-worker.js';
import { readManifestFile, type ManifestText } from './read-manifest.js';

/** Below this many files a worker's start (~90 ms before its first file arrives, measured) costs more than it saves. */
export const READ_AHEAD_MIN_FILES = 1_000;

/**
 * Files per message, and the most files read and not yet taken (a bound on memory: ~1.2 MB of
 * text at 300 bytes a file). Measured at 100,000 files: 64 and 512 left the reader waiting on
 * the worker (4.7 s), 256 and 4,096 did not (3.5 s); larger gained nothing.
 */
const BATCH = 256;
const WINDOW = 4_096;

const WORKER_URL = new URL('./read-ahead-worker.js', import.meta.url);

export interface ManifestReader {
  /** The text of the next path (the first call gives `paths[0]`). */
  next(): Promise<ManifestText>;
  /** Stops the worker; safe to call more than once, and before every file was taken. */
  close(): void;
  /** How many of the texts taken so far the worker read (the rest were read on this thread). */
  fromWorker(): number;
}

export function readManifests(paths: readonly string[], opts: { minFiles?: number; workerUrl?: URL } = {}): ManifestReader {
  let taken = 0;
  if (paths.length < (opts.minFiles ?? READ_AHEAD_MIN_FILES)) {
    return { next: async () => readManifestFile(paths[taken++]!), close: () => undefined, fromWorker: () => 0 };
  }

  const texts: (ManifestText | undefined)[] = [];
  let received = 0;
  let fromWorker = 0;
  let stopped = false; // the worker failed, exited, or was closed: the main thread reads the rest
  let wake: (() => void) | undefined;
  const signal = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let worker: Worker | undefined;
  try {
    const job: ReadAheadJob = { paths, batch: BATCH, window: WINDOW };
    worker = new Worker(opts.workerUrl ?? WORKER_URL, { workerData: job });
    worker.on('message', (batch: ManifestText[]) => {
      for (const t of batch) texts[received++] = t;
      signal();
    });
    worker.on('error', () => {
      stopped = true;
      signal();
    });
    worker.on('exit', () => {
      stopped = true;
      signal();
    });
  } catch {
    stopped = true;
  }
  const close = (): void => {
    stopped = true;
    void worker?.terminate();
    worker = undefined;
  };

  return {
    async next() {
      const i = taken++;
      while (i >= received && !stopped) await new Promise<void>((resolve) => (wake = resolve));
      if (i >= received) return readManifestFile(paths[i]!);
      const text = texts[i]!;
      texts[i] = undefined; // held only until taken
      fromWorker++;
      if (i + 1 === paths.length) close();
      else if ((i + 1) % BATCH === 0) worker?.postMessage({ taken: i + 1 } satisfies ReadAheadAck);
      return text;
    },
    close,
    fromWorker: () => fromWorker,
  };
}
