import type { Agent } from 'node:http';
import { hostname } from 'node:os';
import { AlertSchema, Severity, toJsonString } from '@beesting/events';
import type { Alert } from '@beesting/events';
import { httpPost } from './http-post.js';
import { DEFAULT_RETRY } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';
import type { SendContext, Sink } from './sink.js';
import { signWebhook } from './webhook-signature.js';

const SENDER = `${hostname()}/${process.pid}`;

export interface WebhookSinkConfig {
  url: string;
  secret: string;
  headers?: Record<string, string>;
  /** For mutual TLS: an https agent holding the client certificate. */
  agent?: Agent;
  minSeverity?: Severity;
  timeoutMs?: number;
  retry?: RetryPolicy;
  now?: () => number;
}

/** POSTs the alert's JSON, signed, with its id as the idempotency key (stable across retries). */
export class WebhookSink implements Sink<string> {
  readonly id = 'webhook';
  readonly minSeverity: Severity;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  private readonly url: URL;

  constructor(private readonly config: WebhookSinkConfig) {
    this.url = new URL(config.url);
    this.minSeverity = config.minSeverity ?? Severity.MEDIUM;
    this.timeoutMs = config.timeoutMs ?? 5000;
    this.retry = config.retry ?? DEFAULT_RETRY;
  }

  render(alert: Alert): string {
    return toJsonString(AlertSchema, alert);
  }

  send(body: string, alert: Alert, ctx: SendContext): Promise<void> {
    const t = Math.floor((this.config.now ?? Date.now)() / 1000);
    return httpPost(this.url, body, {
      signal: ctx.signal,
      ...(this.config.agent ? { agent: this.config.agent } : {}),
      headers: {
        ...this.config.headers,
        'user-agent': 'beesting-alert-router',
        // Which replica sent it: for operators tracing a delivery.
        'beesting-sender': SENDER,
        'beesting-signature': signWebhook(this.config.secret, body, t),
        'beesting-delivery': alert.id,
        'beesting-attempt': String(ctx.attempt),
      },
    });
  }
}
