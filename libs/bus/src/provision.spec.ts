import { describe, expect, it } from 'vitest';
import { nanos } from 'nats';
import { useBus } from '../test/bus-fixture.js';
import { BusError } from './bus-error.js';
import { beestingBusLayout } from './layout.js';
import { ensureConsumer, ensureStream, provision } from './provision.js';

describe('provisioning against a real nats-server', () => {
  const t = useBus({ provisioned: false });

  it('creates the streams and bucket of design.md §3 once; a second run changes nothing', async () => {
    const nc = t.bus.connection!;
    const jsm = await nc.jetstreamManager();
    const first = await provision(nc.jetstream(), jsm, beestingBusLayout());
    expect(first.created).toEqual(['stream BEESTING_EVENTS', 'stream BEESTING_ALERTS', 'stream BEESTING_DLQ', 'kv beesting_traps']);
    expect(first.unchanged).toEqual([]);
    const before = await Promise.all(['BEESTING_EVENTS', 'BEESTING_ALERTS', 'BEESTING_DLQ', 'KV_beesting_traps'].map((s) => jsm.streams.info(s)));

    const second = await provision(nc.jetstream(), jsm, beestingBusLayout());
    expect(second.created).toEqual([]);
    expect(second.unchanged).toHaveLength(4);
    const after = await Promise.all(['BEESTING_EVENTS', 'BEESTING_ALERTS', 'BEESTING_DLQ', 'KV_beesting_traps'].map((s) => jsm.streams.info(s)));
    expect(after.map((i) => [i.created, i.config])).toEqual(before.map((i) => [i.created, i.config]));
    expect(after[0]!.config.subjects).toEqual(['beesting.v1.access.*']);
    expect(after[1]!.config.subjects).toEqual(['beesting.v1.alerts.*.*']);

    const kv = await nc.jetstream().views.kv('beesting_traps', { bindOnly: true });
    await kv.put('node-1.trap-1', new TextEncoder().encode('{}'));
    expect((await kv.get('node-1.trap-1'))?.string()).toBe('{}');
  });

  it('reports a stream that exists with another config, naming the difference, and leaves it as it was', async () => {
    const jsm = await t.bus.connection!.jetstreamManager();
    await jsm.streams.add({ name: 'OPERATOR_TUNED', subjects: ['tuned.>'], max_age: nanos(60_000) });
    const spec = { name: 'OPERATOR_TUNED', subjects: ['tuned.>'], storage: 'file' as const, replicas: 1, maxAgeMs: 3_600_000, duplicateWindowMs: 60_000, maxBytes: -1 };
    const error = await ensureStream(jsm, spec).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(BusError);
    expect((error as BusError).code).toBe('BEESTING_ERR_BUS_CONFLICT');
    expect((error as BusError).message).toMatch(/stream OPERATOR_TUNED .*max_age is 60000000000, wanted 3600000000000/);
    expect((await jsm.streams.info('OPERATOR_TUNED')).config.max_age).toBe(nanos(60_000));
  });

  it('reports a durable consumer with another ack wait instead of replacing it', async () => {
    const jsm = await t.bus.connection!.jetstreamManager();
    const spec = { stream: 'BEESTING_EVENTS', durable: 'tuned', ackWaitMs: 30_000, maxDeliver: -1, maxAckPending: 1000 };
    expect(await ensureConsumer(jsm, spec)).toBe('created');
    expect(await ensureConsumer(jsm, spec)).toBe('unchanged');
    await expect(ensureConsumer(jsm, { ...spec, ackWaitMs: 5_000 })).rejects.toThrow(/consumer BEESTING_EVENTS\/tuned .*ack_wait/);
    expect((await jsm.consumers.info('BEESTING_EVENTS', 'tuned')).config.ack_wait).toBe(nanos(30_000));
  });
});
