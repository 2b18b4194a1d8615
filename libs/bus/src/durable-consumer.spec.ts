import { AccessEventSchema, encodeMessage, sampleAccessEvent } from '@beesting/events';
import type { AccessEvent } from '@beesting/events';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { useBus, waitFor } from '../test/bus-fixture.js';
import { createBusMetrics } from './bus-metrics.js';
import { readDeadLetter } from './dead-letter.js';
import { runDurableConsumer } from './durable-consumer.js';
import type { Delivery, DurableConsumer } from './durable-consumer.js';
import { accessSubject, DLQ_STREAM, EVENTS_STREAM } from './subjects.js';

describe('the durable pull consumer', () => {
  const t = useBus();
  const running: DurableConsumer[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  });

  const spec = (durable: string, node: string, ackWaitMs = 30_000) => ({
    stream: EVENTS_STREAM,
    durable,
    filterSubject: accessSubject(node),
    ackWaitMs,
    maxDeliver: -1,
    maxAckPending: 100,
  });

  const publishEvent = async (node: string) => {
    const event = sampleAccessEvent();
    await t.bus.jetstream!.publish(accessSubject(node), encodeMessage(AccessEventSchema, event), { msgID: event.id });
    return event;
  };

  it('delivers a message it did not ack again after the ack wait', async () => {
    const received: Array<{ id: string; delivery: Delivery; at: number }> = [];
    const crashed = runDurableConsumer({
      bus: t.bus,
      spec: spec('redeliver', 'redeliver-node', 1500),
      schema: AccessEventSchema,
      stopTimeoutMs: 50,
      // Takes the message and never finishes: a router that died mid-delivery.
      handle: (event) => {
        received.push({ id: event.id, delivery: {} as Delivery, at: Date.now() });
        return new Promise(() => {});
      },
    });
    const event = await publishEvent('redeliver-node');
    await waitFor(() => received.length === 1, 5000, 'the first delivery');
    await crashed.stop();

    const next: Array<{ event: AccessEvent; delivery: Delivery; at: number }> = [];
    running.push(
      runDurableConsumer({
        bus: t.bus,
        spec: spec('redeliver', 'redeliver-node', 1500),
        schema: AccessEventSchema,
        handle: async (e, delivery) => void next.push({ event: e, delivery, at: Date.now() }),
      }),
    );
    await waitFor(() => next.length === 1, 10_000, 'the redelivery');
    expect(next[0]!.event.id).toBe(event.id);
    expect(next[0]!.delivery.deliveryCount).toBe(2);
    expect(next[0]!.delivery.msgId).toBe(event.id);
    expect(next[0]!.at - received[0]!.at).toBeGreaterThanOrEqual(1400);

    // Acked now: it does not come back.
    await new Promise((r) => setTimeout(r, 2000));
    expect(next).toHaveLength(1);
    const info = await (await t.bus.manager()).consumers.info(EVENTS_STREAM, 'redeliver');
    expect(info.num_ack_pending).toBe(0);
  });

  it('redelivers a message whose handler threw, and acks it once it succeeds', async () => {
    let attempts = 0;
    running.push(
      runDurableConsumer({
        bus: t.bus,
        spec: spec('retry', 'retry-node'),
        schema: AccessEventSchema,
        nakDelayMs: 100,
        handle: async () => {
          attempts += 1;
          if (attempts < 3) throw new Error('sink down');
        },
      }),
    );
    await publishEvent('retry-node');
    await waitFor(() => attempts === 3, 10_000, 'three attempts');
    await waitFor(async () => (await (await t.bus.manager()).consumers.info(EVENTS_STREAM, 'retry')).num_ack_pending === 0, 5000, 'the ack');
  });

  it('counts and dead-letters a malformed payload with the reason, and keeps consuming', async () => {
    const registry = new Registry();
    const metrics = createBusMetrics(registry);
    const handled: string[] = [];
    running.push(
      runDurableConsumer({
        bus: t.bus,
        spec: spec('malformed', 'malformed-node'),
        schema: AccessEventSchema,
        metrics,
        handle: async (event) => void handled.push(event.id),
      }),
    );
    const js = t.bus.jetstream!;
    const bad = new TextEncoder().encode('{"id":"x","trap":{"id":7}}');
    const badAck = await js.publish(accessSubject('malformed-node'), bad);
    await js.publish(accessSubject('malformed-node'), new TextEncoder().encode('not json at all'));
    const good = await publishEvent('malformed-node');

    await waitFor(() => handled.length === 1, 10_000, 'the valid event after the malformed ones');
    expect(handled).toEqual([good.id]);
    expect((await registry.getSingleMetric('beesting_bus_malformed_total')!.get()).values[0]!.value).toBe(2);

    const jsm = await t.bus.manager();
    const letters = [];
    for (let seq = 1; seq <= (await jsm.streams.info(DLQ_STREAM)).state.last_seq; seq++) {
      const stored = await jsm.streams.getMessage(DLQ_STREAM, { seq });
      letters.push({ subject: stored.subject, letter: readDeadLetter({ headers: stored.header, data: stored.data } as never) });
    }
    const first = letters.find((l) => l.letter.source?.seq === badAck.seq)!;
    expect(first.subject).toBe('beesting.v1.dlq.malformed.malformed');
    expect(first.letter.code).toBe('BEESTING_ERR_MESSAGE_INVALID');
    expect(first.letter.reason).toMatch(/beesting.v1.AccessEvent.trap.id: expected a string/);
    expect(first.letter.source).toEqual({ stream: EVENTS_STREAM, seq: badAck.seq, subject: accessSubject('malformed-node') });
    expect(new TextDecoder().decode(first.letter.payload)).toBe('{"id":"x","trap":{"id":7}}');
    expect(letters.some((l) => /payload is not JSON/.test(l.letter.reason))).toBe(true);
    // Terminated, not left to redelivery.
    await waitFor(async () => (await jsm.consumers.info(EVENTS_STREAM, 'malformed')).num_ack_pending === 0, 5000, 'no pending acks');
  });
});
