import { ALERTS_STREAM } from '@beesting/bus';
import type { BusConnection } from '@beesting/bus';
import { AlertKind, AlertSchema, decodeMessage, newEventId, sampleAlert, toJson, TrapRegistrationSchema } from '@beesting/events';
import type { Alert } from '@beesting/events';
import { fastify } from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { AlertDispatcher } from './alert-dispatcher.js';
import type { TrapInventory } from './trap-inventory.js';

export interface HttpApiOptions {
  bus: BusConnection;
  dispatcher: AlertDispatcher;
  inventory: TrapInventory;
  registry: Registry;
  cluster: string;
  ready: () => boolean;
}

const MAX_RECENT = 500;

/** /healthz, /readyz, /metrics and the alert-router's API. */
export function buildHttpApi(o: HttpApiOptions): FastifyInstance {
  const app = fastify({ logger: false });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => (o.ready() ? { status: 'ready' } : reply.code(503).send({ status: 'not ready' })));
  app.get('/metrics', async (_req, reply) => reply.type(o.registry.contentType).send(await o.registry.metrics()));

  // The latest alerts of all replicas, newest first, from the BEESTING_ALERTS stream.
  app.get<{ Querystring: { limit?: string } }>('/api/v1/alerts', async (req, reply) => {
    const limit = Math.min(MAX_RECENT, Math.max(1, Number(req.query.limit ?? 50) || 50));
    const jsm = await o.bus.manager();
    const info = await jsm.streams.info(ALERTS_STREAM);
    const alerts: unknown[] = [];
    for (let seq = info.state.last_seq; seq >= info.state.first_seq && seq > 0 && alerts.length < limit; seq--) {
      const m = await jsm.streams.getMessage(ALERTS_STREAM, { seq }).catch(() => undefined);
      if (!m) continue;
      try {
        alerts.push(toJson(AlertSchema, decodeMessage(AlertSchema, m.data)));
      } catch {
        // not an alert: skipped
      }
    }
    return reply.send({ alerts });
  });

  app.get('/api/v1/traps', async () => ({ traps: (await o.inventory.list()).map((t) => toJson(TrapRegistrationSchema, t)) }));

  // A synthetic alert through every enabled sink, to check the wiring end to end.
  app.post('/api/v1/test', async () => {
    const alert: Alert = sampleAlert();
    alert.id = `test-${newEventId()}`;
    alert.kind = AlertKind.FIRST;
    alert.cluster = o.cluster;
    if (alert.event?.trap) alert.event.trap.memo = 'Synthetic test alert from POST /api/v1/test: nothing was accessed.';
    const results = await o.dispatcher.dispatch(alert);
    return {
      alertId: alert.id,
      sinks: Object.fromEntries(
        Object.entries(results).map(([id, r]) => [id, r === 'skipped' ? { delivered: false, skipped: true } : r.ok ? { delivered: true, attempts: r.attempts } : { delivered: false, attempts: r.attempts, error: r.error.message }]),
      ),
    };
  });

  return app;
}
