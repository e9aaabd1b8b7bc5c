import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join, relative } from 'node:path';
import { decodeDocuments, type RawObject } from '../api/decode.js';
import { MAX_FILE_BYTES } from '../api/limits.js';
import type { Problem } from '../api/problems.js';

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
 * takes 0.3 s this way, while the sidecar's HTTP probes are still answered between slices.
 */
export async function readFolder(dir: string, cache?: DecodedFiles): Promise<{ objects: RawObject[]; problems: Problem[] }> {
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
  for (const file of files.sort()) {
    await pace();
    seen.add(file);
    const version = cache === undefined ? undefined : fileVersion(file);
    let decoded = version === undefined ? undefined : cache?.get(file);
    if (decoded === undefined || decoded.version !== version) {
      const text = readManifest(file, fileProblem);
      if (text === undefined) {
        cache?.delete(file);
        continue;
      }
      decoded = { version, ...decodeDocuments(text, relative(dir, file)) };
      if (version !== undefined) cache?.set(file, decoded);
    }
    // Loops, not push(...list): a spread of 100,000+ arguments overflows the stack.
    for (const o of decoded.objects) objects.push(o);
    for (const p of decoded.problems) problems.push(p);
  }
  for (const file of cache?.keys() ?? []) if (!seen.has(file)) cache!.delete(file);
  return { objects, problems };
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

/** The file's text, or undefined with a problem filed: too large, unreadable, or not UTF-8. */
function readManifest(path: string, fileProblem: (path: string, message: string) => void): string | undefined {
  let bytes: Buffer;
  try {
    // O_NONBLOCK: should the file have become a FIFO since it was listed, open does not wait.
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = fstatSync(fd);
      if (!info.isFile()) {
        fileProblem(path, 'is not a regular file (a device, FIFO or socket): only regular files are read');
        return undefined;
      }
      if (info.size > MAX_FILE_BYTES) {
        fileProblem(path, `is ${info.size} bytes: at most ${MAX_FILE_BYTES} bytes (MAX_FILE_BYTES) are read from one file; split it into several files`);
        return undefined;
      }
      bytes = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    fileProblem(path, `cannot be read: ${reason(err)}`);
    return undefined;
  }
  return decodeText(bytes, (message) => fileProblem(path, message));
}

/** UTF-8 (a BOM is dropped); UTF-16 and invalid UTF-8 are refused instead of read as garbage. */
export function decodeText(bytes: Uint8Array, fail: (message: string) => void): string | undefined {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    fail('is UTF-16 text: save it as UTF-8, which Kubernetes manifests use');
    return undefined;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    fail('is not valid UTF-8 text (a binary file, or another encoding): save it as UTF-8');
    return undefined;
  }
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'a loop of symbolic links';
    case 'ENOENT':
      return 'it is a symbolic link to nothing';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return e.code ?? 'unknown error';
  }
}
