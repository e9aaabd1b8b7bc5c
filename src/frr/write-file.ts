import { rename, rm, writeFile } from 'node:fs/promises';

/**
 * Writes `text` to `path` so that nobody ever reads half of it: a temp file in the same folder,
 * then a rename. Mode 0600: frr.conf holds BGP passwords.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The file-system effects the applier needs, passed in so tests can use a temp folder or a fake. */
export interface ConfigFiles {
  readonly write: (path: string, text: string) => Promise<void>;
}

export const realConfigFiles: ConfigFiles = { write: writeFileAtomic };
