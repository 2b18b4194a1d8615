import { statfsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { accessSubject, armSubject, beestingBusLayout, BusConnection, createBusMetrics, decodeToken, disarmSubject, ensureKv, nodeTrapKeys, serveRequests, SpoolFile, SpoolingPublisher, TRAPS_BUCKET } from '@beesting/bus';
import { BpfDetector } from '@beesting/bpf-native';
import type { AccessRecord, Backend } from '@beesting/bpf-native';
import type { ConfigOf, Logger, monitorSettings } from '@beesting/config';
import { AccessEventSchema, ArmReplySchema, create, DetectionBackend, decodeMessage, encodeMessage, TrapRegistrationSchema } from '@beesting/events';
import type { TrapRegistration } from '@beesting/events';
import { fastify } from 'fastify';
import type { Subscription } from 'nats';
import type { Registry } from 'prom-client';
import { buildAccessEvent, buildFoldedEvent } from './access-event-builder.js';
import { ArmedTraps, TrapError } from './armed-traps.js';
import { CANARY_COOKIE, plantCanary } from './canary.js';
import { CgroupResolver } from './cgroup-resolver.js';
import { registerMonitorMetrics } from './monitor-metrics.js';

export type MonitorConfig = ConfigOf<(typeof monitorSettings)['settings']>;

const BPF_FS_MAGIC = 0xcafe4a11;
const HELD_RECORDS = 100_000;
const INVENTORY_WAIT_MS = 10_000;

/** The pin directory if pinning is on and its parent is a mounted bpffs. */
function usablePinDir(dir: string, logger: Logger): string | undefined {
  if (dir === 'off') return undefined;
  try {
    if (statfsSync(dirname(dir)).type === BPF_FS_MAGIC) return dir;
  } catch {
    // reported below
  }
  logger.warn({ dir }, 'no bpffs mounted there: not pinning; detection stops while the monitor is down');
  return undefined;
}

const BACKEND = { lsm: DetectionBackend.LSM_FILE_OPEN, fentry: DetectionBackend.FENTRY_SECURITY_FILE_OPEN, tracepoint: DetectionBackend.TRACEPOINT } as const;

export interface RunningMonitor {
  backend: string;
  httpPort: number;
  /** Resolves once the canary's event came back through the kernel. */
  ready: Promise<void>;
  armedTraps(): number;
  stop(): Promise<void>;
}

export async function startMonitor(config: MonitorConfig, deps: { logger: Logger; registry: Registry }): Promise<RunningMonitor> {
  const { logger, registry } = deps;
  const pinDir = usablePinDir(config.bpfPinDir, logger);
  const loaded = BpfDetector.load({ backend: config.bpfBackend as 'auto' | Backend, ...(pinDir ? { pinDir } : {}) });
  for (const r of loaded.rejected) logger.warn({ backend: r.backend, code: r.error.code, err: r.error.message.split('\n')[0] }, 'detection backend unavailable');
  const detector = loaded.detector;
  logger.info({ backend: loaded.backend, pinDir, tookOverLinks: detector.reusedLinks }, 'detection backend loaded');
  detector.clearExcluded();
  detector.exclude(process.pid);
  detector.setRateLimit(BigInt(config.rateLimitMs) * 1_000_000n);
  const traps = new ArmedTraps(detector);
  const cgroups = new CgroupResolver();
  const metrics = registerMonitorMetrics(registry, detector, () => traps.size);

  const bus = BusConnection.start({ servers: config.natsUrl, name: `beesting-monitor-${config.nodeName}`, logger });
  const spool = SpoolFile.open(join(config.stateDir, 'spool', 'events.spool'), { maxBytes: config.spoolMaxBytes });
  const publisher = new SpoolingPublisher({ bus, spool, metrics: createBusMetrics(registry), logger, writeAhead: true });

  // Ready: the canary came back through the kernel and the arm service listens.
  let markCanary!: () => void;
  let markServing!: () => void;
  const canarySeen = new Promise<void>((r) => (markCanary = r));
  const serving = new Promise<void>((r) => (markServing = r));
  let isReady = false;
  let isServing = false;
  const ready = Promise.all([canarySeen, serving]).then(() => undefined);
  // Records of an earlier run (pinned ring buffer) can only be named once the inventory is loaded.
  let inventoryLoaded = false;
  const held: AccessRecord[] = [];
  const onRecords = (records: AccessRecord[]) => {
    if (inventoryLoaded) return handle(records);
    for (const record of records) {
      if (record.cookie === CANARY_COOKIE) handle([record]);
      else if (held.length < HELD_RECORDS) held.push(record);
      else metrics.unknownCookie.inc();
    }
  };
  const inventoryReady = () => {
    if (inventoryLoaded) return;
    inventoryLoaded = true;
    handle(held.splice(0));
  };
  setTimeout(inventoryReady, INVENTORY_WAIT_MS).unref();
  const handle = (records: AccessRecord[]) => {
    for (const record of records) {
      if (record.cookie === CANARY_COOKIE) {
        if (!isReady) logger.info({ backend: record.backend }, 'canary seen: the kernel path works');
        isReady = true;
        markCanary();
        continue;
      }
      const registration = traps.lookup(record.cookie);
      if (!registration) {
        metrics.unknownCookie.inc();
        continue;
      }
      const event = buildAccessEvent(record, registration, cgroups);
      metrics.published.inc();
      publisher.publish(accessSubject(config.nodeName), encodeMessage(AccessEventSchema, event), event.id).catch((err: Error) => logger.error({ err: err.message, event: event.id }, 'event could not be published or spooled'));
    }
  };
  detector.onRecords(onRecords);
  detector.drain();
  // Opens folded by the rate limit ride on the process's next record; when there is no
  // next one, they are published here once the interval has passed, so every open counts.
  const rateLimitNs = BigInt(config.rateLimitMs) * 1_000_000n;
  const flushTimer = setInterval(() => {
    if (rateLimitNs === 0n) return;
    const now = process.hrtime.bigint();
    for (const entry of detector.rateEntries()) {
      if (entry.suppressed === 0n || now - entry.lastNs < rateLimitNs) continue;
      const registration = traps.lookup(entry.cookie);
      detector.forgetRate(entry.cookie, entry.tgid);
      if (!registration) continue;
      const event = buildFoldedEvent(entry, registration, detector.backend, cgroups);
      metrics.published.inc();
      publisher.publish(accessSubject(config.nodeName), encodeMessage(AccessEventSchema, event), event.id).catch((err: Error) => logger.error({ err: err.message }, 'event could not be published or spooled'));
    }
  }, Math.max(250, config.rateLimitMs));
  const canary = plantCanary(detector, config.stateDir);
  const canaryTimer = setInterval(() => (isReady ? clearInterval(canaryTimer) : canary.trip()), 500);
  canary.trip();

  const reply = (trapId: string, armed: boolean, error?: TrapError) =>
    create(ArmReplySchema, { trapId, armed, backend: BACKEND[detector.backend], node: config.nodeName, ...(error ? { errorCode: error.code, errorMessage: error.message } : {}) });
  const arm = (registration: TrapRegistration, via: string) => {
    try {
      traps.arm(registration);
      metrics.armRequests.inc({ op: 'arm', outcome: 'armed' });
      logger.debug?.({ trap: registration.trap?.id, via }, 'armed');
      return reply(registration.trap?.id ?? '', true);
    } catch (err) {
      metrics.armRequests.inc({ op: 'arm', outcome: 'failed' });
      const error = err instanceof TrapError ? err : new TrapError('BEESTING_ERR_BPF_MAP', (err as Error).message);
      logger.warn({ trap: registration.trap?.id, code: error.code, err: error.message, via }, 'could not arm');
      return reply(registration.trap?.id ?? '', false, error);
    }
  };

  // Arm and disarm on request, and follow the inventory: traps registered while the
  // monitor was away (or whose arm request it missed) are armed from KV.
  const subscriptions: Subscription[] = [];
  let stopWatching: (() => void) | undefined;
  void (async () => {
    const nc = await bus.ready();
    subscriptions.push(
      serveRequests(nc, armSubject(config.nodeName), { request: TrapRegistrationSchema, reply: ArmReplySchema }, async (r) => arm(r, 'request'), { logger }),
      serveRequests(
        nc,
        disarmSubject(config.nodeName),
        { request: TrapRegistrationSchema, reply: ArmReplySchema },
        async (r) => {
          traps.disarm(r.trap?.id ?? '');
          metrics.armRequests.inc({ op: 'disarm', outcome: 'disarmed' });
          return reply(r.trap?.id ?? '', false);
        },
        { logger },
      ),
    );
    await nc.flush();
    isServing = true;
    markServing();
    // The agent may start before anything else made the bucket: make it (same spec as everyone).
    const spec = beestingBusLayout().buckets.find((b) => b.bucket === TRAPS_BUCKET);
    const kv = await (spec ? ensureKv(nc.jetstream(), await nc.jetstreamManager(), spec) : Promise.resolve())
      .then(() => nc.jetstream().views.kv(TRAPS_BUCKET, { bindOnly: true }))
      .catch((err: Error) => {
        logger.warn({ bucket: TRAPS_BUCKET, err: err.message }, 'trap inventory unusable: arming on request only');
        return undefined;
      });
    if (!kv) {
      inventoryReady();
      return;
    }
    const watch = await kv.watch({ key: nodeTrapKeys(config.nodeName), initializedFn: () => setImmediate(inventoryReady) });
    stopWatching = () => watch.stop();
    for await (const entry of watch) {
      if (entry.operation !== 'PUT') {
        const trapId = entry.key.split('.').pop() ?? '';
        traps.disarm(decodeToken(trapId));
        continue;
      }
      try {
        arm(decodeMessage(TrapRegistrationSchema, entry.value), 'inventory');
      } catch (err) {
        logger.warn({ key: entry.key, err: (err as Error).message }, 'malformed inventory entry');
      }
    }
  })().catch((err: Error) => logger.error({ err: err.message }, 'arm service stopped'));

  const http = fastify({ logger: false });
  http.get('/healthz', async () => ({ status: 'ok', backend: detector.backend }));
  http.get('/readyz', async (_req, res) =>
    isReady && isServing ? { status: 'ready', backend: detector.backend } : res.code(503).send({ status: isReady ? 'waiting for NATS' : 'waiting for the canary' }),
  );
  http.get('/metrics', async (_req, res) => res.type(registry.contentType).send(await registry.metrics()));
  await http.listen({ host: config.httpAddr.host, port: config.httpAddr.port });
  const address = http.server.address();

  return {
    backend: detector.backend,
    httpPort: typeof address === 'object' && address ? address.port : 0,
    ready,
    armedTraps: () => traps.size,
    stop: async () => {
      clearInterval(canaryTimer);
      clearInterval(flushTimer);
      stopWatching?.();
      for (const s of subscriptions) s.unsubscribe();
      await http.close();
      detector.close();
      await publisher.close();
      spool.close();
      await bus.close();
    },
  };
}
