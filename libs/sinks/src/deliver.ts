import type { Alert } from '@beesting/events';
import { retryDelay } from './retry-policy.js';
import { SinkError, SinkErrorCode } from './sink.js';
import type { Sink } from './sink.js';
import type { SinkMetrics } from './sink-metrics.js';

export type DeliveryResult = { ok: true; attempts: number } | { ok: false; attempts: number; error: SinkError };

export interface DeliverOptions {
  metrics?: SinkMetrics;
  /** Stops retrying (the router is shutting down); the alert is then redelivered later. */
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (attempt: number, error: SinkError, delayMs: number) => void;
}

/** Delivers one alert to one sink: each attempt bounded by the sink's timeout, retried per its policy. */
export async function deliverWithRetries(sink: Sink, alert: Alert, options: DeliverOptions = {}): Promise<DeliveryResult> {
  const rendered = sink.render(alert);
  const started = process.hrtime.bigint();
  const sleep = options.sleep ?? abortableSleep;
  let last: SinkError | undefined;
  let attempts = 0;
  for (let attempt = 1; attempt <= sink.retry.maxAttempts; attempt++) {
    if (options.signal?.aborted) break;
    attempts = attempt;
    const timeout = AbortSignal.timeout(sink.timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    try {
      await sink.send(rendered, alert, { signal, attempt });
      options.metrics?.delivered.inc({ sink: sink.id });
      options.metrics?.latency.observe({ sink: sink.id }, Number(process.hrtime.bigint() - started) / 1e9);
      return { ok: true, attempts: attempt };
    } catch (err) {
      last = asSinkError(err, timeout.aborted, sink.timeoutMs);
      if (!last.retryable || attempt === sink.retry.maxAttempts) break;
      const delay = retryDelay(sink.retry, attempt, last.retryAfterMs);
      options.metrics?.retried.inc({ sink: sink.id });
      options.onRetry?.(attempt, last, delay);
      await sleep(delay, options.signal);
    }
  }
  const error = last ?? new SinkError(SinkErrorCode.Network, 'stopped before the first attempt', true);
  options.metrics?.failed.inc({ sink: sink.id, code: error.code });
  return { ok: false, attempts, error };
}

function asSinkError(err: unknown, timedOut: boolean, timeoutMs: number): SinkError {
  if (err instanceof SinkError) return err;
  if (timedOut) return new SinkError(SinkErrorCode.Timeout, `no answer within ${timeoutMs} ms`, true, undefined, { cause: err });
  return new SinkError(SinkErrorCode.Network, (err as Error).message, true, undefined, { cause: err });
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
