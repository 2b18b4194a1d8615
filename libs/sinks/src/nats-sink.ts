import { alertSubject } from '@beesting/bus';
import { AlertSchema, encodeMessage, Severity } from '@beesting/events';
import type { Alert } from '@beesting/events';
import type { JetStreamClient } from 'nats';
import { severityName } from './alert-facts.js';
import { DEFAULT_RETRY } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';
import type { SendContext, Sink } from './sink.js';

export interface NatsSinkConfig {
  jetstream: () => JetStreamClient | undefined;
  minSeverity?: Severity;
  timeoutMs?: number;
  retry?: RetryPolicy;
}

/** Publishes on beesting.v1.alerts.<severity>.<namespace>, stored by BEESTING_ALERTS; the alert id dedups retries. */
export class NatsSink implements Sink<{ subject: string; data: Uint8Array }> {
  readonly id = 'nats';
  readonly minSeverity: Severity;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;

  constructor(private readonly config: NatsSinkConfig) {
    this.minSeverity = config.minSeverity ?? Severity.MEDIUM;
    this.timeoutMs = config.timeoutMs ?? 5000;
    this.retry = config.retry ?? DEFAULT_RETRY;
  }

  render(alert: Alert) {
    return { subject: alertSubject(severityName(alert.severity), alert.event?.owner?.pod?.namespace || 'unknown'), data: encodeMessage(AlertSchema, alert) };
  }

  async send(rendered: { subject: string; data: Uint8Array }, alert: Alert, _ctx: SendContext): Promise<void> {
    const js = this.config.jetstream();
    if (!js) throw new Error('not connected to NATS');
    await js.publish(rendered.subject, rendered.data, { msgID: alert.id, timeout: this.timeoutMs });
  }
}
