/**
 * The read-ahead worker (`read-ahead.ts`): reads the files it is given, in order, and posts their
 * texts in batches, never more than `window` files ahead of what the main thread has taken.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readManifestFile, type ManifestText } from './read-manifest.js';

export interface ReadAheadJob {
  readonly paths: readonly string[];
  /** Files per message. */
  readonly batch: number;
  /** At most this many files read and not yet taken by the main thread. */
  readonly window: number;
}

/** What the main thread tells the worker: how many files it has taken so far. */
export interface ReadAheadAck {
  readonly taken: number;
}

const port = parentPort;
if (port !== null) {
  const { paths, batch, window } = workerData as ReadAheadJob;
  let next = 0;
  let taken = 0;
  const pump = (): void => {
    while (next < paths.length && next - taken < window) {
      const texts: ManifestText[] = [];
      for (const end = Math.min(paths.length, next + batch); next < end; next++) texts.push(readManifestFile(paths[next]!));
      port.postMessage(texts);
    }
  };
  port.on('message', (ack: ReadAheadAck) => {
    taken = ack.taken;
    pump();
  });
  pump();
}
