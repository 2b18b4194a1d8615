import { ALERTS_STREAM } from '@beesting/bus';
import { AlertSchema, decodeMessage } from '@beesting/events';
import { describe, expect, it } from 'vitest';
import { accessEvent, until, useRouterRig } from './router-fixture.js';

describe('two alert-router replicas sharing one consumer', () => {
  const rig = useRouterRig();

  it('fold 1,000 accesses of one decoy by one process into one alert and one summary of 1,000 per sink; another executable alerts again', { timeout: 90_000 }, async () => {
    await rig.startRouter({ BEESTING_DEDUP_WINDOW_SECONDS: '8' });
    await rig.startRouter({ BEESTING_DEDUP_WINDOW_SECONDS: '8' });
    const started = Date.now();
    for (let batch = 0; batch < 10; batch++) await Promise.all(Array.from({ length: 100 }, () => rig.publish(accessEvent('burst', { pid: 100 }))));
    await rig.publish(accessEvent('burst', { pid: 200, exe: '/usr/bin/python3' }));
    expect(Date.now() - started).toBeLessThan(4000);

    const burst = () => rig.webhook.accepted().filter((d) => (d.body as any).event.trap.id === 'burst');
    const deliveries = await until(burst, (d) => d.length >= 3, 50_000, 'two first alerts and one summary');
    await new Promise((r) => setTimeout(r, 1500)); // nothing more may come
    expect(burst()).toHaveLength(3);
    const byKind = (kind: string) => burst().filter((d) => (d.body as any).kind === kind);
    expect(byKind('ALERT_KIND_FIRST').map((d) => (d.body as any).event.opener.process.exe).sort()).toEqual(['/usr/bin/cat', '/usr/bin/python3']);
    const [summary] = byKind('ALERT_KIND_SUMMARY');
    expect(summary!.body).toMatchObject({ count: '1000', event: { opener: { process: { exe: '/usr/bin/cat' } } } });
    expect(summary!.deliveryId).toBe(`${byKind('ALERT_KIND_FIRST').find((d) => (d.body as any).event.opener.process.exe === '/usr/bin/cat')!.deliveryId}-summary`);
    expect(deliveries.every((d) => d.signatureValid)).toBe(true);

    // The same three at every other sink, once each.
    const slack = rig.slack.received.filter((r) => JSON.stringify(r.payload).includes('Count: 1000') || JSON.stringify(r.payload).includes('Count: 1"'));
    expect(slack.length).toBe(3);
    expect(rig.kube.requests.filter((r) => r.method === 'POST')).toHaveLength(3);
    const jsm = await rig.bus.manager();
    const stored = [];
    for (let seq = 1; seq <= (await jsm.streams.info(ALERTS_STREAM)).state.last_seq; seq++) stored.push(decodeMessage(AlertSchema, (await jsm.streams.getMessage(ALERTS_STREAM, { seq })).data));
    expect(stored.filter((a) => a.event?.trap?.id === 'burst').map((a) => Number(a.count)).sort((a, b) => a - b)).toEqual([1, 1, 1000]);
  });

  it('deliver each of 20 distinct alerts to each sink exactly once', async () => {
    const before = rig.webhook.accepted().length;
    for (let i = 0; i < 20; i++) await rig.publish(accessEvent(`distinct-${i}`));
    await until(() => rig.webhook.accepted().length - before, (n) => n >= 20, 10_000, '20 alerts');
    await new Promise((r) => setTimeout(r, 1000));
    const ids = rig.webhook.accepted().slice(before).filter((d) => String((d.body as any).event?.trap?.id).startsWith('distinct-')).map((d) => d.deliveryId);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });
});
