/**
 * The folder source as the sidecar runs it: chokidar watching the folders (not every file), a read
 * after every burst of events, and `onChange` only when a manifest changed. Real files, real
 * inotify; each wait is for the source's own signal, bounded, and fails the test when it does not
 * come.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFolderSource } from '../../../src/sources/folder.js';
import type { Source } from '../../../src/sources/source.js';

const service = (name: string, ip: string) => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ ip: ${ip} }] } }
`;

let dir: string;
let outside: string;
let source: Source | undefined;
let changes = 0;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'folder-source-'));
  outside = mkdtempSync(join(tmpdir(), 'folder-source-outside-'));
  changes = 0;
});
afterEach(async () => {
  await source?.stop();
  source = undefined;
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

async function started(): Promise<Source> {
  source = createFolderSource(dir);
  await source.start(() => changes++);
  return source;
}

const names = (s: Source) => s.state().objects.map((o) => o.metadata.name).sort();
const ips = (s: Source) => s.state().objects.map((o) => (o as unknown as { status: { loadBalancer: { ingress: { ip: string }[] } } }).status.loadBalancer.ingress[0]!.ip).sort();

/** Waits (up to 5 s) until `cond` holds; fails naming what was awaited. */
async function until(what: string, cond: () => boolean): Promise<void> {
  const end = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The folders and files this process holds inotify watches on, counted from /proc (Linux). */
function inotifyWatches(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== 'anon_inode:inotify') continue;
    n += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
  }
  return n;
}

describe('the folder source (--source dir:)', () => {
  it('reads at start, then sees files edited, added, removed and a new subfolder', async () => {
    writeFileSync(join(dir, 'a.yaml'), service('a', '198.51.100.1'));
    const s = await started();
    expect(s.state().synced).toBe(true);
    expect(names(s)).toEqual(['a']);
    expect(changes).toBe(1);

    writeFileSync(join(dir, 'a.yaml'), service('a', '198.51.100.11'));
    await until('the edit', () => ips(s).includes('198.51.100.11'));

    writeFileSync(join(dir, 'b.yaml'), service('b', '198.51.100.2'));
    await until('the new file', () => names(s).includes('b'));

    rmSync(join(dir, 'a.yaml'));
    await until('the removal', () => !names(s).includes('a'));

    mkdirSync(join(dir, 'sub'));
    await new Promise((r) => setTimeout(r, 300)); // chokidar adds the new folder's watch
    writeFileSync(join(dir, 'sub', 'c.yaml'), service('c', '198.51.100.3'));
    await until('a file in a new subfolder', () => names(s).includes('c'));
    writeFileSync(join(dir, 'sub', 'c.yaml'), service('c', '198.51.100.33'));
    await until('an edit in the subfolder', () => ips(s).includes('198.51.100.33'));
  });

  it('sees an edit of a linked file whose target is outside the folder', async () => {
    writeFileSync(join(outside, 'peer.yaml'), service('linked', '198.51.100.4'));
    symlinkSync(join(outside, 'peer.yaml'), join(dir, 'peer.yaml'));
    const s = await started();
    expect(names(s)).toEqual(['linked']);
    writeFileSync(join(outside, 'peer.yaml'), service('linked', '198.51.100.44'));
    await until('the edit of the link target', () => ips(s).includes('198.51.100.44'));
  });

  it('follows a ConfigMap volume: the ..data link swapped to a new folder', async () => {
    mkdirSync(join(dir, '..v1'));
    writeFileSync(join(dir, '..v1', 'svc.yaml'), service('cm', '198.51.100.5'));
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync('..data/svc.yaml', join(dir, 'svc.yaml'));
    const s = await started();
    expect(ips(s)).toEqual(['198.51.100.5']);
    // What the kubelet does: a new folder, a new link beside, renamed over ..data, the old folder removed.
    mkdirSync(join(dir, '..v2'));
    writeFileSync(join(dir, '..v2', 'svc.yaml'), service('cm', '198.51.100.55'));
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    rmSync(join(dir, '..v1'), { recursive: true });
    await until('the swapped ConfigMap', () => ips(s).includes('198.51.100.55'));
  });

  it('watches folders, not each file: 300 files cost a handful of watches', async () => {
    const before = inotifyWatches();
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, `svc-${i}.yaml`), service(`s${i}`, `198.51.100.${i % 250}`));
    mkdirSync(join(dir, 'more'));
    writeFileSync(join(dir, 'more', 'x.yaml'), service('x', '198.51.100.251'));
    const s = await started();
    await new Promise((r) => setTimeout(r, 500)); // the scan is done ('ready')
    expect(s.state().objects).toHaveLength(301);
    const watches = inotifyWatches() - before;
    expect(watches).toBeGreaterThanOrEqual(1);
    expect(watches).toBeLessThanOrEqual(4); // the folder and its subfolder (a watch per file: 301+)
  });

  it('says nothing when an event changed no manifest', async () => {
    writeFileSync(join(dir, 'a.yaml'), service('a', '198.51.100.1'));
    const s = await started();
    await new Promise((r) => setTimeout(r, 500)); // the reread after 'ready' finds nothing new
    expect(changes).toBe(1);
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest'); // an event, but no manifest changed
    await new Promise((r) => setTimeout(r, 500));
    expect(changes).toBe(1);
    writeFileSync(join(dir, 'a.yaml'), service('a', '198.51.100.9'));
    await until('the edit', () => changes === 2);
    expect(ips(s)).toEqual(['198.51.100.9']);
  });
});
