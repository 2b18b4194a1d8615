import { accessSubject, beestingBusLayout, BusConnection, provision } from '@beesting/bus';
import { alertRouterSettings, createLogger, loadConfig } from '@beesting/config';
import { AccessEventSchema, encodeMessage, newEventId, OpenerClassification, sampleAccessEvent, timestampFromDate } from '@beesting/events';
import type { AccessEvent } from '@beesting/events';
import { startFakeKubernetesApi, startNatsServer, startSlackReceiver, startWebhookReceiver } from '@beesting/testing';
import type { NatsServer } from '@beesting/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll } from 'vitest';
import { startAlertRouter } from '../src/alert-router.js';
import type { RunningRouter } from '../src/alert-router.js';

export const SECRET = 'whsec-router-test';

export type Env = Record<string, string>;

/** A real nats-server, the three local receivers, and routers started on demand. */
export function useRouterRig() {
  const rig = {} as {
    server: NatsServer;
    bus: BusConnection;
    webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
    slack: Awaited<ReturnType<typeof startSlackReceiver>>;
    kube: Awaited<ReturnType<typeof startFakeKubernetesApi>>;
    routers: Array<RunningRouter & { registry: Registry }>;
    env(extra?: Env): Env;
    startRouter(extra?: Env): Promise<RunningRouter & { registry: Registry }>;
    publish(event: AccessEvent): Promise<void>;
  };
  beforeAll(async () => {
    rig.server = await startNatsServer();
    rig.bus = BusConnection.start({ servers: rig.server.url, name: 'router-test' });
    const nc = await rig.bus.ready(10_000);
    await provision(nc.jetstream(), await nc.jetstreamManager(), beestingBusLayout());
    rig.webhook = await startWebhookReceiver(SECRET);
    rig.slack = await startSlackReceiver();
    rig.kube = await startFakeKubernetesApi();
    rig.routers = [];
    rig.env = (extra = {}) => ({
      BEESTING_NATS_URL: rig.server.url,
      BEESTING_HTTP_ADDR: '127.0.0.1:0',
      BEESTING_GRPC_ADDR: '127.0.0.1:0',
      BEESTING_WEBHOOK_URL: rig.webhook.url,
      BEESTING_WEBHOOK_SECRET: SECRET,
      BEESTING_SLACK_WEBHOOK_URL: rig.slack.url,
      BEESTING_KUBERNETES: rig.kube.kubeconfig,
      BEESTING_CLUSTER_NAME: 'test-cluster',
      BEESTING_SINK_RETRY_BASE_MS: '50',
      BEESTING_SINK_RETRY_MAX_MS: '200',
      BEESTING_SINK_MAX_ATTEMPTS: '3',
      BEESTING_SUMMARY_SWEEP_MS: '100',
      BEESTING_LOG_LEVEL: 'error',
      BEESTING_HOST_ALLOWLIST: '/usr/bin/restic',
      ...extra,
    });
    rig.startRouter = async (extra = {}) => {
      const registry = new Registry();
      const config = loadConfig(alertRouterSettings, { env: rig.env(extra) });
      const router = Object.assign(await startAlertRouter(config, { logger: createLogger({ app: 'alert-router', level: config.logLevel }), registry }), { registry });
      rig.routers.push(router);
      return router;
    };
    rig.publish = async (event) => {
      await rig.bus.jetstream!.publish(accessSubject(event.owner!.node), encodeMessage(AccessEventSchema, event), { msgID: event.id });
    };
  });
  afterAll(async () => {
    for (const r of rig.routers ?? []) await r.stop().catch(() => {});
    await rig.bus?.close();
    await Promise.all([rig.webhook?.close(), rig.slack?.close(), rig.kube?.close()]);
    await rig.server?.dispose();
  });
  return rig;
}

/** An access event now, by a process of its own (pid) in a container of its own, on a trap of its own. */
export function accessEvent(trapId: string, options: { pid?: number; exe?: string; classification?: OpenerClassification; suppressed?: number } = {}): AccessEvent {
  const event = sampleAccessEvent(newEventId());
  event.trap!.id = trapId;
  event.opener!.process!.pid = options.pid ?? 4242;
  event.opener!.process!.tgid = options.pid ?? 4242;
  if (options.exe) event.opener!.process!.exe = options.exe;
  if (options.classification) event.opener!.classification = options.classification;
  if (options.classification === OpenerClassification.HOST) event.opener!.containerId = '';
  event.suppressedCount = BigInt(options.suppressed ?? 0);
  event.observedAt = timestampFromDate(new Date());
  return event;
}

export async function until<T>(probe: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(v)?.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
