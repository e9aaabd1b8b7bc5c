/**
 * Puts the model's manifests where the sidecar reads them: files in the `dir:` folder, or objects
 * in the fake API server. Only what changed is written, so each change is one event for the
 * sidecar, as an operator's edit or a controller's update would be.
 */
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeApiServer } from '../integration/fake-apiserver.js';
import { objectKey, type Breakage, type Json, type Manifest } from './model.js';

export interface InputWriter {
  /**
   * Makes the source hold `manifests`, with `breakage` laid over them when given. Returns false
   * when nothing changed (nothing was written, so the sidecar sees no event).
   */
  write(manifests: readonly Manifest[], breakage: Breakage | undefined): boolean;
}

/** The manifests with a breakage's edit applied (on copies). */
export function withBreakage(manifests: readonly Manifest[], breakage: Breakage | undefined): Manifest[] {
  const copies = manifests.map((m) => ({ file: m.file, object: structuredClone(m.object) }));
  if (breakage === undefined) return copies;
  const objects = copies.map((m) => m.object);
  const before = new Set(objects);
  breakage.edit(objects);
  // An edit may add an object (an advertisement to break when there is none).
  for (const o of objects) if (!before.has(o)) copies.push({ file: 'broken.yaml', object: o });
  return copies;
}

/** File name -> content: one JSON document per line (JSON is YAML), `---` between them. */
export function folderFiles(manifests: readonly Manifest[]): Map<string, string> {
  const files = new Map<string, Json[]>();
  for (const m of manifests) files.set(m.file, [...(files.get(m.file) ?? []), m.object]);
  return new Map([...files].map(([file, objects]) => [file, `${objects.map((o) => JSON.stringify(o)).join('\n---\n')}\n`]));
}

/** Writes a whole folder at once (the snapshot the oracle renders). */
export function writeFolderSnapshot(dir: string, manifests: readonly Manifest[]): void {
  for (const [file, text] of folderFiles(manifests)) writeFileSync(join(dir, file), text);
}

/**
 * The cut a half-written file shows: the start of its first document, ending inside a JSON flow
 * mapping, so it never parses (a cut between documents could be valid YAML with fewer objects).
 */
export function halfWritten(text: string): string {
  const first = text.split('\n')[0] ?? '';
  const cut = first.length > 20 ? first.slice(0, Math.floor(first.length / 2)) : '{"apiVersion":"v1","kind":"Service","metadata":{"name":"cut';
  return cut.endsWith('}') ? cut.slice(0, -1) : cut;
}

export function folderWriter(dir: string): InputWriter {
  const written = new Map<string, string>();
  return {
    write(manifests, breakage) {
      const files = folderFiles(withBreakage(manifests, breakage));
      const cut = breakage?.halfWritten;
      if (cut !== undefined) files.set(cut, halfWritten(files.get(cut) ?? ''));
      let changed = false;
      for (const [file, text] of files) {
        if (written.get(file) === text) continue;
        changed = true;
        if (file === cut) {
          // Written in place, as a copy caught half-way leaves it.
          writeFileSync(join(dir, file), text);
        } else {
          // Whole file, then rename: what editors and kubectl-less tooling should do.
          const tmp = join(dir, `.${file}.tmp`);
          writeFileSync(tmp, text);
          renameSync(tmp, join(dir, file));
        }
        written.set(file, text);
      }
      for (const file of [...written.keys()]) {
        if (files.has(file)) continue;
        if (existsSync(join(dir, file))) rmSync(join(dir, file));
        written.delete(file);
        changed = true;
      }
      return changed;
    },
  };
}

export function apiServerWriter(server: FakeApiServer): InputWriter {
  const written = new Map<string, string>();
  return {
    write(manifests, breakage) {
      const objects = new Map(withBreakage(manifests, breakage).map((m) => [objectKey(m.object), m.object]));
      let changed = false;
      for (const [key, object] of objects) {
        const text = JSON.stringify(object);
        if (written.get(key) === text) continue;
        changed = true;
        server.put(structuredClone(object));
        written.set(key, text);
      }
      for (const key of [...written.keys()]) {
        if (objects.has(key)) continue;
        const [apiVersion = '', kind = '', ref = ''] = key.split(' ');
        const [namespace = '', name = ''] = ref.split('/');
        server.remove(apiVersion, kind, namespace === '' ? undefined : namespace, name);
        written.delete(key);
        changed = true;
      }
      return changed;
    },
  };
}
