import { DLQ_STREAM, readDeadLetter } from '@beesting/bus';
import { alertRouterSettings, createLogger, loadConfig } from '@beesting/config';
import { describe, expect, it } from 'vitest';
import { runDeadLetterReplay } from '../src/dead-letter-replay.js';
import { accessEvent, until, useRouterRig } from './router-fixture.js';

describe('a webhook that answers 500 for 30 s, then 200', () => {
  const rig = useRouterRig();

  it('gets the alert after retries, with the same delivery id, and the retries are counted', { timeout: 90_000 }, async () => {
    const router = await rig.startRouter({ BEESTING_SINK_RETRY_BASE_MS: '500', BEESTING_SINK_RETRY_MAX_MS: '4000', BEESTING_SINK_MAX_ATTEMPTS: '30' });
    const downUntil = Date.now() + 30_000;
    rig.webhook.respondWith(() => (Date.now() < downUntil ? { status: 500 } : { status: 200 }));
    await rig.publish(accessEvent('outage-30s'));
    // The other sinks do not wait for the webhook.
    await until(() => rig.slack.received.length, (n) => n === 1, 3000, 'Slack, while the webhook is down');
    const [delivered] = await until(() => rig.webhook.accepted(), (d) => d.length === 1, 60_000, 'the webhook delivery after the outage');
    expect(delivered!.request.at).toBeGreaterThanOrEqual(downUntil);
    const attempts = rig.webhook.deliveries.filter((d) => d.deliveryId === delivered!.deliveryId);
    expect(attempts.length).toBeGreaterThan(5);
    expect(attempts.every((d) => d.signatureValid)).toBe(true);
    // The receiver records the request before the router has read the answer and counted it.
    await expect.poll(() => router.registry.metrics(), { timeout: 5000 }).toMatch(/beesting_sink_delivered_total\{sink="webhook"\} 1\b/);
    const metrics = await router.registry.metrics();
    expect(metrics).toMatch(new RegExp(`beesting_sink_retried_total\\{sink="webhook"\\} ${attempts.length - 1}\\b`));
    expect(metrics).toMatch(/beesting_sink_delivered_total\{sink="webhook"\} 1\b/);
    const jsm = await rig.bus.manager();
    expect((await jsm.streams.info(DLQ_STREAM)).state.messages).toBe(0);
  });
});

describe('a webhook that answers 500 forever', () => {
  const rig = useRouterRig();

  it('sends the alert to BEESTING_DLQ after the last retry while the other sinks are unaffected; the replay delivers it later', async () => {
    await rig.startRouter();
    rig.webhook.respondWith(() => ({ status: 500 }));
    await rig.publish(accessEvent('never-up'));
    await until(() => rig.slack.received.length, (n) => n === 1, 3000, 'Slack');
    await until(() => rig.kube.requests.length, (n) => n === 1, 3000, 'Kubernetes');
    const jsm = await rig.bus.manager();
    await until(async () => (await jsm.streams.info(DLQ_STREAM)).state.messages, (n) => n === 1, 5000, 'the dead letter');
    const stored = await jsm.streams.getMessage(DLQ_STREAM, { seq: 1 });
    const letter = readDeadLetter({ headers: stored.header, data: stored.data } as never);
    expect(stored.subject).toBe('beesting.v1.dlq.sink.webhook');
    expect(letter).toMatchObject({ origin: 'sink.webhook', code: 'BEESTING_ERR_SINK_HTTP', reason: expect.stringMatching(/HTTP 500.*after 3 attempts/) });
    const failedId = JSON.parse(new TextDecoder().decode(letter.payload)).id;
    expect(rig.webhook.deliveries.filter((d) => d.deliveryId === failedId)).toHaveLength(3);
    // The event was acked: nothing more is retried.
    await until(async () => (await jsm.consumers.info('BEESTING_EVENTS', 'alert-router')).num_ack_pending, (n) => n === 0, 3000, 'the ack');

    rig.webhook.respondWith(() => ({ status: 200 }));
    const config = loadConfig(alertRouterSettings, { env: rig.env() });
    const report = await runDeadLetterReplay(config, createLogger({ app: 'test', level: 'warn' }));
    expect(report).toEqual({ replayed: 1, failed: 0, skipped: 0 });
    expect(rig.webhook.accepted().map((d) => d.deliveryId)).toEqual([failedId]);
    expect((await jsm.streams.info(DLQ_STREAM)).state.messages).toBe(0);
    expect(await runDeadLetterReplay(config, createLogger({ app: 'test', level: 'warn' }))).toEqual({ replayed: 0, failed: 0, skipped: 0 });
  });

  it('counts and dead-letters a malformed message on the stream and keeps going', async () => {
    const js = rig.bus.jetstream!;
    await js.publish('beesting.v1.access.node-x', new TextEncoder().encode('{"id":"not-an-event"}'));
    rig.webhook.respondWith(() => ({ status: 200 }));
    const before = rig.webhook.accepted().length;
    await rig.publish(accessEvent('after-malformed'));
    await until(() => rig.webhook.accepted().length, (n) => n === before + 1, 5000, 'the next alert');
    const jsm = await rig.bus.manager();
    const info = await jsm.streams.info(DLQ_STREAM);
    const letters = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(DLQ_STREAM, { seq }).catch(() => undefined);
      if (m) letters.push(readDeadLetter({ headers: m.header, data: m.data } as never));
    }
    expect(letters.find((l) => l.origin === 'malformed.alert-router')).toMatchObject({ code: 'BEESTING_ERR_MESSAGE_INVALID', reason: expect.stringMatching(/AccessEvent.trap: required field is missing/) });
    expect(await rig.routers[0]!.registry.metrics()).toMatch(/beesting_bus_malformed_total\{consumer="alert-router"\} 1\b/);
  });
});
