import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { decodeDocuments, type RawObject } from '../api/decode.js';
import type { Problem } from '../api/problems.js';

const MANIFEST = /\.(ya?ml|json)$/i;

/**
 * Every manifest under `dir` (recursively, in path order so that results never depend on the
 * file system's listing order), decoded. Sources in problems are paths relative to `dir`.
 */
export async function readFolder(dir: string): Promise<{ objects: RawObject[]; problems: Problem[] }> {
  const files = (await listFiles(dir)).filter((f) => MANIFEST.test(f)).sort();
  const objects: RawObject[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const decoded = decodeDocuments(text, relative(dir, file));
    objects.push(...decoded.objects);
    problems.push(...decoded.problems);
  }
  return { objects, problems };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}
