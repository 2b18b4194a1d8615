import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The two mount operations the store needs, through util-linux's mount(8)/umount(8). */
export interface Mounter {
  mountTmpfs(dir: string, options: string): Promise<void>;
  unmount(dir: string): Promise<void>;
}

async function exec(file: string, args: string[]): Promise<void> {
  try {
    await run(file, args, { timeout: 5000 });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`${file} ${args.join(' ')}: ${stderr || (err as Error).message}`, { cause: err });
  }
}

export const systemMounter: Mounter = {
  mountTmpfs: (dir, options) => exec('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]),
  async unmount(dir) {
    try {
      await exec('umount', [dir]);
    } catch {
      // Busy (an open file on the host side): detach now, the kernel frees it when closed.
      await exec('umount', ['--lazy', dir]);
    }
  },
};
