import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { q } from '../api/problems.js';

// The one atomic write of the project: `render --out` (cli/main.ts) and the sidecar's frr.conf
// (frr/write-file.ts) both go through writeFileAtomic.

/**
 * The path may not be replaced: it is a symbolic link, a folder, a device, a FIFO or a socket.
 * A usage error (exit 2): replacing `/dev/full` or the target of a link is never what was meant.
 */
export class UnsafeOutputError extends Error {
  override readonly name = 'UnsafeOutputError';
}

/** Writing failed (no space left, read-only file system, permission denied...); nothing was replaced. */
export class OutputWriteError extends Error {
  override readonly name = 'OutputWriteError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Writes `text` to `path` so that nobody ever reads half of it, and nothing but `path` changes:
 * - `path` must be a regular file or not exist yet; anything else is refused (UnsafeOutputError);
 * - the temporary file, in the same folder, has an unpredictable name and is created with
 *   O_EXCL | O_NOFOLLOW and mode 0600 (frr.conf holds BGP passwords): a link or file planted at
 *   that name makes the open fail instead of being followed or reused;
 * - it is written and flushed, then renamed over `path` (rename replaces the entry, never follows it);
 * - the temporary file is removed whatever fails, and errors (ENOSPC...) become OutputWriteError.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await checkReplaceable(path);
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(8).toString('hex')}`);
  let handle: FileHandle | undefined;
  let created = false;
  let renamed = false;
  try {
    handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    created = true;
    await handle.chmod(0o600); // whatever the umask
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await checkReplaceable(path); // again just before the rename, to narrow the window for a swap
    await rename(tmp, path);
    renamed = true;
  } catch (err) {
    if (err instanceof UnsafeOutputError) throw err;
    throw writeError(path, err);
  } finally {
    await handle?.close().catch(() => undefined);
    if (created && !renamed) await unlink(tmp).catch(() => undefined);
  }
}

async function checkReplaceable(path: string): Promise<void> {
  let info: Stats;
  try {
    info = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // a new file
    throw writeError(path, err);
  }
  if (info.isFile()) return;
  const what = info.isSymbolicLink()
    ? 'a symbolic link (its target would not be written; give the path of the file itself)'
    : info.isDirectory()
      ? 'a folder (give the path of a file in it)'
      : info.isFIFO()
        ? 'a FIFO'
        : info.isSocket()
          ? 'a socket'
          : 'a device';
  throw new UnsafeOutputError(`${q(path)} is ${what}: only a regular file or a new path is written`);
}

const REASONS: ReadonlyMap<string, string> = new Map([
  ['ENOSPC', 'no space left on the device'],
  ['EDQUOT', 'disk quota exceeded'],
  ['EROFS', 'read-only file system'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'operation not permitted'],
  ['ENOENT', 'the folder does not exist'],
  ['ENOTDIR', 'a part of the path is not a folder'],
  ['EEXIST', 'the temporary file already exists'],
  ['ELOOP', 'a symbolic link is in the way'],
  ['EIO', 'input/output error'],
]);

function writeError(path: string, err: unknown): OutputWriteError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why = (code && REASONS.get(code)) ?? String((err as Error)?.message ?? err);
  return new OutputWriteError(`cannot write ${q(path)}: ${why}${code ? ` (${code})` : ''}; the previous file is unchanged`, code);
}
