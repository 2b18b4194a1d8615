import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/**
 * A private mount namespace held open by a sleeping process. Mounts made in it vanish
 * with it, so nothing a test mounts can outlive the test, even when it crashes.
 */
export class MountNamespace {
  private constructor(private readonly holder: ChildProcess) {}

  static async create(): Promise<MountNamespace> {
    const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', 'infinity'], { stdio: 'ignore' });
    const ns = new MountNamespace(holder);
    // Wait until the holder has entered its namespace.
    for (let i = 0; i < 200; i++) {
      try {
        const own = execFileSync('readlink', ['/proc/self/ns/mnt']).toString().trim();
        const its = execFileSync('readlink', [`/proc/${holder.pid}/ns/mnt`]).toString().trim();
        if (own !== its) return ns;
      } catch {
        // not there yet
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    holder.kill('SIGKILL');
    throw new Error('unshare did not start');
  }

  /** Runs a command inside the namespace and returns its stdout. */
  run(command: string, args: string[]): string {
    return execFileSync('nsenter', ['-t', String(this.holder.pid), '-m', '-r', '-w', command, ...args]).toString();
  }

  sh(script: string): string {
    return this.run('sh', ['-c', script]);
  }

  dispose(): void {
    this.holder.kill('SIGKILL');
  }
}
