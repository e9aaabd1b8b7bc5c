/**
 * One manifest file's text, read as the folder source and `render --dir` read every file: only a
 * regular file, at most MAX_FILE_BYTES, UTF-8. Synchronous and free of shared state, so the same
 * function serves the main thread and the read-ahead worker (`read-ahead.ts`).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { MAX_FILE_BYTES } from '../api/limits.js';

/** The file's text, or why it is not read (a sentence that follows the file's name). */
export type ManifestText = { readonly text: string } | { readonly problem: string };

export function readManifestFile(path: string): ManifestText {
  let bytes: Buffer;
  try {
    // O_NONBLOCK: should the file have become a FIFO since it was listed, open does not wait.
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = fstatSync(fd);
      if (!info.isFile()) return { problem: 'is not a regular file (a device, FIFO or socket): only regular files are read' };
      if (info.size > MAX_FILE_BYTES) {
        return { problem: `is ${info.size} bytes: at most ${MAX_FILE_BYTES} bytes (MAX_FILE_BYTES) are read from one file; split it into several files` };
      }
      bytes = readAll(fd, info.size);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    return { problem: `cannot be read: ${unreadableReason(err)}` };
  }
  let problem = '';
  const text = decodeText(bytes, (message) => (problem = message));
  return text === undefined ? { problem } : { text };
}

/**
 * The file's first `size` bytes (its size as fstat gave it), as readFileSync(fd) reads a regular
 * file, without the second fstat that readFileSync makes: a few µs that count 20,000 times over.
 */
function readAll(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let length = 0;
  while (length < size) {
    const n = readSync(fd, buf, length, size - length, null);
    if (n === 0) break; // shrank since fstat
    length += n;
  }
  return buf.subarray(0, length);
}

/** One decoder for every file: with `fatal` and no streaming, decode() keeps no state between calls. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** UTF-8 (a BOM is dropped); UTF-16 and invalid UTF-8 are refused instead of read as garbage. */
export function decodeText(bytes: Uint8Array, fail: (message: string) => void): string | undefined {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    fail('is UTF-16 text: save it as UTF-8, which Kubernetes manifests use');
    return undefined;
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    fail('is not valid UTF-8 text (a binary file, or another encoding): save it as UTF-8');
    return undefined;
  }
}

/** Why a file or folder could not be read, in words. */
export function unreadableReason(err: unknown): string {
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
