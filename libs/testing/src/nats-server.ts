import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from './free-port.js';

// A real nats-server (Debian's 2.9.10) with JetStream in a temp store on a free
// loopback port. Stopped by its PID only: we never touch a process we did not start.

const NATS_SERVER = process.env['BEESTING_NATS_SERVER_BIN'] ?? 'nats-server';
const READY_LINE = 'Server is ready';
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** PID of the running server, undefined while stopped. */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same store. */
  start(): Promise<void>;
  /** Stops it and removes its store. */
  dispose(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startNatsServer(): Promise<NatsServer> {
  const storeDir = mkdtempSync(join(tmpdir(), 'beesting-nats-'));
  let port = await freeLoopbackPort();
  let child: ChildProcess | undefined;

  const launch = async () => {
    child = await spawnServer(port, storeDir);
  };
  try {
    await launch();
  } catch (first) {
    // Another process may have taken the port between probe and bind: one retry on a new port.
    port = await freeLoopbackPort();
    await launch().catch((second: Error) => {
      rmSync(storeDir, { recursive: true, force: true });
      throw new AggregateError([first, second], `nats-server did not start: ${second.message}`);
    });
  }

  const halt = async (signal: NodeJS.Signals) => {
    const current = child;
    child = undefined;
    if (current) await stopChild(current, signal);
  };
  return {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    storeDir,
    get pid() {
      return child?.pid;
    },
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    start: async () => {
      if (!child) await launch();
    },
    dispose: async () => {
      await halt('SIGTERM');
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

function spawnServer(port: number, storeDir: string): Promise<ChildProcess> {
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, '--http_port', '0', '-n', `beesting-test-${port}`];
  const child = spawn(NATS_SERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = child.stderr;
  running.add(child);
  child.once('exit', () => running.delete(child));
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => fail(new Error(`no "${READY_LINE}" within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n${log.slice(-2000)}`));
    };
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`nats-server exited (${code ?? signal}) before it was ready`)));
    stderr.on('data', (chunk: Buffer) => {
      if (log.length < 64_000) log += chunk.toString();
      if (log.includes(READY_LINE)) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.once('exit', () => running.delete(child));
        stderr.removeAllListeners('data');
        stderr.resume();
        resolve(child);
      }
    });
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
