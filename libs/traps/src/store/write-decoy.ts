import { chmod, chown, lchown, lutimes, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DecoyFile } from '../decoys/decoy.js';
import type { DecoyLayout } from '../placement/placement.js';

export interface DecoyWrite {
  layout: DecoyLayout;
  /** The directory that will be bound into the container (projected) or that holds the file. */
  dir: string;
  /** The file at the trap's path first, then its siblings (projected layout only). */
  files: DecoyFile[];
  mode: number;
  owner: { uid: number; gid: number };
  mtime: Date;
}

/** kubelet's atomic-writer name for a payload directory: ..2026_12_04_19_26_16.123456789 */
export function timestampDirName(at: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const nanos = `${pad(at.getUTCMilliseconds(), 3)}${pad(Math.floor(Math.random() * 1_000_000), 6)}`;
  return `..${at.getUTCFullYear()}_${pad(at.getUTCMonth() + 1)}_${pad(at.getUTCDate())}_${pad(at.getUTCHours())}_${pad(at.getUTCMinutes())}_${pad(at.getUTCSeconds())}.${nanos}`;
}

/**
 * Writes a decoy as kubelet would have: a projected volume is `..<timestamp>/` holding the
 * files, `..data` pointing at it and one symlink per file through `..data`; a file decoy
 * is the file alone. Returns the path of the real file at the trap's path (what is armed).
 */
export async function writeDecoy(d: DecoyWrite): Promise<string> {
  const { uid, gid } = d.owner;
  const [main] = d.files;
  if (!main) throw new Error('a decoy needs at least one file');
  if (d.layout === 'file') {
    await mkdir(d.dir, { recursive: true, mode: 0o755 });
    const path = join(d.dir, main.name);
    await writeFile(path, main.content, { mode: d.mode, flag: 'wx' });
    await chown(path, uid, gid);
    await utimes(path, d.mtime, d.mtime);
    return path;
  }
  // Projected volumes are world-writable-sticky at the top, like kubelet's tmpfs root.
  await mkdir(d.dir, { mode: 0o755 });
  const payload = timestampDirName(d.mtime);
  await mkdir(join(d.dir, payload), { mode: 0o755 });
  for (const file of d.files) {
    const path = join(d.dir, payload, file.name);
    await writeFile(path, file.content, { mode: d.mode, flag: 'wx' });
    await chown(path, uid, gid);
    await utimes(path, d.mtime, d.mtime);
  }
  await symlink(payload, join(d.dir, '..data'));
  for (const file of d.files) await symlink(`..data/${file.name}`, join(d.dir, file.name));
  for (const link of ['..data', ...d.files.map((f) => f.name)]) {
    await lchown(join(d.dir, link), 0, 0);
    await lutimes(join(d.dir, link), d.mtime, d.mtime);
  }
  await utimes(join(d.dir, payload), d.mtime, d.mtime);
  await chmod(d.dir, 0o1777);
  await utimes(d.dir, d.mtime, d.mtime);
  return join(d.dir, payload, main.name);
}
