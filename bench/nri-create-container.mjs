#!/usr/bin/env node
// CreateContainer round trip through the NRI runtime simulator and a plugin built on
// libs/nri, over a real unix socket: 10,000 calls one after another, p50/p99 printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NriPlugin, NriRuntimeSimulator } from '@beesting/nri';
import { fmt, machine, percentiles } from './percentiles.mjs';

const CALLS = Number(process.env.BENCH_CALLS ?? 10_000);
const WARMUP = 500;
const dir = mkdtempSync(join(tmpdir(), 'beesting-bench-nri-'));
const socketPath = join(dir, 'nri.sock');
const sim = await NriRuntimeSimulator.start({ socketPath });
const plugin = new NriPlugin({
  name: 'beesting',
  index: '50',
  socketPath,
  handlers: {
    createContainer: (_pod, container) => ({
      adjust: {
        mounts: [
          {
            destination: '/var/run/secrets/eks.amazonaws.com/serviceaccount',
            type: 'bind',
            source: `/var/lib/beesting/containers/${container.id}/eks`,
            options: ['bind', 'ro', 'rprivate'],
          },
        ],
      },
    }),
  },
});
try {
  plugin.start();
  await sim.waitForPlugins(1, 10_000);
  const pod = await sim.runPodSandbox({ id: 'bench-pod', name: 'bench', namespace: 'default', uid: 'u', labels: { app: 'bench' } });
  const samples = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
    const id = `c${i}`;
    const started = process.hrtime.bigint();
    const outcome = await sim.createContainer(pod.id, { id, name: `app-${i}`, args: ['sleep', '3600'], env: ['PATH=/usr/bin'] });
    const elapsed = process.hrtime.bigint() - started;
    if (outcome.outcome !== 'created' || outcome.adjustments.length !== 1) throw new Error(`call ${i}: ${JSON.stringify(outcome)}`);
    sim.containers.delete(id);
    if (i >= WARMUP) samples.push(elapsed);
  }
  const p = percentiles(samples);
  console.log(`machine: ${await machine()}`);
  console.log(`NRI CreateContainer round trip (simulator -> plugin -> simulator, unix socket), ${p.n} calls after ${WARMUP} warm-up`);
  console.log(`p50 ${fmt(p.p50)}  p90 ${fmt(p.p90)}  p99 ${fmt(p.p99)}  max ${fmt(p.max)}`);
} finally {
  await plugin.stop();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
