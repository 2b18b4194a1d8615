import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DecoyStore, readMountPoints } from '../src/index.js';
import type { PlantRequest } from '../src/index.js';

const base = mkdtempSync(join(tmpdir(), 'decoy-store-'));
const stores: DecoyStore[] = [];
const MTIME = new Date('2026-11-02T10:00:00Z');

const projected = (trapId: string): PlantRequest => ({
  trapId,
  name: 'eks',
  destination: '/var/run/secrets/eks.amazonaws.com/serviceaccount',
  layout: 'projected',
  files: [{ name: 'token', content: Buffer.from('eyJhbGciOi.x.y') }],
  mode: 0o644,
  owner: { uid: 0, gid: 0 },
  mtime: MTIME,
  record: (hostPath) => JSON.stringify({ trapId, hostPath }),
});
const file = (trapId: string, name = 'credentials'): PlantRequest => ({
  trapId,
  name: 'aws',
  destination: `/root/.aws/${name}`,
  layout: 'file',
  files: [{ name, content: Buffer.from('[default]\n') }],
  mode: 0o600,
  owner: { uid: 1000, gid: 2000 },
  mtime: MTIME,
});

async function open(root: string, spares = 0) {
  const store = await DecoyStore.open({ root, spares });
  stores.push(store);
  return store;
}
const mountsUnder = (dir: string) => readMountPoints(dir).size;

afterEach(async () => {
  for (const store of stores.splice(0)) {
    await store.close();
    for (const c of store.containers()) await store.remove(c.containerId);
  }
});
afterAll(() => {
  for (const point of [...readMountPoints(base)].sort().reverse()) execFileSync('umount', [point]);
  rmSync(base, { recursive: true, force: true });
});

describe('DecoyStore: one tmpfs per container', () => {
  it('writes a projected decoy in the ..data layout and a file decoy, on a tmpfs of the container', async () => {
    const root = join(base, 'a');
    const store = await open(root);
    const stored = await store.plant('c1', [projected('t1'), file('t2')]);
    expect(readMountPoints(root)).toEqual(new Set([stored.slot]));
    expect(execFileSync('findmnt', ['-n', '-o', 'FSTYPE,SOURCE', stored.slot], { encoding: 'utf8' }).trim()).toBe('tmpfs  tmpfs');

    const [eks, aws] = stored.traps;
    const dir = eks!.source;
    const payload = readlinkSync(join(dir, '..data'));
    expect(payload).toMatch(/^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d{9}$/);
    expect(readlinkSync(join(dir, 'token'))).toBe('..data/token');
    expect(readdirSync(dir).sort()).toEqual(['..data', payload, 'token'].sort());
    expect(eks!.hostPath).toBe(join(dir, payload, 'token'));
    expect(readFileSync(join(dir, 'token'), 'utf8')).toBe('eyJhbGciOi.x.y');
    expect(statSync(dir).mode & 0o7777).toBe(0o1777);
    expect(statSync(eks!.hostPath).mode & 0o777).toBe(0o644);
    expect(statSync(eks!.hostPath).mtime).toEqual(MTIME);
    expect(lstatSync(join(dir, '..data')).isSymbolicLink()).toBe(true);
    expect(eks!.record).toBe(JSON.stringify({ trapId: 't1', hostPath: eks!.hostPath }));

    expect(aws!.source).toBe(aws!.hostPath);
    expect(aws!.hostPath).toBe(join(stored.slot, 'credentials'));
    const st = statSync(aws!.hostPath);
    expect([st.mode & 0o777, st.uid, st.gid, st.mtime]).toEqual([0o600, 1000, 2000, MTIME]);
  });

  it('removes a container: its tmpfs unmounted and its directory gone', async () => {
    const root = join(base, 'b');
    const store = await open(root);
    const stored = await store.plant('c1', [projected('t1')]);
    expect(await store.remove('c1')).toBe(true);
    expect(mountsUnder(root)).toBe(0);
    expect(existsSync(stored.slot)).toBe(false);
    expect(await store.remove('c1')).toBe(false);
  });

  it('is rebuilt from its mounts after a restart; retainOnly removes the containers that are gone', async () => {
    const root = join(base, 'c');
    const first = await open(root);
    for (const id of ['c1', 'c2', 'c3']) await first.plant(id, [projected(`${id}-t`), file(`${id}-f`)]);
    // The injector goes away without unmounting anything (kill -9).
    stores.splice(stores.indexOf(first), 1);
    const second = await open(root);
    expect(second.containers().map((c) => c.containerId).sort()).toEqual(['c1', 'c2', 'c3']);
    expect(second.get('c2')?.traps.map((t) => t.trapId)).toEqual(['c2-t', 'c2-f']);
    expect(second.get('c2')?.traps[0]?.record).toContain('c2-t');
    expect((await second.retainOnly(new Set(['c2']))).sort()).toEqual(['c1', 'c3']);
    expect(mountsUnder(root)).toBe(1);
  });

  it('keeps spare mounts ready, uses them, refills, and unmounts the spares on close', async () => {
    const root = join(base, 'd');
    const store = await open(root, 3);
    await expect.poll(() => store.spareCount).toBe(3);
    expect(mountsUnder(root)).toBe(3);
    await store.plant('c1', [file('t1')]);
    await expect.poll(() => store.spareCount).toBe(3);
    expect(mountsUnder(root)).toBe(4);
    await store.close();
    expect(mountsUnder(root)).toBe(1);
  });

  it('leaves nothing behind when writing fails, and reports a full state directory', async () => {
    const root = join(base, 'e');
    const store = await open(root);
    const bad = { ...file('t1'), files: [{ name: 'x/y', content: Buffer.from('') }] };
    await expect(store.plant('c1', [bad])).rejects.toThrow(/BEESTING_ERR_DECOY_STORE: decoys of c1: ENOENT/);
    expect(mountsUnder(root)).toBe(0);
    expect(readdirSync(root)).toEqual([]);

    const full = join(base, 'full');
    execFileSync('mkdir', ['-p', full]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k,nr_inodes=3', 'tmpfs', full]);
    writeFileSync(join(full, 'filler'), Buffer.alloc(16 * 1024));
    const cramped = await open(join(full, 'decoys'));
    await expect(cramped.plant('c1', [file('t1')])).rejects.toThrow(/BEESTING_ERR_DECOY_STORE: cannot create .*: ENOSPC/);
    expect(cramped.containers()).toEqual([]);
  });
});
