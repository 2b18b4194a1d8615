import { Severity } from '@beesting/events';
import type { Alert } from '@beesting/events';
import { alertFacts } from './alert-facts.js';
import { httpPost } from './http-post.js';
import { DEFAULT_RETRY } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';
import type { SendContext, Sink } from './sink.js';

export interface SlackSinkConfig {
  webhookUrl: string;
  minSeverity?: Severity;
  timeoutMs?: number;
  retry?: RetryPolicy;
}

export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] };
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

const FIELD_LIMIT = 2000;
const EMOJI: Record<number, string> = { [Severity.CRITICAL]: ':rotating_light:', [Severity.HIGH]: ':warning:', [Severity.MEDIUM]: ':large_yellow_circle:' };

/** Slack's three entities; everything user-controlled also goes only into plain_text, where nothing is parsed. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const plain = (text: string, limit = FIELD_LIMIT): SlackText => ({
  type: 'plain_text',
  text: escapeSlack(text.length > limit ? `${text.slice(0, limit - 1)}…` : text || '-'),
  emoji: false,
});

/** An incoming-webhook Block Kit message. No string from the event is ever in mrkdwn. */
export function renderSlack(alert: Alert): SlackMessage {
  const f = alertFacts(alert);
  return {
    text: `Beesting: ${f.title.toLowerCase()} (${f.severity})`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${f.title}: ${f.severity.toUpperCase()}`, emoji: false } },
      { type: 'section', text: { type: 'mrkdwn', text: `${EMOJI[alert.severity] ?? ''} A decoy credential was read. Treat the opener as compromised.`.trim() } },
      {
        type: 'section',
        fields: [
          plain(`Severity: ${f.severity}`),
          plain(`Count: ${f.count}`),
          plain(`Cluster: ${f.cluster}`),
          plain(`Node: ${f.node}`),
          plain(`Namespace: ${f.namespace}`),
          plain(`Pod: ${f.pod}`),
          plain(`Container: ${f.container}`),
          plain(`Decoy: ${f.decoy}`),
          plain(`Path: ${f.path}`),
          plain(`Access: ${f.opener}`),
        ],
      },
      { type: 'section', fields: [plain(`Process: ${f.process}`), plain(`Command line: ${f.commandLine}`), plain(`Ancestry: ${f.ancestry}`)] },
      { type: 'context', elements: [plain(`alert ${f.alertId} · seen ${f.observedAt}`, 300)] },
    ],
  };
}

export class SlackSink implements Sink<SlackMessage> {
  readonly id = 'slack';
  readonly minSeverity: Severity;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  private readonly url: URL;

  constructor(config: SlackSinkConfig) {
    this.url = new URL(config.webhookUrl);
    this.minSeverity = config.minSeverity ?? Severity.MEDIUM;
    this.timeoutMs = config.timeoutMs ?? 5000;
    this.retry = config.retry ?? DEFAULT_RETRY;
  }

  render(alert: Alert): SlackMessage {
    return renderSlack(alert);
  }

  send(message: SlackMessage, _alert: Alert, ctx: SendContext): Promise<void> {
    return httpPost(this.url, JSON.stringify(message), { signal: ctx.signal, headers: {} });
  }
}
