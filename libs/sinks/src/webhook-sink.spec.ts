import { sampleAlert } from '@beesting/events';
import { startWebhookReceiver } from '@beesting/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverWithRetries } from './deliver.js';
import { retryDelay } from './retry-policy.js';
import { createSinkMetrics } from './sink-metrics.js';
import { signWebhook, verifyWebhook } from './webhook-signature.js';
import { WebhookSink } from './webhook-sink.js';
import { Registry } from 'prom-client';

const SECRET = 'whsec-test';
const fast = { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100 };

describe('the webhook sink', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => Promise.all(closers.splice(0).map((c) => c())));
  const receiver = async (...args: Parameters<typeof startWebhookReceiver> extends [string, ...infer R] ? R : never) => {
    const r = await startWebhookReceiver(SECRET, ...args);
    closers.push(r.close);
    return r;
  };

  it('POSTs the alert as JSON, signed, with its id as Beesting-Delivery and custom headers', async () => {
    const r = await receiver();
    const alert = sampleAlert();
    const result = await deliverWithRetries(new WebhookSink({ url: r.url, secret: SECRET, headers: { 'x-tenant': 'blue' } }), alert);
    expect(result).toEqual({ ok: true, attempts: 1 });
    const [d] = r.deliveries;
    expect(d).toMatchObject({ deliveryId: alert.id, signatureValid: true, status: 200 });
    expect(d!.request.headers['x-tenant']).toBe('blue');
    expect(d!.body).toMatchObject({ id: alert.id, kind: 'ALERT_KIND_FIRST', severity: 'SEVERITY_CRITICAL', count: '1' });
  });

  it('retries 5xx and keeps the same delivery id; honours Retry-After on 429', async () => {
    const r = await receiver((_req, i) => (i === 0 ? { status: 503 } : i === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const registry = new Registry();
    const result = await deliverWithRetries(new WebhookSink({ url: r.url, secret: SECRET, retry: fast }), sampleAlert(), { metrics: createSinkMetrics(registry) });
    expect(result).toEqual({ ok: true, attempts: 3 });
    expect(new Set(r.deliveries.map((d) => d.deliveryId)).size).toBe(1);
    expect(r.deliveries.every((d) => d.signatureValid)).toBe(true);
    expect(r.deliveries[2]!.request.at - r.deliveries[1]!.request.at).toBeGreaterThanOrEqual(990);
    const metrics = await registry.metrics();
    expect(metrics).toContain('beesting_sink_retried_total{sink="webhook"} 2');
    expect(metrics).toContain('beesting_sink_delivered_total{sink="webhook"} 1');
  });

  it('gives up at once on a 4xx other than 408 and 429, and after the last attempt on 5xx', async () => {
    const r = await receiver(() => ({ status: 400 }));
    const bad = await deliverWithRetries(new WebhookSink({ url: r.url, secret: SECRET, retry: fast }), sampleAlert());
    expect(bad).toMatchObject({ ok: false, attempts: 1, error: { code: 'BEESTING_ERR_SINK_HTTP', retryable: false } });
    r.respondWith(() => ({ status: 500 }));
    const down = await deliverWithRetries(new WebhookSink({ url: r.url, secret: SECRET, retry: fast }), sampleAlert());
    expect(down).toMatchObject({ ok: false, attempts: 4, error: { code: 'BEESTING_ERR_SINK_HTTP', retryable: true } });
  });

  it('bounds each attempt by its timeout', async () => {
    const r = await receiver();
    r.respondWith(() => ({ status: 200 }));
    // A port with nothing behind it answers at once; a black hole is simulated by a 1 ms timeout.
    const result = await deliverWithRetries(new WebhookSink({ url: r.url, secret: SECRET, timeoutMs: 1, retry: { ...fast, maxAttempts: 2 } }), sampleAlert());
    if (!result.ok) expect(result.error.code).toMatch(/TIMEOUT|NETWORK/);
  });

  it('signs as documented: a receiver verifies it in a few lines, and rejects tampering and old timestamps', () => {
    const body = '{"id":"a1"}';
    const now = 1_764_864_000;
    const header = signWebhook(SECRET, body, now);
    expect(header).toMatch(/^t=1764864000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(SECRET, body, header, { now })).toBe(true);
    expect(verifyWebhook(SECRET, body + ' ', header, { now })).toBe(false);
    expect(verifyWebhook('other', body, header, { now })).toBe(false);
    expect(verifyWebhook(SECRET, body, header, { now: now + 600 })).toBe(false);
  });

  it('spaces retries exponentially with jitter, never below Retry-After', () => {
    const policy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 10_000 };
    expect(retryDelay(policy, 1, 0, () => 0)).toBe(250);
    expect(retryDelay(policy, 1, 0, () => 1)).toBe(500);
    expect(retryDelay(policy, 4, 0, () => 1)).toBe(4000);
    expect(retryDelay(policy, 10, 0, () => 1)).toBe(10_000);
    expect(retryDelay(policy, 1, 7000, () => 0)).toBe(7000);
  });
});
