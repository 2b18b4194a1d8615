#!/usr/bin/env node
// The monitor's cost and speed on this kernel (tracepoint backend; lsm and fentry do not
// load here, see kernel-notes): open+close of an unrelated file with 10,000 decoys armed
// vs no program loaded, and decoy open -> AccessEvent on NATS latency.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessSubject, armSubject, beestingBusLayout, BusConnection, provision, requestMessage } from '@beesting/bus';
import { AccessEventSchema, ArmReplySchema, decodeMessage, sampleTrapRegistration, TrapRegistrationSchema } from '@beesting/events';
import { freeLoopbackPort, startNatsServer } from '@beesting/testing';
import { measureOverhead } from './bpf-overhead.mjs';
import { fmt, machine, percentiles } from './percentiles.mjs';

const OPENS = 1_000_000;
const ROUNDS = 3;
const ARMED = 10_000;
const LATENCY_SAMPLES = 200;
const dir = mkdtempSync(join(tmpdir(), 'beesting-bench-mon-'));


try {
    // 1. Overhead: the same loop with nothing loaded and with the detector and 10,000 decoys armed.
  const overhead = measureOverhead({ opens: OPENS, rounds: ROUNDS, armed: ARMED });

  // 2. Latency: a decoy opened by a process -> its AccessEvent on NATS, through the built monitor.
  const server = await startNatsServer();
  const bus = BusConnection.start({ servers: server.url, name: 'bench' });
  const nc = await bus.ready(10_000);
  await provision(nc.jetstream(), await nc.jetstreamManager(), beestingBusLayout());
  const port = await freeLoopbackPort();
  const monitor = spawn(process.execPath, ['apps/monitor/dist/main.js'], {
    stdio: 'ignore',
    env: { PATH: process.env.PATH, BEESTING_NATS_URL: server.url, BEESTING_NODE_NAME: 'bench', BEESTING_STATE_DIR: join(dir, 'state'), BEESTING_HTTP_ADDR: `127.0.0.1:${port}`, BEESTING_RATE_LIMIT_MS: '0', BEESTING_BPF_PIN_DIR: 'off', BEESTING_LOG_LEVEL: 'error' },
  });
  const samples = [];
  try {
    for (let i = 0; i < 300 && !(await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 50));
    const decoy = join(dir, 'latency-decoy');
    writeFileSync(decoy, 'decoy');
    const registration = sampleTrapRegistration();
    registration.hostPath = decoy;
    registration.owner.node = 'bench';
    await requestMessage(nc, armSubject('bench'), { schema: TrapRegistrationSchema, message: registration }, ArmReplySchema, { timeoutMs: 2000 });
    const waiting = [];
    nc.subscribe(accessSubject('bench'), {
      callback: (_e, m) => {
        const event = decodeMessage(AccessEventSchema, m.data);
        const observed = Number(event.observedAt.seconds) * 1e9 + event.observedAt.nanos;
        samples.push(BigInt(Math.round((Date.now() * 1e6 - observed))));
        waiting.shift()?.();
      },
    });
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const got = new Promise((r) => waiting.push(r));
      execFileSync('cat', [decoy]);
      await Promise.race([got, new Promise((r) => setTimeout(r, 2000))]);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    monitor.kill('SIGTERM');
    await new Promise((r) => monitor.once('exit', r));
    await bus.close();
    await server.dispose();
  }
  const p = percentiles(samples);
  console.log(`machine: ${await machine()}`);
  console.log(`open+close of an unrelated file, ${OPENS} per run, median of ${ROUNDS} alternating runs:`);
  console.log(`  no program ${overhead.none.toFixed(0)} ns/op; ${overhead.backend} backend with ${ARMED} decoys armed ${overhead.loaded.toFixed(0)} ns/op; ratio ${overhead.ratio.toFixed(2)}`);
  console.log(`  lsm and fentry do not load here: npm run bench:kernels measures them in qemu (emulated)`);
  console.log(`decoy opened -> AccessEvent on NATS (built monitor, ${p.n} opens by cat): p50 ${fmt(p.p50)}  p99 ${fmt(p.p99)}  max ${fmt(p.max)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
