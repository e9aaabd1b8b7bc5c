import { readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join, relative } from 'node:path';
import { decodeDocuments, type RawObject } from '../api/decode.js';
import type { Problem } from '../api/problems.js';
import { readManifests } from './read-ahead.js';
import { unreadableReason as reason } from './read-manifest.js';

const MANIFEST = /\.(ya?ml|json)$/i;

/**
 * Every manifest under `dir` (recursively, in path order so that results never depend on the
 * file system's listing order), decoded. Sources in problems are paths relative to `dir`.
 *
 * Symbolic links are followed, because every file of a Kubernetes ConfigMap volume is one
 * (`peer.yaml -> ..data/peer.yaml`); a folder reached twice (a link to a parent) is read once.
 * Only regular files are read: a link to a device or a FIFO would block or never end. A file that
 * cannot be read is a problem of that file, so the rest of the folder is still checked. Only `dir`
 * itself being unreadable throws (a usage error).
 *
 * The file system is read with synchronous calls, yielding to the event loop every
 * `FILES_PER_SLICE` files: a folder of one file per object (20,000 files for 10,000 Services and
 * their EndpointSlices) took 6 s through `fs/promises` (five thread-pool round trips per file) and
 * takes 0.3 s this way, while the sidecar's HTTP probes are still answered between slices. From
 * READ_AHEAD_MIN_FILES files on, those calls run on a worker thread, ahead of the decoding here
 * (`read-ahead.ts`).
 */
export async function readFolder(dir: string, cache?: DecodedFiles): Promise<FolderRead> {
  const problems: Problem[] = [];
  const fileProblem = (path: string, message: string): void => {
    const name = relative(dir, path) || path;
    problems.push({ severity: 'error', category: 'object', ref: { kind: 'File', namespace: '', name, source: name }, field: '', message });
  };
  const files: string[] = [];
  const pace = pacer();
  await listFiles(dir, new Set([realpathSync(dir)]), files, fileProblem, true, pace);
  const objects: RawObject[] = [];
  const seen = new Set<string>();
  let changed = cache === undefined;
  const plans = files.sort().map((file) => {
    const version = cache === undefined ? undefined : fileVersion(file);
    const hit = version === undefined ? undefined : cache?.get(file);
    return { file, version, decoded: hit !== undefined && hit.version === version ? hit : undefined };
  });
  // Files not decoded already are read ahead on a worker thread while this loop decodes.
  const reader = readManifests(plans.filter((p) => p.decoded === undefined).map((p) => p.file));
  try {
    for (const { file, version, decoded: cached } of plans) {
      await pace();
      seen.add(file);
      let decoded = cached;
      if (decoded === undefined) {
        changed = true; // new, edited, or unreadable (its problem is new to the caller too)
        const read = await reader.next();
        if ('problem' in read) {
          fileProblem(file, read.problem);
          cache?.delete(file);
          continue;
        }
        decoded = { version, ...decodeDocuments(read.text, relative(dir, file)) };
        if (version !== undefined) cache?.set(file, decoded);
      }
      // Loops, not push(...list): a spread of 100,000+ arguments overflows the stack.
      for (const o of decoded.objects) objects.push(o);
      for (const p of decoded.problems) problems.push(p);
    }
  } finally {
    reader.close();
  }
  for (const file of cache?.keys() ?? []) {
    if (seen.has(file)) continue;
    cache!.delete(file);
    changed = true; // removed
  }
  return { objects, problems, changed };
}

export interface FolderRead {
  readonly objects: RawObject[];
  readonly problems: Problem[];
  /**
   * Whether anything may differ from the last read with the same cache: a file decoded anew (new
   * or changed), unreadable, or gone. Always true without a cache. False means the objects and
   * problems are those of the last read.
   */
  readonly changed: boolean;
}

/**
 * What a watching source keeps between two reads of a folder: each file's decoded objects and
 * problems, with the version of the file they came from. A change to one file of 20,000 then
 * decodes that file alone instead of parsing every file's YAML again (most of a reread's time).
 * The objects are shared between reads: nothing downstream changes a decoded object.
 */
export type DecodedFiles = Map<string, { readonly version: string | undefined; readonly objects: readonly RawObject[]; readonly problems: readonly Problem[] }>;

/**
 * The version of the file a path leads to (links followed): which file (device, inode), its size
 * and its times in nanoseconds. Any write changes ctime, and so does a ConfigMap update (the
 * kubelet swaps a `..data` link to a new folder: new inodes), even when size and mtime are kept.
 * Undefined when the file cannot be stat'ed: it is then read, which files the problem.
 */
function fileVersion(path: string): string | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/** Files handled between two yields to the event loop. */
const FILES_PER_SLICE = 200;

/** Resolves at once, except every FILES_PER_SLICE-th call, which first lets pending I/O callbacks run. */
function pacer(): () => Promise<void> {
  let calls = 0;
  return () => (++calls % FILES_PER_SLICE === 0 ? new Promise((resolve) => setImmediate(resolve)) : Promise.resolve());
}

async function listFiles(
  dir: string,
  visited: Set<string>,
  out: string[],
  fileProblem: (path: string, message: string) => void,
  top: boolean,
  pace: () => Promise<void>,
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (top) throw err;
    fileProblem(dir, `this folder cannot be read: ${reason(err)}`);
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    await pace();
    const path = join(dir, e.name);
    let info: Stats | Dirent;
    try {
      // Only a link needs a stat (to follow it); the listing already says what anything else is.
      info = e.isSymbolicLink() ? statSync(path) : e;
    } catch (err) {
      // A dangling link or a loop of links (`a.yaml -> a.yaml`): only a manifest is worth a word.
      if (MANIFEST.test(e.name)) fileProblem(path, `cannot be read: ${reason(err)}`);
      continue;
    }
    if (info.isDirectory()) {
      const real = realpathOr(path);
      if (visited.has(real)) continue; // a link back to a folder already read: read it once
      visited.add(real);
      await listFiles(path, visited, out, fileProblem, false, pace);
    } else if (MANIFEST.test(e.name)) {
      if (info.isFile()) out.push(path);
      else fileProblem(path, 'is not a regular file (a device, FIFO or socket): only regular files are read');
    }
  }
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
