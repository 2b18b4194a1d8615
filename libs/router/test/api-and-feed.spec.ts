import { credentials } from '@grpc/grpc-js';
import { create, WatchAlertsRequestSchema, Severity, TrapRegistrationSchema, sampleTrapRegistration, encodeMessage } from '@beesting/events';
import type { WatchAlertsResponse } from '@beesting/events';
import { trapKey } from '@beesting/bus';
import { describe, expect, it } from 'vitest';
import { AlertFeedClient } from '../src/alert-feed.js';
import { accessEvent, until, useRouterRig } from './router-fixture.js';

describe('the alert-router API and feed', () => {
  const rig = useRouterRig();

  it('POST /api/v1/test reaches every enabled sink; /healthz, /readyz and /metrics answer', async () => {
    const router = await rig.startRouter();
    const base = `http://127.0.0.1:${router.httpPort}`;
    expect(router.sinks).toEqual(['webhook', 'slack', 'nats', 'kubernetes']);
    const res = await fetch(`${base}/api/v1/test`, { method: 'POST' });
    const body = (await res.json()) as { alertId: string; sinks: Record<string, { delivered: boolean }> };
    expect(res.status).toBe(200);
    expect(body.sinks).toEqual({
      webhook: { delivered: true, attempts: 1 },
      slack: { delivered: true, attempts: 1 },
      nats: { delivered: true, attempts: 1 },
      kubernetes: { delivered: true, attempts: 1 },
    });
    expect(rig.webhook.accepted().map((d) => d.deliveryId)).toEqual([body.alertId]);
    expect(rig.slack.received.map((r) => r.problems)).toEqual([[]]);
    expect(rig.kube.requests).toHaveLength(1);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/beesting_sink_delivered_total\{sink="slack"\} 1/);
    expect(metrics).toContain('beesting_sink_delivery_seconds_bucket');
  });

  it('GET /api/v1/alerts lists recent alerts, newest first; GET /api/v1/traps lists the inventory', async () => {
    const base = `http://127.0.0.1:${rig.routers[0]!.httpPort}`;
    await rig.publish(accessEvent('listed-1'));
    await rig.publish(accessEvent('listed-2'));
    await until(() => rig.webhook.accepted().length, (n) => n === 3, 5000, 'two more alerts');
    const { alerts } = (await (await fetch(`${base}/api/v1/alerts?limit=2`)).json()) as { alerts: Array<{ event: { trap: { id: string } } }> };
    expect(alerts.map((a) => a.event.trap.id).sort()).toEqual(['listed-1', 'listed-2']);

    const registration = sampleTrapRegistration();
    const kv = await rig.bus.jetstream!.views.kv('beesting_traps', { bindOnly: true });
    await kv.put(trapKey('sample-node', registration.trap!.id), encodeMessage(TrapRegistrationSchema, registration));
    const { traps } = (await (await fetch(`${base}/api/v1/traps`)).json()) as { traps: Array<{ trap: { id: string }; hostPath: string }> };
    expect(traps).toEqual([expect.objectContaining({ trap: expect.objectContaining({ id: 'trp-0000-sample' }), hostPath: registration.hostPath })]);
  });

  it('streams alerts to a grpc-js client, filtered by severity', async () => {
    const router = rig.routers[0]!;
    const client = new AlertFeedClient(`127.0.0.1:${router.grpcPort}`, credentials.createInsecure());
    const received: WatchAlertsResponse[] = [];
    const stream = (client as any).WatchAlerts(create(WatchAlertsRequestSchema, { minSeverity: Severity.CRITICAL }));
    stream.on('data', (m: WatchAlertsResponse) => received.push(m));
    stream.on('error', () => {});
    await new Promise((r) => setTimeout(r, 200));
    await rig.publish(accessEvent('fed-critical'));
    await rig.publish(accessEvent('fed-high', { classification: 3 as never, exe: '/usr/bin/vi' }));
    await until(() => received.length, (n) => n >= 1, 5000, 'an alert on the feed');
    await new Promise((r) => setTimeout(r, 500));
    expect(received.map((m) => m.alert?.event?.trap?.id)).toEqual(['fed-critical']);
    stream.cancel();
    client.close();
  });
});
