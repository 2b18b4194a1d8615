import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container } from '../gen/nri/pkg/api/v1alpha1/api_pb.js';

export interface ContainerRun {
  pid: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ContainerSandboxOptions {
  /** cgroup v2 mount; found automatically (/sys/fs/cgroup/unified or /sys/fs/cgroup). */
  cgroupRoot?: string;
  /** Directory for the containers' cgroups under the root; made and removed by the sandbox. */
  cgroupParent?: string;
}

// Host directories a container's command needs, bound read-only into its root.
const HOST_DIRS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'usr', 'etc'];

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs a command the way a runtime runs a container's process, for the mounts that
 * matter here: in a new mount namespace, chrooted into a fresh tmpfs root with the host's
 * binaries bound read-only, every bind mount of the (adjusted) container applied with its
 * options, and in a cgroup named like containerd's (`cri-containerd-<id>.scope`) so the
 * monitor can tell which container a process belongs to. Nothing of it is visible on the
 * host, and nothing outlives the process but the cgroup, which `dispose` removes.
 */
export class ContainerSandbox {
  private readonly cgroupRoot: string | undefined;
  private readonly cgroupParent: string;

  constructor(options: ContainerSandboxOptions = {}) {
    this.cgroupRoot = options.cgroupRoot ?? ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].find((p) => existsSync(join(p, 'cgroup.procs')));
    this.cgroupParent = options.cgroupParent ?? `beesting-sim-${process.pid}`;
  }

  /** The cgroup path a container's processes run in, relative to the cgroup root. */
  cgroupOf(containerId: string): string {
    return `/${this.cgroupParent}/cri-containerd-${containerId}.scope`;
  }

  run(container: Container, command: string[], options: { timeoutMs?: number } = {}): Promise<ContainerRun> {
    const root = mkdtempSync(join(tmpdir(), 'beesting-rootfs-'));
    const lines = ['set -e', `R=${quote(root)}`, 'mount -t tmpfs -o mode=0755 rootfs "$R"'];
    for (const dir of HOST_DIRS) {
      const host = `/${dir}`;
      if (!existsSync(host)) continue;
      lines.push(`if [ -L ${host} ]; then ln -s "$(readlink ${host})" "$R${host}"; else mkdir "$R${host}" && mount --rbind ${host} "$R${host}" && mount -o remount,bind,ro "$R${host}"; fi`);
    }
    lines.push('mkdir -p "$R/proc" "$R/dev" "$R/tmp" "$R/run" "$R/root" "$R/var" && ln -s ../run "$R/var/run" && chmod 1777 "$R/tmp"');
    lines.push('mount -t proc proc "$R/proc" && mount --rbind /dev "$R/dev"');
    const binds = container.mounts.filter((m) => m.type === 'bind' || m.options.includes('bind') || m.options.includes('rbind'));
    for (const m of binds) {
      const dest = `"$R"${quote(m.destination)}`;
      const isDir = statSync(m.source).isDirectory();
      lines.push(isDir ? `mkdir -p ${dest}` : `mkdir -p "$(dirname ${dest})" && touch ${dest}`);
      lines.push(`mount --bind ${quote(m.source)} ${dest}`);
      if (m.options.includes('ro')) lines.push(`mount -o remount,bind,ro ${dest}`);
    }
    if (this.cgroupRoot) {
      const cgroup = join(this.cgroupRoot, this.cgroupOf(container.id));
      mkdirSync(cgroup, { recursive: true });
      lines.push(`echo $$ > ${quote(join(cgroup, 'cgroup.procs'))}`);
    }
    const env = container.env.length > 0 ? container.env : ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
    lines.push(`cd "$R" && exec chroot "$R" /usr/bin/env -i ${env.map(quote).join(' ')} HOME=/root sh -c 'cd / && exec "$@"' sh ${command.map(quote).join(' ')}`);
    const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', lines.join('\n')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid ?? 0;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10_000);
    return new Promise((resolve, reject) => {
      child.once('error', (err) => {
        clearTimeout(timer);
        rmSync(root, { recursive: true, force: true });
        reject(err);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        // The tmpfs root lived in the child's namespace only: on the host this is an empty dir.
        rmSync(root, { recursive: true, force: true });
        resolve({ pid, code, stdout, stderr });
      });
    });
  }

  /** Removes a container's cgroup (its processes have exited). */
  removeContainer(containerId: string): void {
    if (!this.cgroupRoot) return;
    try {
      rmdirSync(join(this.cgroupRoot, this.cgroupOf(containerId)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** Removes every cgroup this sandbox made. */
  dispose(): void {
    if (!this.cgroupRoot) return;
    const parent = join(this.cgroupRoot, this.cgroupParent);
    if (!existsSync(parent)) return;
    for (const entry of readdirSync(parent, { withFileTypes: true })) if (entry.isDirectory()) rmdirSync(join(parent, entry.name));
    rmdirSync(parent);
  }
}
