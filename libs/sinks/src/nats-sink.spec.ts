import { ALERTS_STREAM, beestingBusLayout, BusConnection, provision } from '@beesting/bus';
import { AlertSchema, decodeMessage, sampleAlert } from '@beesting/events';
import { startNatsServer } from '@beesting/testing';
import type { NatsServer } from '@beesting/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWithRetries } from './deliver.js';
import { NatsSink } from './nats-sink.js';

describe('the NATS sink against a real nats-server', () => {
  let server: NatsServer;
  let bus: BusConnection;
  beforeAll(async () => {
    server = await startNatsServer();
    bus = BusConnection.start({ servers: server.url, name: 'sink-test' });
    const nc = await bus.ready(10_000);
    await provision(nc.jetstream(), await nc.jetstreamManager(), beestingBusLayout());
  });
  afterAll(async () => {
    await bus.close();
    await server.dispose();
  });

  it('publishes on beesting.v1.alerts.<severity>.<namespace>, kept once in BEESTING_ALERTS', async () => {
    const sub = bus.connection!.subscribe('beesting.v1.alerts.critical.*', { max: 1 });
    const alert = sampleAlert();
    const sink = new NatsSink({ jetstream: () => bus.jetstream });
    expect(await deliverWithRetries(sink, alert)).toEqual({ ok: true, attempts: 1 });
    expect(await deliverWithRetries(sink, alert)).toEqual({ ok: true, attempts: 1 });
    for await (const m of sub) {
      expect(m.subject).toBe('beesting.v1.alerts.critical.default');
      expect(decodeMessage(AlertSchema, m.data).id).toBe(alert.id);
    }
    const info = await (await bus.manager()).streams.info(ALERTS_STREAM);
    expect(info.state.messages).toBe(1);
  });
});
