import { chmodSync, chownSync, lchownSync, lutimesSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
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
 * Synchronous: a dozen calls on a tmpfs take less time than one trip through the thread pool.
 */
export function writeDecoy(d: DecoyWrite): string {
  const { uid, gid } = d.owner;
  const [main] = d.files;
  if (!main) throw new Error('a decoy needs at least one file');
  if (d.layout === 'file') {
    mkdirSync(d.dir, { recursive: true, mode: 0o755 });
    const path = join(d.dir, main.name);
    writeFileSync(path, main.content, { mode: d.mode, flag: 'wx' });
    chownSync(path, uid, gid);
    utimesSync(path, d.mtime, d.mtime);
    return path;
  }
  // Projected volumes are world-writable-sticky at the top, like kubelet's tmpfs root.
  mkdirSync(d.dir, { mode: 0o755 });
  const payload = timestampDirName(d.mtime);
  mkdirSync(join(d.dir, payload), { mode: 0o755 });
  for (const file of d.files) {
    const path = join(d.dir, payload, file.name);
    writeFileSync(path, file.content, { mode: d.mode, flag: 'wx' });
    chownSync(path, uid, gid);
    utimesSync(path, d.mtime, d.mtime);
  }
  symlinkSync(payload, join(d.dir, '..data'));
  for (const file of d.files) symlinkSync(`..data/${file.name}`, join(d.dir, file.name));
  for (const link of ['..data', ...d.files.map((f) => f.name)]) {
    lchownSync(join(d.dir, link), 0, 0);
    lutimesSync(join(d.dir, link), d.mtime, d.mtime);
  }
  utimesSync(join(d.dir, payload), d.mtime, d.mtime);
  chmodSync(d.dir, 0o1777);
  utimesSync(d.dir, d.mtime, d.mtime);
  return join(d.dir, payload, main.name);
}
