import { trapKey } from '@beesting/bus';
import { AccessKind, encodeMessage, OpenerClassification, sampleTrapRegistration, TrapRegistrationSchema } from '@beesting/events';
import { describe, expect, it } from 'vitest';
import { accessEvent, until, useRouterRig } from './router-fixture.js';

describe('the alert-router with every sink enabled', () => {
  const rig = useRouterRig();
  const forTrap = (trapId: string) => ({
    webhook: () => rig.webhook.accepted().filter((d) => (d.body as any).event?.trap?.id === trapId),
    slack: () => rig.slack.received.filter((r) => JSON.stringify(r.payload).includes(trapId.slice(0, 8))),
    kube: () => rig.kube.requests.filter((r) => r.body.includes(trapId) || r.method === 'POST'),
  });

  it('turns one access event into one alert at each sink within a second', async () => {
    await rig.startRouter();
    const sub = rig.bus.connection!.subscribe('beesting.v1.alerts.critical.default', { max: 1 });
    const event = accessEvent('trap-one');
    const published = Date.now();
    await rig.publish(event);
    const [delivery] = await until(() => rig.webhook.accepted(), (d) => d.length === 1, 5000, 'the webhook delivery');
    expect(delivery!.request.at - published).toBeLessThan(1000);
    expect(delivery!.signatureValid).toBe(true);
    expect(delivery!.body).toMatchObject({ kind: 'ALERT_KIND_FIRST', severity: 'SEVERITY_CRITICAL', cluster: 'test-cluster', count: '1', event: { id: event.id, trap: { id: 'trap-one' } } });
    expect(delivery!.deliveryId).toBe((delivery!.body as any).id);

    await until(() => rig.slack.received.length, (n) => n === 1, 2000, 'the Slack message');
    expect(rig.slack.received[0]!.problems).toEqual([]);
    const [k8s] = await until(() => rig.kube.requests, (r) => r.length === 1, 2000, 'the Kubernetes Event');
    expect(k8s!.path).toBe('/api/v1/namespaces/default/events');
    expect(JSON.parse(k8s!.body)).toMatchObject({ reason: 'HoneytokenAccessed', type: 'Warning', involvedObject: { kind: 'Pod', name: 'sample-pod', namespace: 'default' } });
    for await (const m of sub) expect(m.subject).toBe('beesting.v1.alerts.critical.default');
  });

  it('classifies: exec and own container critical, another container high, the host medium, allow-listed host agents not at all', async () => {
    const cases = [
      [accessEvent('sev-exec'), 'SEVERITY_CRITICAL'],
      [accessEvent('sev-other', { classification: OpenerClassification.OTHER_CONTAINER }), 'SEVERITY_HIGH'],
      [accessEvent('sev-host', { classification: OpenerClassification.HOST, exe: '/usr/bin/less' }), 'SEVERITY_MEDIUM'],
    ] as const;
    cases[0][0].accessKind = AccessKind.EXEC;
    cases[0][0].opener!.classification = OpenerClassification.HOST;
    for (const [event] of cases) await rig.publish(event);
    await rig.publish(accessEvent('sev-agent', { classification: OpenerClassification.HOST, exe: '/usr/bin/restic' }));
    for (const [event, severity] of cases) {
      const [d] = await until(() => forTrap(event.trap!.id).webhook(), (d) => d.length === 1, 5000, `the alert of ${event.trap!.id}`);
      expect((d!.body as any).severity, event.trap!.id).toBe(severity);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(forTrap('sev-agent').webhook()).toEqual([]);
  });

  it('fills in what the event lacks from the trap inventory (KV)', async () => {
    const registration = sampleTrapRegistration();
    registration.trap!.id = 'inventoried';
    registration.trap!.memo = 'EKS token decoy from policy "default"; rotate nothing, investigate the pod';
    const kv = await rig.bus.jetstream!.views.kv('beesting_traps', { bindOnly: true });
    await kv.put(trapKey(registration.owner!.node, 'inventoried'), encodeMessage(TrapRegistrationSchema, registration));
    const event = accessEvent('inventoried');
    event.trap!.memo = '';
    event.owner!.pod!.labels = {};
    await rig.publish(event);
    const [d] = await until(() => forTrap('inventoried').webhook(), (x) => x.length === 1, 5000, 'the enriched alert');
    expect((d!.body as any).event.trap.memo).toBe(registration.trap!.memo);
    expect((d!.body as any).event.owner.pod.labels).toEqual({ app: 'sample' });
  });
});
