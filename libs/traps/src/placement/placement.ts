import { posix } from 'node:path';
import type { DecoyKind } from '../decoys/decoy.js';
import type { MountInfo } from '../workload.js';

/** Why a trap was not planted in a container; a metric label, so the set is fixed. */
export const SKIP_REASONS = ['opted-out', 'mount-collision', 'read-only-volume', 'inside-volume', 'reserved-path', 'store-failed', 'generate-failed', 'deadline'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/**
 * How a decoy is bound into the container: projected-volume kinds are a whole directory
 * (the `..data` layout kubelet makes), the others a single file.
 */
export type DecoyLayout = 'projected' | 'file';

export interface Placement {
  layout: DecoyLayout;
  /** Where the bind mount goes in the container. */
  destination: string;
  /** The decoy file's name: in the projected directory, or the file itself. */
  fileName: string;
}

const PROJECTED_KINDS: ReadonlySet<DecoyKind> = new Set(['eks-token', 'service-account-token']);

// Paths the runtime or the application owns: the real service-account token is read by
// client libraries; /proc, /sys and /dev are the runtime's.
const RESERVED = ['/run/secrets/kubernetes.io/serviceaccount', '/proc', '/sys', '/dev'];

/** /var/run is /run in nearly every image; compare paths as the container resolves them. */
function canonical(path: string): string {
  const p = posix.normalize(path).replace(/\/+$/, '') || '/';
  return p === '/var/run' || p.startsWith('/var/run/') ? p.slice(4) : p;
}

const within = (inner: string, outer: string) => outer === '/' || inner === outer || inner.startsWith(`${outer}/`);

export function layoutOf(kind: DecoyKind): DecoyLayout {
  return PROJECTED_KINDS.has(kind) ? 'projected' : 'file';
}

/**
 * Where a trap at `path` would be mounted, or why it must not be: never over or under a
 * mount the container already has (or one planned for an earlier trap), never inside a
 * volume, never over the runtime's or the application's own files.
 */
export function placeTrap(kind: DecoyKind, path: string, mounts: readonly MountInfo[], planned: readonly string[] = []): Placement | { skip: SkipReason } {
  const layout = layoutOf(kind);
  const destination = layout === 'projected' ? posix.dirname(path) : path;
  const target = canonical(destination);
  if (target === '/' || RESERVED.some((r) => within(target, r) || within(r, target))) return { skip: 'reserved-path' };
  for (const other of planned) {
    const o = canonical(other);
    if (within(o, target) || within(target, o)) return { skip: 'mount-collision' };
  }
  for (const mount of mounts) {
    const m = canonical(mount.destination);
    if (within(m, target)) return { skip: 'mount-collision' };
    if (!within(target, m)) continue;
    if (mount.options.includes('ro')) return { skip: 'read-only-volume' };
    // A runtime-made filesystem (tmpfs, ...) is private to the container; a bound volume is
    // not, and the mountpoint the runtime would create in it would outlive the container.
    if (mount.type === 'bind' || mount.options.includes('bind') || mount.options.includes('rbind')) return { skip: 'inside-volume' };
  }
  return { layout, destination, fileName: posix.basename(path) };
}
