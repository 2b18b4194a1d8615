import { describe, expect, it } from 'vitest';
import { ancestorsOf, containerIdFromCgroup, readProcess } from './process-info.js';

const ID = 'a'.repeat(32) + 'b'.repeat(32);

describe('reading a process', () => {
  it.each([
    ['containerd (systemd driver)', `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-${ID}.scope`],
    ['CRI-O', `0::/kubepods.slice/kubepods-pod1.slice/crio-${ID}.scope`],
    ['docker', `0::/system.slice/docker-${ID}.scope`],
    ['cgroupfs driver', `12:memory:/kubepods/besteffort/pod1/${ID}\n0::/kubepods/besteffort/pod1/${ID}`],
  ])('finds the container id in a %s cgroup path', (_name, cgroup) => {
    expect(containerIdFromCgroup(cgroup)).toBe(ID);
  });

  it('finds none for a host process', () => {
    expect(containerIdFromCgroup('0::/user.slice/user-0.slice/session-1.scope\n')).toBe('');
    expect(containerIdFromCgroup('0::/\n')).toBe('');
  });

  it('reads this process from /proc, and its ancestors up to pid 1', () => {
    const me = readProcess(process.pid)!;
    expect(me).toMatchObject({ pid: process.pid, ppid: process.ppid, exe: process.execPath, cwd: process.cwd(), uid: 0 });
    expect(me.argv[0]).toMatch(/node/);
    const chain = ancestorsOf(process.ppid, me.containerId);
    expect(chain[0]!.pid).toBe(process.ppid);
    expect(chain.at(-1)!.pid).toBe(1);
    expect(readProcess(2 ** 22 + 1)).toBeUndefined();
  });
});
