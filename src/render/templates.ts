import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplateSources } from './renderer.js';

/** `templates/` at the package root, from both `src/render` (tests) and `dist/render` (built). */
export const TEMPLATES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

/** Reads `frr.conf.hbs` and every `partials/*.hbs` (the partial's name is its file name). */
export async function loadTemplates(dir: string = TEMPLATES_DIR): Promise<TemplateSources> {
  const main = await readFile(join(dir, 'frr.conf.hbs'), 'utf8');
  const partialDir = join(dir, 'partials');
  const files = (await readdir(partialDir)).filter((f) => f.endsWith('.hbs')).sort();
  const partials: Record<string, string> = {};
  for (const f of files) partials[basename(f, '.hbs')] = await readFile(join(partialDir, f), 'utf8');
  return { main, partials };
}
