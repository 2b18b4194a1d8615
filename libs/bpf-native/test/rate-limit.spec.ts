import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfDetector } from '../src/bpf-detector.js';
import type { AccessRecord } from '../src/records.js';

describe('the in-kernel rate limit', () => {
  let detector: BpfDetector;
  const records: AccessRecord[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'beesting-rate-'));
  const decoy = join(dir, 'decoy');
  beforeAll(() => {
    copyFileSync('/bin/true', decoy);
    detector = BpfDetector.load({ backend: 'tracepoint' }).detector;
    detector.onRecords((batch) => records.push(...batch));
    detector.arm(BpfDetector.fileIdentity(decoy), 7n);
  });
  afterAll(() => {
    detector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('folds repeats by one process into the next record, and every open is accounted for', async () => {
    detector.setRateLimit(200_000_000n); // one record per 200 ms per (decoy, process)
    const before = detector.counters();
    // One process opens the decoy 2,000 times, pausing past the limit once in the middle.
    execFileSync('python3', ['-c', `import os, time\nfor i in range(1000): os.close(os.open('${decoy}', os.O_RDONLY))\ntime.sleep(0.3)\nfor i in range(1000): os.close(os.open('${decoy}', os.O_RDONLY))`]);
    await new Promise((r) => setTimeout(r, 50));
    detector.drain();
    const after = detector.counters();
    const mine = records.filter((r) => r.cookie === 7n);
    expect(mine).toHaveLength(2);
    expect(mine[0]!.suppressed).toBe(0n);
    expect(mine[1]!.suppressed).toBe(999n); // the first burst's repeats ride on the second record
    const delta = (k: keyof typeof after) => after[k] - before[k];
    expect(delta('hits')).toBe(2000n);
    expect(delta('records') + delta('suppressed') + delta('drops')).toBe(2000n);
    expect(delta('records')).toBe(2n);
  });
});
