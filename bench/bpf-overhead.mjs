#!/usr/bin/env node
// Cost of the detector on unrelated opens: open+close of an unrelated file with nothing
// loaded vs with one backend loaded and 10,000 decoys armed, median of alternating runs.
// Run directly it measures BEESTING_BENCH_BACKEND (default auto); the kernel matrix runs
// it in qemu for lsm and fentry (emulated: compare the ratios, not the nanoseconds).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BpfDetector } from '@beesting/bpf-native';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeOpens(path, opens) {
  const out = execFileSync('python3', ['-c', `import os, time\nt = time.perf_counter_ns()\nfor i in range(${opens}): os.close(os.open('${path}', os.O_RDONLY))\nprint(time.perf_counter_ns() - t)`]);
  return Number(out.toString().trim()) / opens;
}

export function measureOverhead({ backend = 'auto', opens = 1_000_000, rounds = 3, armed = 10_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'beesting-overhead-'));
  try {
    const unrelated = join(dir, 'unrelated');
    writeFileSync(unrelated, 'x');
    mkdirSync(join(dir, 'decoys'));
    for (let i = 0; i < armed; i++) writeFileSync(join(dir, 'decoys', String(i)), '');
    const none = [];
    const loaded = [];
    let used;
    for (let round = 0; round < rounds; round++) {
      none.push(timeOpens(unrelated, opens));
      const { detector } = BpfDetector.load({ backend });
      used = detector.backend;
      for (let i = 0; i < armed; i++) detector.arm(BpfDetector.fileIdentity(join(dir, 'decoys', String(i))), BigInt(i + 1));
      loaded.push(timeOpens(unrelated, opens));
      detector.close();
    }
    return { backend: used, none: median(none), loaded: median(loaded), ratio: median(loaded) / median(none), opens, rounds, armed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = measureOverhead({ backend: process.env.BEESTING_BENCH_BACKEND ?? 'auto', opens: Number(process.env.BENCH_OPENS ?? 1_000_000) });
  const kernel = execFileSync('uname', ['-r']).toString().trim();
  console.log(`kernel ${kernel}, backend ${r.backend}: open+close of an unrelated file ${r.none.toFixed(0)} ns/op without, ${r.loaded.toFixed(0)} ns/op with ${r.armed} decoys armed; ratio ${r.ratio.toFixed(2)} (${r.opens} opens, median of ${r.rounds})`);
}
