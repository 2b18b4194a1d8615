import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WORKSPACE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type AppName = 'injector' | 'monitor' | 'alert-router';

/**
 * One of Beesting's apps as its own process, started the way the chart starts it
 * (`node apps/<app>/dist/main.js` with design.md §7's environment), its output in a log file.
 */
export class AppProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly app: AppName,
    readonly httpPort: number,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.app} is running already`);
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [`apps/${this.app}/dist/main.js`], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...this.env, BEESTING_HTTP_ADDR: `127.0.0.1:${this.httpPort}` },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Waits for /readyz to answer 200 and returns its body. */
  async ready(timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.app} exited before it was ready (see ${this.logFile})`);
      const body = await fetch(`http://127.0.0.1:${this.httpPort}/readyz`).then(
        (r) => (r.ok ? (r.json() as Promise<Record<string, unknown>>) : undefined),
        () => undefined,
      );
      if (body) return body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${this.app} not ready within ${timeoutMs} ms (see ${this.logFile})`);
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.httpPort}/metrics`)).text();
  }

  /** The crash: SIGKILL, no cleanup of any kind. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
