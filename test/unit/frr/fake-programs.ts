/** Tiny executable scripts standing in for FRR's tools, to test failure handling without FRR. */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakePrograms {
  readonly dir: string;
  /** Writes `dir/name` as a bash script with `body` and returns its path. */
  add(name: string, body: string): Promise<string>;
  remove(): Promise<void>;
}

export async function makeFakePrograms(): Promise<FakePrograms> {
  const dir = await mkdtemp(join(tmpdir(), 'frr-fakes-'));
  return {
    dir,
    async add(name, body) {
      const path = join(dir, name);
      await writeFile(path, `#!/bin/bash\n${body}\n`);
      await chmod(path, 0o755);
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
