import { beestingBusLayout, BusConnection, ensureKv, EVENTS_STREAM, provision, runDurableConsumer, TRAPS_BUCKET } from '@beesting/bus';
import type { DurableConsumer } from '@beesting/bus';
import type { alertRouterSettings, ConfigOf, Logger } from '@beesting/config';
import { AccessEventSchema, Severity } from '@beesting/events';
import { buildSinks, createSinkMetrics } from '@beesting/sinks';
import type { Sink } from '@beesting/sinks';
import type { KV } from 'nats';
import type { Registry } from 'prom-client';
import { createBusMetrics } from '@beesting/bus';
import { AccessEventHandler } from './access-event-handler.js';
import { AlertDispatcher } from './alert-dispatcher.js';
import { startAlertFeed } from './alert-feed.js';
import { buildHttpApi } from './http-api.js';
import { createRouterMetrics } from './router-metrics.js';
import { SummarySender } from './summary-sender.js';
import { TrapInventory } from './trap-inventory.js';
import { WINDOWS_BUCKET, WindowStore } from './window-store.js';

export type AlertRouterConfig = ConfigOf<(typeof alertRouterSettings)['settings']>;

/** The durable consumer all replicas share. */
export const ROUTER_CONSUMER = 'alert-router';

const severity = (name: string): Severity => (name === 'critical' ? Severity.CRITICAL : name === 'high' ? Severity.HIGH : Severity.MEDIUM);

export function sinksFromConfig(config: AlertRouterConfig, bus: BusConnection, onForbidden: (what: string) => void): Sink[] {
  return buildSinks(
    {
      webhookUrl: config.webhookUrl,
      webhookSecret: config.webhookSecret,
      webhookHeaders: config.webhookHeaders,
      webhookTlsCert: config.webhookTlsCert,
      webhookTlsKey: config.webhookTlsKey,
      webhookTlsCa: config.webhookTlsCa,
      slackWebhookUrl: config.slackWebhookUrl,
      natsAlerts: config.natsAlerts,
      kubernetes: config.kubernetes,
      kubernetesAnnotatePod: config.kubernetesAnnotatePod,
      minSeverity: {
        webhook: severity(config.webhookMinSeverity),
        slack: severity(config.slackMinSeverity),
        nats: severity(config.natsMinSeverity),
        kubernetes: severity(config.kubernetesMinSeverity),
      },
      timeoutMs: config.sinkTimeoutMs,
      retry: { maxAttempts: config.sinkMaxAttempts, baseDelayMs: config.sinkRetryBaseMs, maxDelayMs: config.sinkRetryMaxMs },
    },
    { jetstream: () => bus.jetstream, onForbidden },
  );
}

export interface RunningRouter {
  httpPort: number;
  grpcPort: number;
  sinks: string[];
  stop(): Promise<void>;
}

/** Wires and starts one alert-router replica. */
export async function startAlertRouter(config: AlertRouterConfig, deps: { logger: Logger; registry: Registry }): Promise<RunningRouter> {
  const { logger, registry } = deps;
  const shutdown = new AbortController();
  const bus = BusConnection.start({ servers: config.natsUrl, name: 'beesting-alert-router', logger });
  const nc = await bus.ready();
  const js = nc.jetstream();
  const jsm = await nc.jetstreamManager();
  await provision(js, jsm, beestingBusLayout());
  await ensureKv(js, jsm, { bucket: WINDOWS_BUCKET, history: 1, storage: 'file', replicas: 1 });
  const windowsKv = await js.views.kv(WINDOWS_BUCKET, { bindOnly: true });
  let trapsKv: KV | undefined = await js.views.kv(TRAPS_BUCKET, { bindOnly: true });

  const routerMetrics = createRouterMetrics(registry);
  const sinks = sinksFromConfig(config, bus, (what) => {
    routerMetrics.rbacDenied.inc();
    logger.warn({ what }, 'Kubernetes RBAC denied the alert-router; grant it events/create (and pods/patch to annotate)');
  });
  const dispatcher = new AlertDispatcher(sinks, () => bus.jetstream, createSinkMetrics(registry), logger);
  const windows = new WindowStore(windowsKv);
  const inventory = new TrapInventory(() => trapsKv);
  const common = { windows, dispatcher, metrics: routerMetrics, logger, cluster: config.clusterName, signal: shutdown.signal };
  const summaries = new SummarySender(common);
  const handler = new AccessEventHandler({ ...common, summaries, inventory, windowMs: config.dedupWindowSeconds * 1000, hostAllowList: config.hostAllowList });

  const consumer: DurableConsumer = runDurableConsumer({
    bus,
    spec: { stream: EVENTS_STREAM, durable: ROUTER_CONSUMER, ackWaitMs: config.ackWaitSeconds * 1000, maxDeliver: -1, maxAckPending: 10_000 },
    schema: AccessEventSchema,
    concurrency: config.concurrency,
    handle: (event, delivery) => handler.handle(event, delivery),
    metrics: createBusMetrics(registry),
    logger,
  });
  consumer.done.catch((err: Error) => logger.error({ err: err.message }, 'event consumer stopped'));
  summaries.startSweeping(config.summarySweepMs);

  const http = buildHttpApi({ bus, dispatcher, inventory, registry, cluster: config.clusterName, ready: () => bus.connected });
  await http.listen({ host: config.httpAddr.host, port: config.httpAddr.port });
  const httpAddress = http.server.address();
  const feed = await startAlertFeed(nc, config.grpcAddr, logger);
  logger.info({ sinks: sinks.map((s) => s.id), http: httpAddress, grpc: feed.port }, 'alert-router started');

  return {
    httpPort: typeof httpAddress === 'object' && httpAddress ? httpAddress.port : 0,
    grpcPort: feed.port,
    sinks: sinks.map((s) => s.id),
    stop: async () => {
      shutdown.abort();
      summaries.stopSweeping();
      await consumer.stop();
      await http.close();
      await feed.stop();
      trapsKv = undefined;
      await bus.close();
    },
  };
}
