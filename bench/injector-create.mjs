#!/usr/bin/env node
// CreateContainer through the real injector (built app) with a live monitor: 1,000 calls,
// 32 in flight, from the NRI runtime simulator over the real socket. Each call plants a
// decoy on a new tmpfs, registers it in NATS KV and waits for the monitor's arm ack.
// Prints the round trip at the runtime (p50/p99), the injector's own handler histogram and
// the agent's memory (injector + monitor RSS) with the 1,000 traps armed.
import { readFileSync } from 'node:fs';
import { LocalStack } from '@beesting/e2e';
import { fmt, machine, percentiles } from './percentiles.mjs';

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 32);

const stack = await LocalStack.start({ logLevel: 'warn' });
try {
  const pod = await stack.pod('bench', 'bench');
  const run = async (calls, inFlight) => {
    const samples = [];
    const ids = [];
    let next = 0;
    let failed = 0;
    const worker = async () => {
      while (next < calls) {
        next++;
        const started = process.hrtime.bigint();
        const c = await stack.createContainer(pod);
        samples.push(process.hrtime.bigint() - started);
        if (c.outcome !== 'created' || c.destinations.length !== 1) failed++;
        ids.push(c.id);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    return { ...percentiles(samples), failed, ids };
  };
  const warm = await run(50, 4);
  for (const id of warm.ids) await stack.removeContainer(id);
  const sequential = await run(200, 1);
  for (const id of sequential.ids) await stack.removeContainer(id);
  const burst = await run(CALLS, IN_FLIGHT);
  const metrics = await stack.injector.metrics();
  const bucket = (le) => Number(new RegExp(`^beesting_injector_handler_seconds_bucket\\{le="${le}"[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
  const count = Number(/^beesting_injector_handler_seconds_count\S* (\d+)/m.exec(metrics)?.[1] ?? 0);
  const misses = [...metrics.matchAll(/^beesting_injector_arm_misses_total\{reason="([^"]+)"[^}]*\} (\d+)/gm)].map((m) => `${m[1]}=${m[2]}`).join(' ');
  console.log(`machine: ${await machine()}`);
  console.log(`sequential (1 in flight, ${sequential.n} calls): p50 ${fmt(sequential.p50)}  p99 ${fmt(sequential.p99)}  max ${fmt(sequential.max)}`);
  console.log(`burst (${IN_FLIGHT} in flight, ${burst.n} calls): p50 ${fmt(burst.p50)}  p99 ${fmt(burst.p99)}  max ${fmt(burst.max)}  failed ${burst.failed}`);
  console.log(`injector handler (all ${count} calls): <=2 ms ${((bucket('0.002') / count) * 100).toFixed(1)}%  <=5 ms ${((bucket('0.005') / count) * 100).toFixed(1)}%  <=25 ms ${((bucket('0.025') / count) * 100).toFixed(1)}%  <=100 ms ${((bucket('0.1') / count) * 100).toFixed(1)}%`);
  console.log(`arm misses: ${misses}`);
  const rss = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const armed = /^beesting_monitor_armed_traps(?:\{[^}]*\})? (\d+)$/m.exec(await stack.monitor.metrics())?.[1];
  console.log(`agent memory with ${armed} traps armed: injector RSS ${rss(stack.injector.pid).toFixed(0)} MiB, monitor RSS ${rss(stack.monitor.pid).toFixed(0)} MiB`);
  const removeStarted = process.hrtime.bigint();
  for (const id of burst.ids) await stack.removeContainer(id);
  console.log(`removed ${burst.ids.length} containers in ${fmt(Number(process.hrtime.bigint() - removeStarted) / 1e6)}; decoy mounts left: ${stack.decoyMounts().length}`);
} finally {
  await stack.stop();
}
