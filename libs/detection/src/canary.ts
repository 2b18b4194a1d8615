import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BpfDetector } from '@beesting/bpf-native';
import { trapCookie } from './trap-cookie.js';

export const CANARY_COOKIE = trapCookie('beesting-canary');

/**
 * Proves the whole kernel path at start: a decoy of our own, opened by a child process
 * (the monitor's own reads are excluded), must come back through the ring buffer.
 */
export function plantCanary(detector: BpfDetector, stateDir: string): { path: string; trip: () => void } {
  const dir = join(stateDir, 'canary');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'canary');
  writeFileSync(path, 'beesting canary\n', { mode: 0o600 });
  detector.arm(BpfDetector.fileIdentity(path), CANARY_COOKIE);
  return { path, trip: () => void spawn('cat', [path], { stdio: 'ignore' }).on('error', () => {}) };
}
