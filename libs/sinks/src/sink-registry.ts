import { readFileSync } from 'node:fs';
import { Severity } from '@beesting/events';
import type { JetStreamClient } from 'nats';
import { tlsAgent } from './http-post.js';
import { KubernetesSink } from './kubernetes-sink.js';
import { NatsSink } from './nats-sink.js';
import type { RetryPolicy } from './retry-policy.js';
import type { Sink } from './sink.js';
import { SlackSink } from './slack-sink.js';
import { WebhookSink } from './webhook-sink.js';

export interface SinkSettings {
  webhookUrl?: string | undefined;
  webhookSecret?: string | undefined;
  webhookHeaders?: Record<string, string> | undefined;
  webhookTlsCert?: string | undefined;
  webhookTlsKey?: string | undefined;
  webhookTlsCa?: string | undefined;
  slackWebhookUrl?: string | undefined;
  natsAlerts?: boolean | undefined;
  kubernetes?: string | undefined;
  kubernetesAnnotatePod?: boolean | undefined;
  minSeverity?: Partial<Record<'webhook' | 'slack' | 'nats' | 'kubernetes', Severity>>;
  timeoutMs: number;
  retry: RetryPolicy;
}

export interface SinkDependencies {
  jetstream: () => JetStreamClient | undefined;
  onForbidden?: (what: string) => void;
}

/** The sinks whose settings are present, each with its own timeout, retries and minimum severity. */
export function buildSinks(settings: SinkSettings, deps: SinkDependencies): Sink[] {
  const common = (id: keyof NonNullable<SinkSettings['minSeverity']>) => ({
    minSeverity: settings.minSeverity?.[id] ?? Severity.MEDIUM,
    timeoutMs: settings.timeoutMs,
    retry: settings.retry,
  });
  const sinks: Sink[] = [];
  if (settings.webhookUrl && settings.webhookSecret) {
    const read = (path: string | undefined) => (path ? readFileSync(path) : undefined);
    const files = { cert: read(settings.webhookTlsCert), key: read(settings.webhookTlsKey), ca: read(settings.webhookTlsCa) };
    const tls = files.cert || files.ca ? tlsAgent(Object.fromEntries(Object.entries(files).filter(([, v]) => v)) as typeof files) : undefined;
    sinks.push(
      new WebhookSink({
        url: settings.webhookUrl,
        secret: settings.webhookSecret,
        ...(settings.webhookHeaders ? { headers: settings.webhookHeaders } : {}),
        ...(tls ? { agent: tls } : {}),
        ...common('webhook'),
      }),
    );
  }
  if (settings.slackWebhookUrl) sinks.push(new SlackSink({ webhookUrl: settings.slackWebhookUrl, ...common('slack') }));
  if (settings.natsAlerts !== false) sinks.push(new NatsSink({ jetstream: deps.jetstream, ...common('nats') }));
  if (settings.kubernetes && settings.kubernetes !== 'off') {
    sinks.push(
      new KubernetesSink({
        source: settings.kubernetes,
        annotatePod: settings.kubernetesAnnotatePod ?? false,
        ...(deps.onForbidden ? { onForbidden: deps.onForbidden } : {}),
        ...common('kubernetes'),
      }),
    );
  }
  return sinks;
}
