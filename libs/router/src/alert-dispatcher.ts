import { publishDeadLetter } from '@beesting/bus';
import type { BusLogger } from '@beesting/bus';
import { AlertSchema, toJsonString } from '@beesting/events';
import type { Alert } from '@beesting/events';
import { deliverWithRetries } from '@beesting/sinks';
import type { DeliveryResult, Sink, SinkMetrics } from '@beesting/sinks';
import type { JetStreamClient } from 'nats';

export interface DispatchOptions {
  /** Sinks already done with this alert (a previous attempt got that far). */
  skip?: readonly string[];
  /** Called as each sink settles, so progress survives a crash. */
  onSettled?: (sinkId: string) => Promise<void>;
  signal?: AbortSignal;
}

/**
 * Sends one alert to every sink whose minimum severity it meets, all at once, so a
 * failing sink costs the others nothing. A sink that gives up puts the alert into
 * BEESTING_DLQ with its error; only when every sink has settled one way or the other
 * does dispatch resolve. If the DLQ cannot be written either, it throws: the event is
 * then redelivered and the sinks not yet settled are tried again.
 */
export class AlertDispatcher {
  constructor(
    private readonly sinks: readonly Sink[],
    private readonly jetstream: () => JetStreamClient | undefined,
    private readonly metrics: SinkMetrics,
    private readonly logger: BusLogger,
  ) {}

  get sinkIds(): string[] {
    return this.sinks.map((s) => s.id);
  }

  async dispatch(alert: Alert, options: DispatchOptions = {}): Promise<Record<string, DeliveryResult | 'skipped'>> {
    const results: Record<string, DeliveryResult | 'skipped'> = {};
    await Promise.all(
      this.sinks.map(async (sink) => {
        if (alert.severity < sink.minSeverity || options.skip?.includes(sink.id)) {
          results[sink.id] = 'skipped';
          return;
        }
        const result = await deliverWithRetries(sink, alert, {
          metrics: this.metrics,
          ...(options.signal ? { signal: options.signal } : {}),
          onRetry: (attempt, error, delayMs) => this.logger.warn({ sink: sink.id, alert: alert.id, attempt, code: error.code, delayMs }, 'delivery failed; retrying'),
        });
        results[sink.id] = result;
        if (!result.ok) {
          if (options.signal?.aborted) return; // shutting down: leave it for redelivery
          this.logger.error({ sink: sink.id, alert: alert.id, code: result.error.code, err: result.error.message }, 'sink gave up; alert sent to the dead-letter stream');
          await this.deadLetter(sink.id, alert, result);
        }
        await options.onSettled?.(sink.id);
      }),
    );
    if (options.signal?.aborted) throw new Error(`dispatch of ${alert.id} interrupted by shutdown`);
    return results;
  }

  private async deadLetter(sinkId: string, alert: Alert, result: Extract<DeliveryResult, { ok: false }>): Promise<void> {
    const js = this.jetstream();
    if (!js) throw new Error(`cannot dead-letter alert ${alert.id} for ${sinkId}: not connected to NATS`);
    await publishDeadLetter(js, {
      origin: `sink.${sinkId}`,
      code: result.error.code,
      reason: `${result.error.message} (after ${result.attempts} attempts)`,
      payload: new TextEncoder().encode(toJsonString(AlertSchema, alert)),
    });
  }
}
