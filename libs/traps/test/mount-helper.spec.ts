import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MountHelper, readMountPoints } from '../src/index.js';

const base = mkdtempSync(join(tmpdir(), 'mount-helper-'));
afterAll(() => {
  for (const point of readMountPoints(base)) execFileSync('umount', ['--lazy', point]);
  rmSync(base, { recursive: true, force: true });
});

describe.each([
  ['the compiled helper (mount(2))', true],
  ['the shell fallback (mount(8))', false],
])('MountHelper: %s', (name, native) => {
  const helper = new MountHelper(native);
  const dir = join(base, native ? 'native' : 'shell');
  mkdirSync(dir);
  afterAll(() => helper.close());

  it('is built where the tests run', () => {
    // CI builds it (nx run traps:native); the fallback exists for machines without a compiler.
    expect(helper.native).toBe(native);
  });

  it('mounts a tmpfs named tmpfs with the options asked, and unmounts it', async () => {
    await helper.mountTmpfs(dir, 'size=64k,mode=0755');
    expect(execFileSync('findmnt', ['-n', '-o', 'FSTYPE,SOURCE,OPTIONS', dir], { encoding: 'utf8' })).toMatch(/^tmpfs\s+tmpfs\s+rw,.*size=64k/);
    await helper.unmount(dir);
    expect(readMountPoints(dir).size).toBe(0);
  });

  it('reports failures with the reason and keeps serving', async () => {
    await expect(helper.mountTmpfs(join(base, 'absent'), 'size=64k')).rejects.toThrow(/No such file or directory|does not exist/);
    await expect(helper.unmount(join(base, 'absent'))).rejects.toThrow(/No such file|not mounted|no mount point/i);
    await expect(helper.mountTmpfs(dir, 'size=64k\nmode=0')).rejects.toThrow(/newline/);
    await helper.mountTmpfs(dir, 'size=64k');
    await helper.unmount(dir);
  });

  it('detaches a busy tmpfs instead of failing', async () => {
    await helper.mountTmpfs(dir, 'size=64k');
    writeFileSync(join(dir, 'held'), 'x');
    const fd = openSync(join(dir, 'held'), 'r');
    try {
      await helper.unmount(dir);
      expect(readMountPoints(dir).size).toBe(0);
    } finally {
      closeSync(fd);
    }
  });

  it(`answers many requests in order (${name})`, async () => {
    const dirs = Array.from({ length: 20 }, (_, i) => join(dir, `d${i}`));
    for (const d of dirs) mkdirSync(d);
    await Promise.all(dirs.map((d) => helper.mountTmpfs(d, 'size=16k')));
    expect(readMountPoints(dir).size).toBe(20);
    await Promise.all(dirs.map((d) => helper.unmount(d)));
    expect(readMountPoints(dir).size).toBe(0);
  });
});
