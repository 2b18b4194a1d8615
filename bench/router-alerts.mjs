#!/usr/bin/env node
// Alerts through two alert-router replicas (the built app, two processes) to a local
// webhook: throughput for a burst of distinct alerts, and event -> webhook latency.
import { spawn } from 'node:child_process';
import { accessSubject, beestingBusLayout, BusConnection, provision } from '@beesting/bus';
import { AccessEventSchema, encodeMessage, newEventId, sampleAccessEvent, timestampFromDate } from '@beesting/events';
import { freeLoopbackPort, startNatsServer, startWebhookReceiver } from '@beesting/testing';
import { fmt, machine, percentiles } from './percentiles.mjs';

const BURST = Number(process.env.BENCH_ALERTS ?? 2000);
const PACED = 200;
const SECRET = 'bench-secret';

const server = await startNatsServer();
const webhook = await startWebhookReceiver(SECRET);
const bus = BusConnection.start({ servers: server.url, name: 'bench' });
const replicas = [];
try {
  const nc = await bus.ready(10_000);
  await provision(nc.jetstream(), await nc.jetstreamManager(), beestingBusLayout());
  for (let i = 0; i < 2; i++) {
    const [http, grpc] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const child = spawn(process.execPath, ['apps/alert-router/dist/main.js'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        PATH: process.env.PATH,
        BEESTING_NATS_URL: server.url,
        BEESTING_HTTP_ADDR: `127.0.0.1:${http}`,
        BEESTING_GRPC_ADDR: `127.0.0.1:${grpc}`,
        BEESTING_WEBHOOK_URL: webhook.url,
        BEESTING_WEBHOOK_SECRET: SECRET,
        BEESTING_LOG_LEVEL: 'error',
      },
    });
    replicas.push(child);
    for (let t = 0; t < 300 && !(await fetch(`http://127.0.0.1:${http}/readyz`).then((r) => r.ok, () => false)); t++) await new Promise((r) => setTimeout(r, 50));
  }

  const sentAt = new Map();
  const publish = async (trapId) => {
    const event = sampleAccessEvent(newEventId());
    event.trap.id = trapId;
    event.observedAt = timestampFromDate(new Date());
    sentAt.set(event.id, process.hrtime.bigint());
    await nc.jetstream().publish(accessSubject('bench-node'), encodeMessage(AccessEventSchema, event), { msgID: event.id });
  };
  const receivedAt = new Map();
  const origPush = webhook.deliveries.push.bind(webhook.deliveries);
  webhook.deliveries.push = (...items) => {
    for (const d of items) receivedAt.set(d.body?.event?.id, process.hrtime.bigint());
    return origPush(...items);
  };
  const waitFor = async (n, what) => {
    for (let t = 0; t < 6000 && webhook.deliveries.length < n; t++) await new Promise((r) => setTimeout(r, 10));
    if (webhook.deliveries.length < n) throw new Error(`${what}: ${webhook.deliveries.length} of ${n} alerts arrived`);
  };
  const latencies = (ids) => percentiles(ids.map((id) => receivedAt.get(id) - sentAt.get(id)));

  // Paced: one event every 50 ms, the latency an operator sees.
  const pacedIds = [];
  for (let i = 0; i < PACED; i++) {
    await publish(`paced-${i}`);
    pacedIds.push([...sentAt.keys()].at(-1));
    await new Promise((r) => setTimeout(r, 50));
  }
  await waitFor(PACED, 'paced');

  // Burst: distinct alerts as fast as they can be published.
  const burstStart = process.hrtime.bigint();
  const burstIds = [];
  for (let i = 0; i < BURST; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, BURST - i) }, (_, j) => publish(`burst-${i + j}`)));
    burstIds.push(...[...sentAt.keys()].slice(-Math.min(100, BURST - i)));
  }
  await waitFor(PACED + BURST, 'burst');
  const seconds = Number(process.hrtime.bigint() - burstStart) / 1e9;

  const paced = latencies(pacedIds);
  const burst = latencies(burstIds);
  const signed = webhook.deliveries.every((d) => d.signatureValid);
  console.log(`machine: ${await machine()}`);
  console.log(`alert-router, 2 replicas (processes), sinks: webhook + NATS; every delivery signed and verified: ${signed}`);
  console.log(`paced (20 events/s, ${paced.n}): event -> webhook p50 ${fmt(paced.p50)}  p99 ${fmt(paced.p99)}  max ${fmt(paced.max)}`);
  console.log(`burst (${BURST} distinct alerts): ${(BURST / seconds).toFixed(0)} alerts/s; event -> webhook p50 ${fmt(burst.p50)}  p99 ${fmt(burst.p99)}`);
} finally {
  for (const r of replicas) r.kill('SIGTERM');
  await Promise.all(replicas.map((r) => new Promise((res) => (r.exitCode !== null ? res() : r.once('exit', res)))));
  await bus.close();
  await webhook.close();
  await server.dispose();
}
