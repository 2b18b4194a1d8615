import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The two mount operations the store needs. */
export interface Mounter {
  mountTmpfs(dir: string, options: string): Promise<void>;
  unmount(dir: string): Promise<void>;
  close?(): void;
}

// The compiled helper (native/mount-helper.c, built by `nx run traps:native`), same from src/ and dist/.
const NATIVE_HELPER = fileURLToPath(new URL('../../build/beesting-mount', import.meta.url));

// The fallback where it is not built. Reads three lines per request (operation, directory, options) and answers one line:
// the exit status and the error text. A busy tmpfs (an open file on the host side) is
// detached lazily: the kernel frees it once the file is closed.
const HELPER = `
while IFS= read -r op && IFS= read -r dir && IFS= read -r opts; do
  if [ "$op" = mount ]; then out=$(mount -t tmpfs -o "$opts" tmpfs "$dir" 2>&1)
  else out=$(umount "$dir" 2>&1 || umount --lazy "$dir" 2>&1); fi
  rc=$?
  printf '%s %s\\n' "$rc" "$(printf '%s' "$out" | tr '\\n' ' ')"
done`;

interface Waiting {
  resolve: () => void;
  reject: (err: Error) => void;
  what: string;
}

/**
 * Mounts and unmounts through one long-lived helper process, so the injector never forks
 * itself on the CreateContainer path (forking a process of Node's size stalls its event
 * loop for milliseconds). The helper is the small C program that calls mount(2) directly
 * (tens of microseconds), or, where it is not built, a shell running mount(8) (milliseconds).
 * Requests are answered in order.
 */
export class MountHelper implements Mounter {
  constructor(readonly native = existsSync(NATIVE_HELPER)) {}

  private helper: { proc: ChildProcessWithoutNullStreams; waiting: Waiting[] } | undefined;

  mountTmpfs(dir: string, options: string): Promise<void> {
    return this.request('mount', dir, options);
  }

  unmount(dir: string): Promise<void> {
    return this.request('umount', dir, '-');
  }

  close(): void {
    this.helper?.proc.stdin.end();
    this.helper = undefined;
  }

  private request(op: string, dir: string, options: string): Promise<void> {
    if ([dir, options].some((s) => s.includes('\n'))) return Promise.reject(new Error(`${op} ${dir}: a newline in the request`));
    const helper = this.helper ?? this.start();
    return new Promise((resolve, reject) => {
      helper.waiting.push({ resolve, reject, what: `${op} ${dir}` });
      helper.proc.stdin.write(`${op}\n${dir}\n${options}\n`);
    });
  }

  private start(): { proc: ChildProcessWithoutNullStreams; waiting: Waiting[] } {
    const proc = this.native ? spawn(NATIVE_HELPER, [], { stdio: ['pipe', 'pipe', 'pipe'] }) : spawn('sh', ['-c', HELPER], { stdio: ['pipe', 'pipe', 'pipe'] });
    const helper = { proc, waiting: [] as Waiting[] };
    proc.unref();
    for (const stream of [proc.stdin, proc.stdout, proc.stderr] as const) (stream as unknown as { unref?: () => void }).unref?.();
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const pending = helper.waiting.shift();
      if (!pending) return;
      const space = line.indexOf(' ');
      const rc = line.slice(0, space);
      if (rc === '0') pending.resolve();
      else pending.reject(new Error(`${pending.what}: ${line.slice(space + 1).trim() || `exit status ${rc}`}`));
    });
    const fail = (err: Error) => {
      if (this.helper === helper) this.helper = undefined;
      for (const pending of helper.waiting.splice(0)) pending.reject(new Error(`${pending.what}: ${err.message}`));
    };
    proc.once('error', fail);
    proc.once('exit', (code, signal) => fail(new Error(`mount helper exited (${signal ?? code})`)));
    proc.stdin.on('error', () => {});
    this.helper = helper;
    return helper;
  }
}
