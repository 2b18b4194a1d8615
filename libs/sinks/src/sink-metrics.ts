import { Counter, Histogram, Registry } from 'prom-client';

export interface SinkMetrics {
  delivered: Counter<'sink'>;
  failed: Counter<'sink' | 'code'>;
  retried: Counter<'sink'>;
  latency: Histogram<'sink'>;
}

export function createSinkMetrics(registry: Registry = new Registry()): SinkMetrics {
  const registers = [registry];
  return {
    delivered: new Counter({ name: 'beesting_sink_delivered_total', help: 'Alerts a sink delivered.', labelNames: ['sink'], registers }),
    failed: new Counter({ name: 'beesting_sink_failed_total', help: 'Alerts a sink gave up on (sent to BEESTING_DLQ), by error code.', labelNames: ['sink', 'code'], registers }),
    retried: new Counter({ name: 'beesting_sink_retried_total', help: 'Attempts after a failed one.', labelNames: ['sink'], registers }),
    latency: new Histogram({
      name: 'beesting_sink_delivery_seconds',
      help: 'Time from the first attempt to delivery.',
      labelNames: ['sink'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
  };
}
