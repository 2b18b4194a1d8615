import { Counter, Gauge, Registry } from 'prom-client';

export interface BusMetrics {
  published: Counter<'path'>;
  spooled: Counter;
  spoolOverflow: Counter;
  spoolPending: Gauge;
  rejected: Counter;
  malformed: Counter<'consumer'>;
  deadLettered: Counter<'origin'>;
  handlerFailures: Counter<'consumer'>;
}

export function createBusMetrics(registry: Registry = new Registry()): BusMetrics {
  const registers = [registry];
  return {
    published: new Counter({
      name: 'beesting_bus_published_total',
      help: 'Messages stored by JetStream, by path: direct, or replayed from the spool.',
      labelNames: ['path'],
      registers,
    }),
    spooled: new Counter({ name: 'beesting_bus_spooled_total', help: 'Messages written to the on-disk spool while NATS was away.', registers }),
    spoolOverflow: new Counter({
      name: 'beesting_bus_spool_overflow_total',
      help: 'Messages lost because the spool was full.',
      registers,
    }),
    spoolPending: new Gauge({ name: 'beesting_bus_spool_pending', help: 'Messages in the spool waiting for NATS.', registers }),
    rejected: new Counter({
      name: 'beesting_bus_publish_rejected_total',
      help: 'Messages NATS can never take (too large, bad subject); logged and dropped.',
      registers,
    }),
    malformed: new Counter({
      name: 'beesting_bus_malformed_total',
      help: 'Consumed messages that failed validation and went to the dead-letter stream.',
      labelNames: ['consumer'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'beesting_bus_dead_lettered_total',
      help: 'Messages written to BEESTING_DLQ, by origin.',
      labelNames: ['origin'],
      registers,
    }),
    handlerFailures: new Counter({
      name: 'beesting_bus_handler_failures_total',
      help: 'Consumed messages whose handler failed; they are redelivered.',
      labelNames: ['consumer'],
      registers,
    }),
  };
}
