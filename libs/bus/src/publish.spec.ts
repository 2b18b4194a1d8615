import { AccessEventSchema, sampleAccessEvent } from '@beesting/events';
import { describe, expect, it } from 'vitest';
import { useBus } from '../test/bus-fixture.js';
import { publishMessage } from './publish.js';
import { accessSubject, EVENTS_STREAM } from './subjects.js';

describe('publishing with a message id', () => {
  const t = useBus();

  it('stores one event published twice with one id once', async () => {
    const js = t.bus.jetstream!;
    const jsm = await t.bus.manager();
    const event = sampleAccessEvent();
    const before = (await jsm.streams.info(EVENTS_STREAM)).state.messages;
    const first = await publishMessage(js, accessSubject('node-1'), AccessEventSchema, event, { msgId: event.id });
    const second = await publishMessage(js, accessSubject('node-1'), AccessEventSchema, event, { msgId: event.id });
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ seq: first.seq, duplicate: true });
    expect((await jsm.streams.info(EVENTS_STREAM)).state.messages).toBe(before + 1);
    const stored = await jsm.streams.getMessage(EVENTS_STREAM, { seq: first.seq });
    expect(stored.header.get('Nats-Msg-Id')).toBe(event.id);
  });

  it('refuses to publish an invalid message', async () => {
    const event = sampleAccessEvent();
    event.opener = undefined;
    await expect(publishMessage(t.bus.jetstream!, accessSubject('node-1'), AccessEventSchema, event, { msgId: event.id })).rejects.toThrow(
      /BEESTING_ERR_MESSAGE_INVALID: beesting.v1.AccessEvent.opener: required field is missing/,
    );
  });
});
