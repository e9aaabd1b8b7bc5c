/**
 * The read-ahead worker gives, in order, exactly what reading each file on the main thread gives
 * (texts and problems alike), and a worker that cannot start or dies half-way costs speed, never a
 * file. The real worker is the built one (`dist/`, rebuilt when a source is newer): Jest runs the
 * TypeScript sources, where the worker's own file does not exist as JavaScript.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readManifests } from '../../../src/sources/read-ahead.js';
import { readManifestFile, type ManifestText } from '../../../src/sources/read-manifest.js';
import { ensureBuilt, ROOT } from '../../hostile/run.js';

let dir: string;
let paths: string[];

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'read-ahead-'));
  paths = [];
  for (let i = 0; i < 1_200; i++) {
    const path = join(dir, `svc-${String(i).padStart(4, '0')}.yaml`);
    writeFileSync(path, `apiVersion: v1\nkind: Service\nmetadata: { name: s${i}, namespace: shop }\n`);
    paths.push(path);
  }
  // Files that are not read, each at its place in the order.
  writeFileSync(join(dir, 'binary.yaml'), Buffer.from([0xc3, 0x28, 0x00, 0xff]));
  writeFileSync(join(dir, 'utf16.yaml'), Buffer.from([0xff, 0xfe, 0x61, 0x00]));
  symlinkSync(join(dir, 'nowhere.yaml'), join(dir, 'dangling.yaml'));
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  paths.splice(10, 0, join(dir, 'binary.yaml'));
  paths.splice(300, 0, join(dir, 'utf16.yaml'));
  paths.splice(700, 0, join(dir, 'dangling.yaml'));
  paths.splice(1_100, 0, join(dir, 'fifo.yaml'));
}, 120_000); // a rebuild of dist/ when a source is newer
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function takeAll(reader: ReturnType<typeof readManifests>, n: number): Promise<ManifestText[]> {
  const out: ManifestText[] = [];
  try {
    for (let i = 0; i < n; i++) out.push(await reader.next());
  } finally {
    reader.close();
  }
  return out;
}

const BUILT_WORKER = pathToFileURL(join(ROOT, 'dist', 'sources', 'read-ahead-worker.js'));

describe('readManifests', () => {
  it('the worker gives what the main thread reads, file by file and in order', async () => {
    const expected = paths.map(readManifestFile);
    expect(expected.filter((t) => 'problem' in t)).toHaveLength(4);
    const reader = readManifests(paths, { workerUrl: BUILT_WORKER });
    const got = await takeAll(reader, paths.length);
    expect(got).toEqual(expected);
    expect(reader.fromWorker()).toBe(paths.length); // every file came from the worker
  });

  it('a worker that cannot start: every file is read on the main thread', async () => {
    const reader = readManifests(paths, { workerUrl: pathToFileURL(join(dir, 'no-such-worker.js')) });
    expect(await takeAll(reader, paths.length)).toEqual(paths.map(readManifestFile));
    expect(reader.fromWorker()).toBe(0);
  });

  it('a worker that dies half-way: the rest is read on the main thread', async () => {
    // Posts the first 300 files as the real worker would, then exits.
    const dying = join(dir, 'dying-worker.mjs');
    writeFileSync(
      dying,
      `import { parentPort, workerData } from 'node:worker_threads';
import { readManifestFile } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'sources', 'read-manifest.js')).href)};
parentPort.postMessage(workerData.paths.slice(0, 300).map(readManifestFile));
process.exit(3);
`,
    );
    const reader = readManifests(paths, { workerUrl: pathToFileURL(dying) });
    expect(await takeAll(reader, paths.length)).toEqual(paths.map(readManifestFile));
    expect(reader.fromWorker()).toBe(300);
  });

  it('closed before the end: stops the worker, and a small list needs none', async () => {
    const early = readManifests(paths, { workerUrl: BUILT_WORKER });
    expect(await takeAll(early, 5)).toEqual(paths.slice(0, 5).map(readManifestFile));
    const small = readManifests(paths.slice(0, 20), { workerUrl: BUILT_WORKER });
    expect(await takeAll(small, 20)).toEqual(paths.slice(0, 20).map(readManifestFile));
    expect(small.fromWorker()).toBe(0); // under READ_AHEAD_MIN_FILES: read where they are decoded
  });
});
