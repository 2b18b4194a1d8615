import { readFileSync, readlinkSync } from 'node:fs';

// What /proc says about a process, read right after the kernel reported it. A process
// that already exited (a short `cat`) leaves only what the kernel record carried.

export interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  exe: string;
  argv: string[];
  cwd: string;
  uid: number;
  gid: number;
  containerId: string;
}

// cri-containerd-<id>.scope, crio-<id>.scope, docker-<id>.scope, or a bare 64-hex path element (cgroupfs).
const CONTAINER_ID = /(?:cri-containerd-|crio-|docker-)?([0-9a-f]{64})(?:\.scope)?(?:\/|$)/;

export function containerIdFromCgroup(cgroupFile: string): string {
  for (const line of cgroupFile.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    const match = CONTAINER_ID.exec(path);
    if (match?.[1]) return match[1];
  }
  return '';
}

const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};
const link = (path: string) => {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
};

export function readProcess(pid: number, procRoot = '/proc'): ProcessInfo | undefined {
  const stat = read(`${procRoot}/${pid}/stat`);
  if (!stat) return undefined;
  // comm may hold spaces and parentheses: it ends at the last ')'.
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const ppid = Number(stat.slice(close + 2).split(' ')[1]);
  const status = read(`${procRoot}/${pid}/status`) ?? '';
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  const gid = Number(/^Gid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  return {
    pid,
    ppid,
    comm,
    exe: link(`${procRoot}/${pid}/exe`),
    argv: (read(`${procRoot}/${pid}/cmdline`) ?? '').split('\0').filter((a, i, all) => a !== '' || i < all.length - 1),
    cwd: link(`${procRoot}/${pid}/cwd`),
    uid,
    gid,
    containerId: containerIdFromCgroup(read(`${procRoot}/${pid}/cgroup`) ?? ''),
  };
}

/** The parents of a process, nearest first, up to its container's first process or pid 1. */
export function ancestorsOf(ppid: number, containerId: string, limit = 16, procRoot = '/proc'): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (let pid = ppid; pid > 0 && out.length < limit; ) {
    const info = readProcess(pid, procRoot);
    if (!info || info.containerId !== containerId) break;
    out.push(info);
    if (pid === 1) break;
    pid = info.ppid;
  }
  return out;
}
