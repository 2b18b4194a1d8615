import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerSchema } from '../src/gen/nri/pkg/api/v1alpha1/api_pb.js';
import { ContainerSandbox } from '../src/simulator/container-sandbox.js';

const hostMounts = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length;

describe('ContainerSandbox: a command in its own mount namespace with the adjusted mounts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-spec-'));
  const sandbox = new ContainerSandbox({ cgroupParent: `beesting-sandbox-spec-${process.pid}` });
  const mountsBefore = hostMounts();

  beforeAll(() => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    mkdirSync(join(dir, 'vol'));
    writeFileSync(join(dir, 'vol', 'token'), 'secret-in-volume');
    writeFileSync(join(dir, 'file'), 'secret-file');
  });
  afterAll(() => {
    sandbox.dispose();
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  const container = create(ContainerSchema, {
    id: 'c0ffee',
    name: 'app',
    mounts: [
      { destination: '/var/run/secrets/demo', type: 'bind', source: join(dir, 'vol'), options: ['bind', 'ro', 'rprivate'] },
      { destination: '/root/.aws/credentials', type: 'bind', source: join(dir, 'file'), options: ['bind', 'ro', 'rprivate'] },
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid'] },
    ],
  });

  it('reads the bound files at their destinations, read-only, with /var/run resolving to /run', async () => {
    const run = await sandbox.run(container, ['sh', '-c', 'cat /var/run/secrets/demo/token; echo; cat /run/secrets/demo/token; echo; cat /root/.aws/credentials; echo; echo x > /root/.aws/credentials || echo refused']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual(['secret-in-volume', 'secret-in-volume', 'secret-file', 'refused', '']);
    expect(run.stderr).toMatch(/Read-only file system/);
  });

  it('shows only its own root in mountinfo, and the bound volume as tmpfs', async () => {
    const run = await sandbox.run(container, ['cat', '/proc/self/mountinfo']);
    const line = run.stdout.split('\n').find((l) => l.split(' ')[4] === '/run/secrets/demo');
    expect(line).toMatch(/^\d+ \d+ \d+:\d+ \/vol \/run\/secrets\/demo ro,\S* .*- tmpfs tmpfs /);
    expect(run.stdout).not.toContain(dir);
  });

  it('runs in a containerd-style cgroup and leaves no mount or directory on the host', async () => {
    const run = await sandbox.run(container, ['cat', '/proc/self/cgroup']);
    expect(run.stdout).toContain(`/beesting-sandbox-spec-${process.pid}/cri-containerd-c0ffee.scope`);
    expect(hostMounts()).toBe(mountsBefore + 1); // only this test's own tmpfs
    expect(readdirSync(tmpdir()).filter((e) => e.startsWith('beesting-rootfs-'))).toEqual([]);
    sandbox.removeContainer('c0ffee');
    expect(existsSync(`/sys/fs/cgroup/unified/beesting-sandbox-spec-${process.pid}/cri-containerd-c0ffee.scope`)).toBe(false);
  });

  it('reports a failing command by its exit code', async () => {
    const run = await sandbox.run(container, ['sh', '-c', 'exit 3']);
    expect(run.code).toBe(3);
  });
});
