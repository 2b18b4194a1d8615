import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfDetector } from '../src/bpf-detector.js';
import type { AccessRecord } from '../src/records.js';
import { testBackend } from './test-backend.js';

// IORING_OP_OPENAT opens a file without an open syscall: the LSM and fentry hooks on
// security_file_open see it; the tracepoint fallback, which watches syscall exits, cannot.
describe('an open through io_uring', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beesting-uring-'));
  const opener = join(dir, 'uring-open');
  const decoy = join(dir, 'decoy');
  let detector: BpfDetector;
  const records: AccessRecord[] = [];
  beforeAll(() => {
    execFileSync('gcc', ['-O2', '-o', opener, join(import.meta.dirname, 'io-uring/uring-open.c')]);
    copyFileSync('/bin/true', decoy);
    detector = BpfDetector.load({ backend: testBackend() }).detector;
    detector.onRecords((batch) => records.push(...batch));
    detector.arm(BpfDetector.fileIdentity(decoy), 99n);
  });
  afterAll(() => {
    detector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`is ${testBackend() === 'auto' || testBackend() === 'tracepoint' ? 'not ' : ''}seen by the ${process.env['BEESTING_TEST_BACKEND'] ?? 'tracepoint'} backend`, async () => {
    const run = spawnSync(opener, [decoy], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0); // io_uring works on this kernel, and opened the file
    await new Promise((r) => setTimeout(r, 50));
    detector.drain();
    const mine = records.filter((r) => r.cookie === 99n);
    if (detector.backend === 'tracepoint') expect(mine).toEqual([]);
    else expect(mine).toEqual([expect.objectContaining({ kind: 'open', backend: detector.backend, comm: expect.stringMatching(/uring|iou/) })]);
  });
});
