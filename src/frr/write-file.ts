/** The file-system effects the applier needs, passed in so tests can use a temp folder or a fake. */
import { writeFileAtomic } from '../ops/write-file.js';

export interface ConfigFiles {
  readonly write: (path: string, text: string) => Promise<void>;
}

/** frr.conf and its candidate are written atomically (temporary file + rename, mode 0600). */
export const realConfigFiles: ConfigFiles = { write: writeFileAtomic };
