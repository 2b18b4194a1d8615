import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Maps the cgroup v2 id the kernel puts in each record (the inode of the cgroup's
 * directory) to the cgroup's path, which names the container. Unlike /proc/<pid>, this
 * still works after a short-lived opener (a `cat`) has exited: the container's cgroup
 * lives as long as the container. Rescans the tree on a miss, at most once a second.
 */
export class CgroupResolver {
  private readonly byId = new Map<bigint, string>();
  private lastScan = 0;
  private readonly root: string | undefined;

  constructor(root?: string, private readonly maxDepth = 12) {
    this.root = root ?? ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].find((p) => existsSync(join(p, 'cgroup.procs')));
  }

  /** The cgroup's path ("/kubepods.slice/.../cri-containerd-<id>.scope"), if the id is known. */
  pathOf(cgroupId: bigint): string | undefined {
    const known = this.byId.get(cgroupId);
    if (known !== undefined || !this.root) return known;
    if (Date.now() - this.lastScan < 1000) return undefined;
    this.scan();
    return this.byId.get(cgroupId);
  }

  private scan(): void {
    this.lastScan = Date.now();
    this.byId.clear();
    const walk = (dir: string, rel: string, depth: number) => {
      try {
        this.byId.set(statSync(dir, { bigint: true }).ino, rel || '/');
        if (depth >= this.maxDepth) return;
        for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) walk(join(dir, entry.name), `${rel}/${entry.name}`, depth + 1);
      } catch {
        // a cgroup removed while we looked
      }
    };
    if (this.root) walk(this.root, '', 0);
  }
}
