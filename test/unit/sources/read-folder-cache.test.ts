/**
 * The folder source decodes only the files that changed since its last read (`DecodedFiles`):
 * unchanged files give back the very objects of the last read, and every kind of change is seen,
 * including the ones that keep a file's size and modification time, and a ConfigMap volume's
 * `..data` link swapped to a new folder.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFolder, type DecodedFiles } from '../../../src/sources/read-folder.js';

const service = (name: string, ip: string) => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ ip: ${ip} }] } }
`;

/** A modification time in whole seconds, which utimes sets exactly (2026-01-01). */
const STAMP = 1_767_225_600;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'read-folder-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const names = (objects: readonly { metadata?: unknown }[]) => objects.map((o) => (o.metadata as { name: string }).name);
const ipOf = (o: unknown) => (o as { status: { loadBalancer: { ingress: { ip: string }[] } } }).status.loadBalancer.ingress[0]!.ip;

describe('readFolder with a cache of decoded files', () => {
  it('gives back the same objects for unchanged files and decodes a changed one again', async () => {
    writeFileSync(join(dir, 'a.yaml'), service('a', '198.51.100.1'));
    writeFileSync(join(dir, 'b.yaml'), service('b', '198.51.100.2'));
    const cache: DecodedFiles = new Map();
    const first = await readFolder(dir, cache);
    expect(names(first.objects)).toEqual(['a', 'b']);

    writeFileSync(join(dir, 'b.yaml'), service('b', '198.51.100.22'));
    const second = await readFolder(dir, cache);
    expect(second.objects[0]).toBe(first.objects[0]); // a.yaml was not decoded again
    expect(second.objects[1]).not.toBe(first.objects[1]);
    expect(ipOf(second.objects[1])).toBe('198.51.100.22');
    expect([first.changed, second.changed]).toEqual([true, true]);
    const third = await readFolder(dir, cache);
    expect(third.changed).toBe(false); // nothing decoded anew: the folder source stays quiet
    expect(third.objects).toEqual(second.objects);
  });

  it('sees a change that keeps the size and the modification time (ctime still moves)', async () => {
    const file = join(dir, 'a.yaml');
    writeFileSync(file, service('a', '198.51.100.1'));
    utimesSync(file, STAMP, STAMP); // a whole second: utimes can set it back exactly
    const cache: DecodedFiles = new Map();
    await readFolder(dir, cache);
    const before = statSync(file, { bigint: true });
    writeFileSync(file, service('a', '198.51.100.9'));
    utimesSync(file, STAMP, STAMP);
    const after = statSync(file, { bigint: true });
    expect([after.size, after.mtimeNs]).toEqual([before.size, before.mtimeNs]);
    expect(ipOf((await readFolder(dir, cache)).objects[0])).toBe('198.51.100.9');
  });

  it('sees files added and removed, and forgets removed ones', async () => {
    writeFileSync(join(dir, 'a.yaml'), service('a', '198.51.100.1'));
    const cache: DecodedFiles = new Map();
    await readFolder(dir, cache);
    writeFileSync(join(dir, 'c.yaml'), service('c', '198.51.100.3'));
    expect(names((await readFolder(dir, cache)).objects)).toEqual(['a', 'c']);
    rmSync(join(dir, 'a.yaml'));
    const afterRemoval = await readFolder(dir, cache);
    expect(names(afterRemoval.objects)).toEqual(['c']);
    expect(afterRemoval.changed).toBe(true); // a removal decodes nothing, and is still a change
    expect([...cache.keys()]).toEqual([join(dir, 'c.yaml')]);
  });

  it('follows a ConfigMap volume whose ..data link is swapped to a new folder', async () => {
    // The kubelet's layout: peer.yaml -> ..data/peer.yaml, ..data -> ..2026_12_01_v1 (a folder).
    mkdirSync(join(dir, '..v1'));
    writeFileSync(join(dir, '..v1', 'svc.yaml'), service('a', '198.51.100.1'));
    utimesSync(join(dir, '..v1', 'svc.yaml'), STAMP, STAMP);
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync(join('..data', 'svc.yaml'), join(dir, 'svc.yaml'));
    const cache: DecodedFiles = new Map();
    expect(ipOf((await readFolder(dir, cache)).objects[0])).toBe('198.51.100.1');

    mkdirSync(join(dir, '..v2'));
    writeFileSync(join(dir, '..v2', 'svc.yaml'), service('a', '198.51.100.2'));
    utimesSync(join(dir, '..v2', 'svc.yaml'), STAMP, STAMP); // same size, same mtime: another file
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    expect(ipOf((await readFolder(dir, cache)).objects[0])).toBe('198.51.100.2');
  });

  it('files a problem, and keeps no stale objects, when a cached file becomes unreadable', async () => {
    writeFileSync(join(dir, 'a.yaml'), service('a', '198.51.100.1'));
    const cache: DecodedFiles = new Map();
    await readFolder(dir, cache);
    writeFileSync(join(dir, 'a.yaml'), Buffer.from([0xff, 0xfe, 0x41, 0x00]));
    const after = await readFolder(dir, cache);
    expect(after.objects).toEqual([]);
    expect(after.problems).toEqual([expect.objectContaining({ message: expect.stringContaining('UTF-16') })]);
    expect(cache.size).toBe(0);
  });
});
