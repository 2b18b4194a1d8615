import { spawn } from 'node:child_process';
import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CgroupResolver } from './cgroup-resolver.js';
import { containerIdFromCgroup } from './process-info.js';

describe('the cgroup resolver, on this machine', () => {
  const resolver = new CgroupResolver();
  const root = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].find((p) => {
    try {
      return statSync(join(p, 'cgroup.procs')).isFile();
    } catch {
      return false;
    }
  })!;
  const id = 'e'.repeat(64);
  const parent = join(root, `beesting-test-${process.pid}`);
  const scope = join(parent, `cri-containerd-${id}.scope`);
  afterAll(() => {
    for (const d of [scope, parent]) {
      try {
        rmdirSync(d);
      } catch {
        // gone already
      }
    }
  });

  it('names the container of a process by its cgroup id, after the process is gone', async () => {
    mkdirSync(scope, { recursive: true });
    const cgroupId = statSync(scope, { bigint: true }).ino;
    const child = spawn('sh', ['-c', `echo $$ > ${scope}/cgroup.procs && exit 0`]);
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 1100)); // past the rescan throttle
    const path = resolver.pathOf(cgroupId);
    expect(path).toBe(`/beesting-test-${process.pid}/cri-containerd-${id}.scope`);
    expect(containerIdFromCgroup(`0::${path}`)).toBe(id);
  });
});
