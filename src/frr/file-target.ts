import { readFile } from 'node:fs/promises';
import { writeStage } from './apply-error.js';
import type { ConfigTarget } from './frr-target.js';
import type { ConfigFiles } from './write-file.js';

/** Only writes the file: for `--apply never`, and for `auto` when no FRR answers. */
export function createFileTarget(path: string, files: ConfigFiles, why: string): ConfigTarget {
  return {
    async apply(config) {
      await writeStage(files, path, config);
      return { passes: 0, path: 'file', description: `written to ${path} without applying (${why})` };
    },
    async difference(config) {
      return (await readFile(path, 'utf8').catch(() => undefined)) === config ? [] : [`${path} holds another config`];
    },
    async persist(config) {
      // difference() is empty only when the file holds the config already.
      if ((await readFile(path, 'utf8').catch(() => undefined)) !== config) await writeStage(files, path, config);
    },
    async fingerprint() {
      return undefined;
    },
    async environment() {
      return undefined;
    },
    async forwarding() {
      return undefined;
    },
    async daemonsDown() {
      return undefined;
    },
  };
}
