import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './repo.js';

const script = join(root, 'deploy/webhook-receiver.mjs');
const secret = 'receiver-test-secret';
const now = () => Math.floor(Date.now() / 1000);
// Written here from the documented format, not taken from the receiver or the router.
const sign = (key: string, t: number, body: string) => `t=${t},v1=${createHmac('sha256', key).update(`${t}.${body}`).digest('hex')}`;

let receiver: ChildProcess;
let base: string;
const lines: string[] = [];

beforeAll(async () => {
  receiver = spawn(process.execPath, [script], { env: { PATH: process.env['PATH'], BEESTING_WEBHOOK_SECRET: secret, HOST: '127.0.0.1', PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let buffered = '';
  receiver.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  base = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const listening = lines.map((l) => JSON.parse(l)).find((l) => l.listening)?.listening;
      if (listening) {
        clearInterval(timer);
        resolve(listening);
      }
    }, 20);
    receiver.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`receiver exited with ${code}`));
    });
  });
});

afterAll(() => {
  if (receiver.pid !== undefined && receiver.exitCode === null) process.kill(receiver.pid, 'SIGTERM');
});

async function post(body: string, headers: Record<string, string>) {
  const res = await fetch(`${base}/alerts`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return res.status;
}

describe('deploy/webhook-receiver.mjs', () => {
  const alert = JSON.stringify({ id: 'alert-1', severity: 'SEVERITY_CRITICAL', trap: { kind: 'eks-token' } });

  it('listens on loopback only when told to', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('accepts and prints an alert with a valid signature', async () => {
    expect(await post(alert, { 'beesting-signature': sign(secret, now(), alert), 'beesting-delivery': 'alert-1' })).toBe(204);
    await expect.poll(() => lines.map((l) => JSON.parse(l)).find((l) => l.verified)).toEqual({ verified: true, delivery: 'alert-1', alert: JSON.parse(alert) });
  });

  it.each([
    ['another secret', () => sign('wrong-secret', now(), alert), alert],
    ['a tampered body', () => sign(secret, now(), alert), alert.replace('CRITICAL', 'MEDIUM')],
    ['a stale timestamp', () => sign(secret, now() - 3600, alert), alert],
    ['a malformed header', () => `t=${now()},v1=zz`, alert],
    ['no header', () => '', alert],
  ])('rejects %s with 401', async (_what, header, body) => {
    const signature = header();
    expect(await post(body, signature ? { 'beesting-signature': signature } : {})).toBe(401);
  });

  it('refuses to start without a secret', () => {
    const r = spawnSync(process.execPath, [script], { env: { PATH: process.env['PATH'] }, encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('BEESTING_WEBHOOK_SECRET is required');
  });
});
