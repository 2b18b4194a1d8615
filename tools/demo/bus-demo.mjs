#!/usr/bin/env node
// What `npm run demo` shows until the agent's apps land: an access event travels the
// real event pipeline — JetStream with the Beesting layout, a durable consumer, and the
// on-disk spool that keeps events while NATS is down and replays them, once and in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accessSubject,
  beestingBusLayout,
  BusConnection,
  EVENTS_STREAM,
  provision,
  runDurableConsumer,
  SpoolFile,
  SpoolingPublisher,
} from '@beesting/bus';
import { AccessEventSchema, encodeMessage, OpenerClassification, sampleAccessEvent } from '@beesting/events';
import { startNatsServer } from '@beesting/testing';

const node = 'demo-node';
const dir = mkdtempSync(join(tmpdir(), 'beesting-demo-'));
const say = (text) => console.log(text);
const received = [];

const server = await startNatsServer();
let bus;
let consumer;
let publisher;
let spool;
try {
  say(`nats-server ${server.url} (pid ${server.pid}), JetStream store ${server.storeDir}`);
  bus = BusConnection.start({ servers: server.url, name: 'beesting-demo', reconnectWaitMs: 200 });
  const nc = await bus.ready(10_000);
  const report = await provision(nc.jetstream(), await nc.jetstreamManager(), beestingBusLayout());
  say(`provisioned: ${report.created.join(', ')}`);

  consumer = runDurableConsumer({
    bus,
    spec: { stream: EVENTS_STREAM, durable: 'demo', ackWaitMs: 30_000, maxDeliver: -1, maxAckPending: 100 },
    schema: AccessEventSchema,
    handle: async (event, delivery) => {
      received.push(event.id);
      say(describe(event, delivery.streamSeq));
    },
  });

  spool = SpoolFile.open(join(dir, 'events.spool'), { maxBytes: 1 << 20 });
  publisher = new SpoolingPublisher({ bus, spool, retryIntervalMs: 200 });
  const publish = async (event) => publisher.publish(accessSubject(node), encodeMessage(AccessEventSchema, event), event.id);

  const sent = [];
  const first = sampleAccessEvent();
  sent.push(first.id);
  say(`\npublish 1 event: ${await publish(first)}`);
  await until(() => received.length === 1, 'the first event');

  say('\nstopping nats-server (an outage)');
  await server.stop();
  for (let i = 0; i < 3; i++) {
    const event = sampleAccessEvent();
    event.opener.process.pid += i + 1;
    event.opener.process.tgid = event.opener.process.pid;
    sent.push(event.id);
    say(`publish while NATS is down: ${await publish(event)} (${publisher.pending} waiting in ${spool.path})`);
  }

  say('\nstarting nats-server again');
  await server.start();
  await publisher.flushed(15_000);
  await until(() => received.length === 4, 'the replayed events');
  const exact = received.length === sent.length && received.every((id, i) => id === sent[i]);
  say(`\n${received.length} of ${sent.length} events delivered, ${exact ? 'each once and in order' : 'NOT as sent'}; spool now ${publisher.pending}`);
  process.exitCode = exact ? 0 : 1;
} finally {
  await consumer?.stop();
  await publisher?.close();
  spool?.close();
  await bus?.close();
  await server.dispose();
  rmSync(dir, { recursive: true, force: true });
  say('stopped nats-server and removed the demo files');
}

function describe(event, seq) {
  const p = event.opener.process;
  const where = {
    [OpenerClassification.OWN_CONTAINER]: 'inside the decoy’s own container',
    [OpenerClassification.OTHER_CONTAINER]: 'from another container',
    [OpenerClassification.HOST]: 'from the host',
  }[event.opener.classification];
  const pod = event.owner.pod;
  return `  [stream seq ${seq}] decoy ${event.trap.name} at ${event.trap.path} in ${pod.namespace}/${pod.name} (${event.owner.container.name}) opened by ${p.exe} pid ${p.pid} ${where}`;
}

async function until(condition, what) {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
