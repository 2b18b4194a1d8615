import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NriRuntimeSimulator } from '@beesting/nri';
import { freeLoopbackPort, startNatsServer } from '@beesting/testing';
import type { NatsServer } from '@beesting/testing';
import { readMountPoints } from '@beesting/traps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built app as operators run it: node apps/injector/dist/main.js.
const MAIN = join(import.meta.dirname, '../dist/main.js');
const dir = mkdtempSync(join(tmpdir(), 'injector-process-'));

function run(env: Record<string, string>, timeoutMs = 15_000): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('the injector process', () => {
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(async () => {
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a bad policy file at start, naming the key, with exit code 78', async () => {
    const policy = join(dir, 'bad-policy.yaml');
    writeFileSync(policy, 'traps:\n  - name: aws\n    kind: aws-keys\n    path: /root/.aws/credentials\n');
    const { code, stderr } = await run({ BEESTING_POLICY: policy, BEESTING_STATE_DIR: join(dir, 'state-bad'), BEESTING_NATS_URL: nats.url });
    expect(code).toBe(78);
    expect(stderr).toMatch(/BEESTING_ERR_POLICY: .*bad-policy\.yaml: traps\[0\]\.kind: /);
  });

  it('refuses a bad setting at start with BEESTING_ERR_CONFIG', async () => {
    const { code, stderr } = await run({ BEESTING_ARM_TIMEOUT_MS: '5000' });
    expect(code).toBe(78);
    expect(stderr).toMatch(/BEESTING_ERR_CONFIG.*BEESTING_ARM_TIMEOUT_MS/);
  });

  it('registers with the runtime, answers /readyz, and stops on SIGTERM keeping no spare mounts', async () => {
    const runtime = await NriRuntimeSimulator.start({ socketPath: join(dir, 'nri.sock') });
    const port = await freeLoopbackPort();
    const stateDir = join(dir, 'state');
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env['PATH'] ?? '', BEESTING_NATS_URL: nats.url, BEESTING_NRI_SOCKET: runtime.socketPath, BEESTING_STATE_DIR: stateDir, BEESTING_HTTP_ADDR: `127.0.0.1:${port}`, BEESTING_LOG_LEVEL: 'error' },
      stdio: 'ignore',
    });
    try {
      await runtime.waitForPlugins(1, 15_000);
      expect(runtime.activePlugins.map((p) => `${p.index}-${p.name}`)).toEqual(['10-beesting']);
      await expect.poll(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0), { timeout: 10_000 }).toBe(200);
      await expect.poll(() => readMountPoints(join(stateDir, 'decoys')).size, { timeout: 10_000 }).toBe(8);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await runtime.stop();
    }
    expect(readMountPoints(join(stateDir, 'decoys')).size).toBe(0);
  });
});
