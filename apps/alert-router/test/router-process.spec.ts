import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { accessSubject, beestingBusLayout, BusConnection, provision } from '@beesting/bus';
import { AccessEventSchema, encodeMessage, newEventId, sampleAccessEvent, timestampFromDate } from '@beesting/events';
import { freeLoopbackPort, startNatsServer, startSlackReceiver, startWebhookReceiver } from '@beesting/testing';
import type { NatsServer } from '@beesting/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built app as operators run it: node apps/alert-router/dist/main.js.
const MAIN = join(import.meta.dirname, '../dist/main.js');
const SECRET = 'whsec-process-test';

function run(env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function ready(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`router on ${port} not ready`);
}

describe('the alert-router process', () => {
  let server: NatsServer;
  let bus: BusConnection;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    server = await startNatsServer();
    bus = BusConnection.start({ servers: server.url, name: 'process-test' });
    const nc = await bus.ready(10_000);
    await provision(nc.jetstream(), await nc.jetstreamManager(), beestingBusLayout());
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await bus.close();
    await server.dispose();
  });

  it('exits with BEESTING_ERR_CONFIG naming a bad setting, and code 78', async () => {
    const child = run({ BEESTING_WEBHOOK_URL: 'ftp://nope', BEESTING_NATS_URL: server.url });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(78);
    expect(stderr.trim()).toBe('alert-router: BEESTING_ERR_CONFIG: BEESTING_WEBHOOK_URL: expected an http:// or https:// URL (got "ftp://nope")');
  });

  it('loses nothing when a replica is killed -9 mid-delivery: the other redelivers with the same Beesting-Delivery id', { timeout: 60_000 }, async () => {
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    const webhook = await startWebhookReceiver(SECRET, async (_req, index) => {
      if (index === 0) await hung; // the first delivery never gets an answer from us
      return { status: 200 };
    });
    const slack = await startSlackReceiver();
    const ports = await Promise.all([freeLoopbackPort(), freeLoopbackPort(), freeLoopbackPort(), freeLoopbackPort()]);
    const env = (i: number) => ({
      BEESTING_NATS_URL: server.url,
      BEESTING_HTTP_ADDR: `127.0.0.1:${ports[i]}`,
      BEESTING_GRPC_ADDR: `127.0.0.1:${ports[i + 2]}`,
      BEESTING_WEBHOOK_URL: webhook.url,
      BEESTING_WEBHOOK_SECRET: SECRET,
      BEESTING_SLACK_WEBHOOK_URL: slack.url,
      BEESTING_ROUTER_ACK_WAIT_SECONDS: '3',
      BEESTING_SINK_TIMEOUT_MS: '60000',
      BEESTING_LOG_LEVEL: 'error',
    });
    const replicas = [run(env(0)), run(env(1))];
    children.push(...replicas);
    await Promise.all([ready(ports[0]!), ready(ports[1]!)]);

    const event = sampleAccessEvent(newEventId());
    event.observedAt = timestampFromDate(new Date());
    await bus.jetstream!.publish(accessSubject('node-1'), encodeMessage(AccessEventSchema, event), { msgID: event.id });

    // Find the replica holding the delivery and kill it hard, once it has recorded that Slack is done.
    const first = await until(() => webhook.deliveries[0], 10_000, 'the first delivery attempt');
    const windows = await bus.jetstream!.views.kv('beesting_alert_windows', { bindOnly: true });
    const slackSettled = async () => {
      for await (const key of await windows.keys()) {
        const entry = await windows.get(key);
        if (entry?.string() && (JSON.parse(entry.string()) as { firstSettled: string[] }).firstSettled.includes('slack')) return true;
      }
      return false;
    };
    for (let i = 0; i < 200 && !(await slackSettled()); i++) await new Promise((r) => setTimeout(r, 25));
    const [, pid] = String(first.request.headers['beesting-sender']).split('/');
    const victim = replicas.find((c) => String(c.pid) === pid)!;
    expect(victim).toBeDefined();
    victim.kill('SIGKILL');
    await new Promise((r) => victim.once('exit', r));

    const second = await until(() => webhook.accepted()[0], 20_000, 'the redelivery by the surviving replica');
    expect(second.deliveryId).toBe(first.deliveryId);
    expect(second.signatureValid).toBe(true);
    expect(second.request.headers['beesting-sender']).not.toBe(first.request.headers['beesting-sender']);
    release();
    await new Promise((r) => setTimeout(r, 1000));
    expect(webhook.accepted().map((d) => d.deliveryId)).toEqual([first.deliveryId]);
    // Slack was settled before the kill, so the survivor does not send it again.
    expect(slack.received).toHaveLength(1);
    await webhook.close();
    await slack.close();
  });
});

async function until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
