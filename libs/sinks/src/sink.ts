import type { Alert, Severity } from '@beesting/events';
import type { RetryPolicy } from './retry-policy.js';

export interface SendContext {
  /** Aborted at the sink's timeout for this attempt. */
  signal: AbortSignal;
  attempt: number;
}

/**
 * One destination for alerts. `render` is pure (golden-tested); `send` delivers what
 * render made and throws a SinkError to say whether another attempt can help.
 */
export interface Sink<Rendered = unknown> {
  readonly id: string;
  readonly minSeverity: Severity;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  render(alert: Alert): Rendered;
  send(rendered: Rendered, alert: Alert, ctx: SendContext): Promise<void>;
}

export class SinkError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    /** From a Retry-After answer: wait at least this long before the next attempt. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'SinkError';
  }
}

export const SinkErrorCode = {
  Http: 'BEESTING_ERR_SINK_HTTP',
  Timeout: 'BEESTING_ERR_SINK_TIMEOUT',
  Network: 'BEESTING_ERR_SINK_NETWORK',
  Rejected: 'BEESTING_ERR_SINK_REJECTED',
  Forbidden: 'BEESTING_ERR_SINK_FORBIDDEN',
} as const;
